ERROR 42622: identifier "nnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnnn…" is 128 bytes long; PostgreSQL allows at most 63
HINT: Choose a shorter name; sluice never truncates names.
