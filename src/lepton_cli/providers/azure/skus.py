"""Resource SKUs: what each VM size is (vCPUs, memory, CPU architecture, GPUs), per region.

``resourceSkus.list`` answers for a whole subscription; the ``location`` filter keeps the
answer to one region. Mapping lives in :func:`normalize.sku_spec`.
"""

from __future__ import annotations

from typing import Any

from lepton_cli.providers.azure import normalize


def vm_skus(compute: Any, region: str) -> dict[tuple[str, str], normalize.SkuSpec]:
    """(region, lower-case size) -> SkuSpec for the VM sizes offered in ``region``."""
    wanted = normalize.region_id(region)
    found: dict[tuple[str, str], normalize.SkuSpec] = {}
    for sku in compute.resource_skus.list(filter=f"location eq '{wanted}'"):
        spec = normalize.sku_spec(sku)
        regions = {normalize.region_id(str(r)) for r in getattr(sku, "locations", None) or []}
        if spec is not None and (not regions or wanted in regions):
            found[(wanted, spec.name.lower())] = spec
    return found
