CREATE DATASHARE "sluice_bi";
ALTER DATASHARE "sluice_bi" ADD SCHEMA "analytics";
ALTER DATASHARE "sluice_bi" ADD SCHEMA "marts";
ALTER DATASHARE "sluice_bi" ADD TABLE "analytics"."events", "analytics"."users", "marts"."daily_revenue";
GRANT USAGE ON DATASHARE "sluice_bi" TO NAMESPACE '5f2a7c1e-0b9d-4c3e-8a6f-2d4b1e9c7a30';
