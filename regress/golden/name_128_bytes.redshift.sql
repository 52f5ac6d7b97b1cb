ERROR 42622: identifier "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…" is 128 bytes long; Redshift allows at most 127
HINT: Choose a shorter name; sluice never truncates names.
