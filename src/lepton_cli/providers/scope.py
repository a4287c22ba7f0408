"""Which resources a Scope selects, for providers that read everything and filter after."""

from __future__ import annotations

from lepton_cli.models import Resource
from lepton_cli.providers.base import Scope


def in_scope(resource: Resource, scope: Scope) -> bool:
    """True when ``resource`` is in one of ``scope``'s accounts and regions (empty: any)."""
    if scope.accounts and resource.account not in scope.accounts:
        return False
    return not scope.regions or resource.region in scope.regions
