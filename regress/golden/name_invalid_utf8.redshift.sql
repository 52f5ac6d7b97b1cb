ERROR 42602: identifier is not valid UTF-8
HINT: Names must be valid UTF-8.
