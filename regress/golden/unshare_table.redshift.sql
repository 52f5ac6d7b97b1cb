ALTER DATASHARE "sluice_bi" REMOVE TABLE "analytics"."users";
