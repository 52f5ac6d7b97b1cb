REVOKE SELECT ON "analytics"."users" FROM "sluice_fdw";
DROP FOREIGN TABLE IF EXISTS "analytics"."users";
