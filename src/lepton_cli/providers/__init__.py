"""Providers: one package each; the contract lives in ``base.py``."""
