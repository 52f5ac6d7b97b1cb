ERROR 22023: the consumer cluster's namespace is not known
HINT: sluice reads it with SELECT current_namespace on each side.
