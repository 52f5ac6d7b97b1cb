ERROR 42602: identifier "Orders" has upper-case letters, which Redshift would silently fold
HINT: Use a lower-case name: Redshift folds names to lower case even inside double quotes unless the cluster runs with enable_case_sensitive_identifier = true.
