"""``lepton apply``: carry out exactly the reviewed plan, resumably, with a journal.

``steps`` turns plan actions into executable steps, ``journal`` records each step (intent and
rollback data first, then each phase, then done), ``executor`` is the contract each provider's
executor (``aws``, ``azure``, ``gcp``) meets, ``runner`` checks every precondition before the
first change and then runs the steps. This package is the only one in lepton that calls an API
that changes a cloud.
"""
