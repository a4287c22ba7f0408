"""The query layer over billing data: every billing query lepton runs, in DuckDB.

``report``, budgets, anomalies and ``scan`` from FOCUS all go through here; analysis code
imports this package, never a provider. The parts:

- :mod:`files` — find export files, check their columns, refuse native (non-FOCUS) exports
  (:mod:`native`), treat every path literally;
- :mod:`schema` — FOCUS 1.0–1.3 columns onto one normalised ``charges`` relation, with exact
  money, strict dates and tags in every stored shape;
- :mod:`deliveries` — count each export once (the latest delivery of a billing period wins);
- :mod:`engine` — the DuckDB connection and the :class:`~engine.Charges` relation;
- :mod:`diagnose` — after a failure, the file, row and column that caused it;
- :mod:`tags` — one parser of Tags cells for every command;
- :mod:`query` — the queries: aggregate, resource costs, cost records, pricing-currency totals.

DuckDB is imported by these modules, so import them where they are used (``lepton --help``
never loads DuckDB).
"""
