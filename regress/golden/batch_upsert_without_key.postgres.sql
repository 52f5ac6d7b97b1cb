ERROR 22023: mode upsert needs the primary_key option
HINT: Add WITH (primary_key = 'id').
