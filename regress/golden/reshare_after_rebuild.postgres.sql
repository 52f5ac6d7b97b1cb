GRANT SELECT ON "analytics"."events" TO "sluice_fdw";
GRANT SELECT ON "analytics"."events" TO "Reporting ""ro""";
