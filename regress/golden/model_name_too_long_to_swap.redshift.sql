ERROR 42622: identifier "mmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmmm…" is 128 bytes long; Redshift allows at most 127
HINT: Choose a shorter name; sluice never truncates names.
