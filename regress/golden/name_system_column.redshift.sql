ERROR 42701: column name "ctid" conflicts with a system column name
HINT: Rename the column, e.g. with TRANSFORM (RENAME a TO b).
