ERROR 0A000: type "numeric(40,2)" has more precision than Redshift supports
HINT: Redshift numbers hold at most 38 digits; use numeric(38,s).
