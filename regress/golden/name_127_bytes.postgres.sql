ERROR 42622: identifier "éééééééééééééééééééé…" is 127 bytes long; PostgreSQL allows at most 63
HINT: Choose a shorter name; sluice never truncates names.
