ERROR 22023: the Redshift dialect needs "iam_role" to load a batch
HINT: Set iam_role and staging_connection in the [sluice] section.
