"""Size flexibility: how much of a reservation one instance size uses.

AWS regional Linux RIs apply across sizes of one family by normalisation factor (small = 1,
large = 4, xlarge = 8, ...; https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/apply_ri.html).
Azure instance size flexibility uses ratios within a flexibility group; GCP resource CUDs are
bought in vCPUs. For Azure and GCP lepton uses the vCPU count as the ratio.
"""

from __future__ import annotations

import re

AWS_FACTORS: dict[str, float] = {
    "nano": 0.25,
    "micro": 0.5,
    "small": 1,
    "medium": 2,
    "large": 4,
    "xlarge": 8,
}
_MULTIPLE = re.compile(r"^(\d+)xlarge$")


def aws_factor(instance_type: str) -> float | None:
    """The normalisation factor of ``m6i.2xlarge`` (16), or None for a size with no factor
    (``metal`` sizes depend on the family)."""
    size = instance_type.rsplit(".", 1)[-1]
    if size in AWS_FACTORS:
        return AWS_FACTORS[size]
    found = _MULTIPLE.match(size)
    return 8.0 * int(found[1]) if found else None


def family(provider: str, instance_type: str) -> str:
    """The size-flexibility family: ``m6i`` (AWS), ``Dsv5`` (Azure ``Standard_D4s_v5``),
    ``n2`` (GCP ``n2-standard-4``)."""
    if provider == "aws":
        return instance_type.split(".", 1)[0]
    if provider == "azure":
        name = instance_type.removeprefix("Standard_")
        series = re.sub(r"\d+", "", name.split("_", 1)[0], count=1)
        version = name.split("_", 1)[1] if "_" in name else ""
        return series + version
    if provider == "gcp":
        return instance_type.split("-", 1)[0]
    return instance_type


def units(provider: str, instance_type: str, vcpus: float | None) -> float:
    """How many normalised units one instance of ``instance_type`` uses (1 when unknown)."""
    if provider == "aws":
        return aws_factor(instance_type) or float(vcpus or 1) * 2  # large: 2 vCPUs, 4 units
    return float(vcpus or 1)
