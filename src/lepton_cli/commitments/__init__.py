"""Owned commitments (RIs, savings plans, reservations, CUDs), their utilisation and coverage,
and the purchase planner that sizes new ones on the hourly profile of eligible usage."""

from lepton_cli.commitments.model import Commitment, CommitmentScope, Payment, Product, Usage

__all__ = ["Commitment", "CommitmentScope", "Payment", "Product", "Usage"]
