"""The query layer over billing data: every billing query lepton runs, written once as Ibis
expressions (:mod:`expr`) over the normalised FOCUS columns, run on the engine chosen
(:mod:`engines`: DuckDB by default, PySpark, or compiled for BigQuery and Athena/Trino).

The public API is in :mod:`queries`; import it from there (this package stays light so that
importing a submodule does not pull in Ibis).
"""
