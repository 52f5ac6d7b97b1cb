ERROR 0A000: privilege "TRIGGER" on model "daily_revenue" has no equivalent on Redshift
HINT: REVOKE it on the model's table, then refresh the model.
