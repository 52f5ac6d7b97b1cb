ALTER DATASHARE "sluice_bi" ADD TABLE "analytics"."events";
