ERROR 22023: postgres_fdw needs the user the consumer logs in to the producer as
HINT: Set user (and password) on the consumer connection.
