"""Broken, odd and hostile input files: each an exit 3 naming the file, never a crash."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from hostile_case import Case, inv_files, inventory, vm

SCAN = ("scan", "-s", "inv.yaml")
HEAD = "apiVersion: lepton/v1\nkind: Inventory\n"


def _fifo(tmp: Path) -> None:
    os.mkfifo(tmp / "inv.yaml")


def _dangling(tmp: Path) -> None:
    (tmp / "inv.yaml").symlink_to(tmp / "gone.yaml")


def _to_dev_zero(tmp: Path) -> None:
    (tmp / "inv.yaml").symlink_to("/dev/zero")


def _socket(tmp: Path) -> None:
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(tmp / "inv.yaml"))
    sock.close()


def _laughs(levels: int = 9) -> str:
    lines = [HEAD + "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * 9)
        lines.append(f"x{i}: &a{i} [{refs}]")
    lines.append(f"resources: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def _inv(text: str) -> dict[str, str | bytes]:
    return {"inv.yaml": text}


CASES: list[Case] = [
    Case("empty-file", SCAN, 3, ("inv.yaml",), _inv("")),
    Case("only-comments", SCAN, 3, ("inv.yaml",), _inv("# nothing here\n")),
    Case("binary", SCAN, 3, ("inv.yaml", "UTF-8"), {"inv.yaml": b"\x89PNG\r\n\x1a\n\x00\xff\xfe"}),
    Case("nul-bytes", SCAN, 3, ("inv.yaml",), {"inv.yaml": HEAD.encode() + b"\x00\x00"}),
    Case("latin1", SCAN, 3, ("inv.yaml", "UTF-8"), {"inv.yaml": HEAD.encode() + b"x: caf\xe9\n"}),
    Case("bad-yaml", SCAN, 3, ("inv.yaml", "line"), _inv(HEAD + "resources: [\n  - {id: a\n")),
    Case("bad-json", ("scan", "-s", "inv.json"), 3, ("inv.json",), {"inv.json": '{"a": '}),
    Case("tab-indent", SCAN, 3, ("inv.yaml",), _inv(HEAD + "resources:\n\t- id: x\n")),
    Case("two-documents", SCAN, 3, ("inv.yaml",), _inv(HEAD + "---\n" + HEAD)),
    Case("python-tag", SCAN, 3, ("inv.yaml",), _inv(HEAD + "x: !!python/object:os.system ls\n")),
    Case("unknown-tag", SCAN, 3, ("inv.yaml",), _inv(HEAD + "resources: !evil [1]\n")),
    Case("deep-flow-nesting", SCAN, 3, ("inv.yaml", "nest"), _inv(HEAD + "x: " + "[" * 50000)),
    Case(
        "deep-block-nesting",
        SCAN,
        3,
        ("inv.yaml", "nest"),
        _inv(HEAD + "x: " + "[" * 2000 + "]" * 2000 + "\n"),
    ),
    Case(
        "deep-json-nesting",
        ("scan", "-s", "inv.json"),
        3,
        ("inv.json", "nest"),
        {"inv.json": '{"apiVersion": "lepton/v1", "x": ' + "[" * 3000 + "]" * 3000 + "}"},
    ),
    Case("billion-laughs", SCAN, 3, ("inv.yaml", "alias"), _inv(_laughs())),
    Case("self-merge", SCAN, 3, ("inv.yaml",), _inv(HEAD + "a: &x\n  <<: *x\n")),
    Case(
        "duplicate-key",
        SCAN,
        3,
        ("inv.yaml", "duplicate", "hourly_cost"),
        _inv(HEAD + "resources:\n- id: a\n  provider: aws\n  hourly_cost: 1\n  hourly_cost: 2\n"),
    ),
    Case(
        "huge-int",
        SCAN,
        3,
        ("inv.yaml",),
        _inv(HEAD + "resources:\n- id: a\n  provider: aws\n  vcpus: " + "9" * 5000 + "\n"),
    ),
    Case(
        "date-13-45",
        SCAN,
        3,
        ("inv.yaml", "2026-13-45"),
        inv_files([vm(created_at="X")])
        | {
            "inv.yaml": inventory([vm()]).replace(
                "  hourly_cost:", "  created_at: 2026-13-45\n  hourly_cost:", 1
            )
        },
    ),
    Case(
        "date-feb-30",
        SCAN,
        3,
        ("inv.yaml",),
        {
            "inv.yaml": inventory([vm()]).replace(
                "  hourly_cost:", "  created_at: 2026-02-30\n  hourly_cost:", 1
            )
        },
    ),
    Case(
        "date-garbage", SCAN, 3, ("inv.yaml", "created_at"), inv_files([vm(created_at="yesterday")])
    ),
    Case("resources-not-list", SCAN, 3, ("inv.yaml", "resources"), _inv(HEAD + "resources: 5\n")),
    Case(
        "resource-not-mapping",
        SCAN,
        3,
        ("inv.yaml", "resources[0]"),
        _inv(HEAD + "resources: [5]\n"),
    ),
    Case("empty-id", SCAN, 3, ("inv.yaml", "resources[0].id"), inv_files([vm("")])),
    Case("int-id", SCAN, 3, ("inv.yaml", "resources[0].id"), inv_files([vm(123)])),  # type: ignore[arg-type]
    Case("tag-not-string", SCAN, 3, ("inv.yaml", "tags"), inv_files([vm(tags={"a": None})])),
    Case("bad-currency", SCAN, 3, ("inv.yaml", "currency"), inv_files(currency="dollars")),
    Case("currency-number", SCAN, 3, ("inv.yaml", "currency"), inv_files(currency=840)),
    Case("no-api-version", SCAN, 3, ("inv.yaml", "apiVersion"), _inv("kind: Inventory\n")),
    Case("list-top", SCAN, 3, ("inv.yaml", "mapping"), _inv("- 1\n")),
    Case("scalar-top", SCAN, 3, ("inv.yaml", "mapping"), _inv("hello\n")),
    Case("missing-file", ("scan", "-s", "nope.yaml"), 3, ("nope.yaml",)),
    Case("fifo-source", SCAN, 3, ("inv.yaml", "regular file"), setup=_fifo),
    Case("dev-zero-source", SCAN, 3, ("inv.yaml", "regular file"), setup=_to_dev_zero),
    Case("socket-source", SCAN, 3, ("inv.yaml",), setup=_socket),
    Case("dangling-symlink", SCAN, 3, ("inv.yaml",), setup=_dangling),
    Case("dev-null-source", ("scan", "-s", "/dev/null"), 3, ("/dev/null",)),
    Case("under-a-file", ("scan", "-s", "inv.yaml/x.yaml"), 3, ("x.yaml",), inv_files()),
    Case("unknown-suffix", ("scan", "-s", "inv.txt"), 3, ("inv.txt",), {"inv.txt": "x"}),
    Case("empty-folder", ("scan", "-s", "d"), 3, ("d",), setup=lambda t: (t / "d").mkdir()),
    Case("bad-kind-value", SCAN, 3, ("resources[0].kind",), inv_files([vm(kind="vm")])),
    Case("bad-state", SCAN, 3, ("resources[0].state",), inv_files([vm(state="on")])),
    Case("plan-is-garbage", ("plan", "show", "p.yaml"), 3, ("p.yaml",), {"p.yaml": "::\n- ["}),
    Case("plan-is-inventory", ("plan", "show", "p.yaml"), 3, ("p.yaml",), {"p.yaml": inventory()}),
    Case("plan-missing", ("plan", "show", "p.yaml"), 3, ("p.yaml",)),
    Case("plan-binary", ("plan", "show", "p.yaml"), 3, ("p.yaml",), {"p.yaml": b"\xff\xfe\x00"}),
    Case("plan-diff-missing", ("plan", "diff", "a.yaml", "b.yaml"), 3, ("a.yaml",)),
    Case("focus-empty", ("scan", "-s", "f.csv"), 3, ("f.csv",), {"f.csv": ""}),
    Case("focus-not-focus", ("scan", "-s", "f.csv"), 3, ("f.csv",), {"f.csv": "a,b\n1,2\n"}),
    Case(
        "focus-binary",
        ("scan", "-s", "f.parquet"),
        3,
        ("f.parquet",),
        {"f.parquet": b"\x00\x01junk"},
    ),
    Case(
        "report-bad-inventory",
        ("report", "-s", "inv.yaml"),
        3,
        ("inv.yaml",),
        inv_files([vm(vcpus=float("nan"))]),
    ),
    Case(
        "optimize-bad-inventory",
        ("optimize", "-s", "inv.yaml"),
        3,
        ("inv.yaml",),
        inv_files([vm(hourly_cost=float("inf"))]),
    ),
    Case(
        "verify-bad-inventory",
        ("plan", "verify", "p.yaml", "-s", "inv.yaml"),
        3,
        ("p.yaml",),
        inv_files() | {"p.yaml": "x: 1\n"},
    ),
]
