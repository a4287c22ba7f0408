"""Nothing counted twice: repeated sources, duplicate ids, the same resource in two files."""

from __future__ import annotations

from pathlib import Path

from hostile_case import Case, inventory, offering, vm

TWO = {"a.yaml": inventory([vm("i-1")]), "b.yaml": inventory([vm("i-1")])}


def _link(tmp: Path) -> None:
    (tmp / "l.yaml").symlink_to(tmp / "a.yaml")


CASES: list[Case] = [
    Case(
        "same-source-twice",
        ("scan", "-s", "a.yaml", "-s", "a.yaml"),
        3,
        ("a.yaml", "twice"),
        {"a.yaml": inventory()},
    ),
    Case(
        "same-source-via-dotslash",
        ("scan", "-s", "a.yaml", "-s", "./a.yaml"),
        3,
        ("twice",),
        {"a.yaml": inventory()},
    ),
    Case(
        "same-source-via-symlink",
        ("scan", "-s", "a.yaml", "-s", "l.yaml"),
        3,
        ("twice",),
        {"a.yaml": inventory()},
        setup=_link,
    ),
    Case(
        "same-source-via-folder",
        ("scan", "-s", "d", "-s", "d/a.yaml"),
        3,
        ("twice",),
        {"d/a.yaml": inventory()},
    ),
    Case(
        "duplicate-resource-id",
        ("scan", "-s", "a.yaml"),
        3,
        ("resources[1]", "resources[0]", "i-1"),
        {"a.yaml": inventory([vm("i-1"), vm("i-1")])},
    ),
    Case(
        "same-resource-two-files",
        ("scan", "-s", "a.yaml", "-s", "b.yaml"),
        3,
        ("a.yaml", "b.yaml", "i-1"),
        TWO,
    ),
    Case(
        "same-resource-two-files-optimize",
        ("optimize", "-s", "a.yaml", "-s", "b.yaml"),
        3,
        ("a.yaml", "b.yaml"),
        TWO,
    ),
    Case(
        "same-resource-two-files-report",
        ("report", "-s", "a.yaml", "-s", "b.yaml"),
        3,
        ("a.yaml", "b.yaml"),
        TWO,
    ),
    Case(
        "same-id-other-provider-ok",
        ("scan", "-s", "a.yaml", "-s", "b.yaml"),
        0,
        ("2 resources",),
        {"a.yaml": inventory([vm("x-1")]), "b.yaml": inventory([vm("x-1", provider="gcp")])},
    ),
    Case(
        "duplicate-workload",
        ("scan", "-s", "a.yaml"),
        3,
        ("workloads[1]", "web"),
        {"a.yaml": inventory(workloads=[{"name": "web"}, {"name": "web"}])},
    ),
    Case(
        "duplicate-offering",
        ("scan", "-s", "a.yaml"),
        3,
        ("offerings[1]", "x9.large"),
        {"a.yaml": inventory(offerings=[offering(), offering()])},
    ),
    Case(
        "currencies-differ",
        ("scan", "-s", "a.yaml", "-s", "b.yaml"),
        3,
        ("currencies",),
        {"a.yaml": inventory([vm("i-1")]), "b.yaml": inventory([vm("i-2")], currency="EUR")},
    ),
]
