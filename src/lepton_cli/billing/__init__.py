"""The query layer over billing data: every billing query lepton runs, written once as Ibis
expressions and run on the engine chosen (DuckDB by default, PySpark, BigQuery; compiled for
Athena/Trino).

``report``, budgets, anomalies and ``scan`` from FOCUS all go through here; analysis code
imports this package, never a provider. The parts:

- :mod:`query` — the API: aggregate, resource costs, cost records, pricing-currency totals;
- :mod:`expr` — those queries as Ibis expressions over the normalised ``charges`` columns;
- :mod:`keys` — grouping and filter keys;
- :mod:`engines` — engine choice (``--engine``) and the source each engine reads;
  :mod:`spark`, :mod:`bigquery`, :mod:`sql` (compiled SQL for BigQuery, Athena, Trino);
  :mod:`normalize` — raw FOCUS columns -> ``charges`` as Ibis, for engines other than DuckDB;
- :mod:`files` — find export files, check their columns, refuse native (non-FOCUS) exports
  (:mod:`native`), treat every path literally;
- :mod:`schema` — FOCUS 1.0–1.3 columns onto one normalised ``charges`` relation (DuckDB), with
  exact money, strict dates and tags in every stored shape;
- :mod:`deliveries` — count each export once (the latest delivery of a billing period wins);
- :mod:`engine` — the DuckDB connection and the :class:`~engine.Charges` relation;
- :mod:`diagnose` — after a failure, the file, row and column that caused it;
- :mod:`tags` — one parser of Tags cells for every command.

DuckDB, Ibis and PySpark are imported by these modules, so import them where they are used
(``lepton --help`` never loads them).
"""
