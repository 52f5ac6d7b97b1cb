GRANT USAGE ON SCHEMA "analytics" TO "sluice_fdw";
GRANT SELECT ON "analytics"."events", "analytics"."users" TO "sluice_fdw";
GRANT USAGE ON SCHEMA "marts" TO "sluice_fdw";
GRANT SELECT ON "marts"."daily_revenue" TO "sluice_fdw";
