"""Files: atomic writes, YAML/JSON documents, and validation errors that name the bad key."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from lepton_cli.errors import InputError

M = TypeVar("M", bound=BaseModel)


def atomic_write(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; keep what a plain write would give
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _mode_for(path: Path) -> int:
    """An existing file's mode, else the mode the umask gives a new file."""
    if path.exists():
        return path.stat().st_mode & 0o777
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


# libyaml's emitter writes the same bytes as the pure-Python one (the golden plans are
# unchanged) several times faster; a plan of 100,000 workloads is millions of scalars.
_BaseDumper: type[yaml.SafeDumper] = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class _Dumper(_BaseDumper):  # type: ignore[valid-type,misc]
    """Decimals as plain numbers, enums as their values, no aliases, keys in given order."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: ARG002
        return True


def _repr_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    text = format(value, "f")
    if "." not in text:
        return dumper.represent_int(int(value))
    return dumper.represent_scalar("tag:yaml.org,2002:float", text)


def _repr_enum(dumper: yaml.SafeDumper, value: Enum) -> yaml.Node:
    return dumper.represent_data(value.value)


_Dumper.add_representer(Decimal, _repr_decimal)
_Dumper.add_multi_representer(Enum, _repr_enum)


def plain(model: BaseModel) -> dict[str, Any]:
    """A model as plain Python data for YAML (Decimals kept exact, None fields left out)."""
    return model.model_dump(mode="python", by_alias=True, exclude_none=True)


def dump_yaml(data: Any) -> str:
    if isinstance(data, BaseModel):
        data = plain(data)
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _json_default(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def dump_json(data: Any) -> str:
    """JSON with money as decimal strings (exact), keys in given order."""
    if isinstance(data, BaseModel):
        data = plain(data)
    return json.dumps(data, default=_json_default, indent=2, ensure_ascii=False) + "\n"


def read_text(path: Path) -> str:
    if not path.exists():
        raise InputError(f"{path}: no such file", hint="check the path")
    if path.is_dir():
        raise InputError(f"{path}: is a directory", hint="give a file, not a directory")
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason})", hint="save it as UTF-8") from e


def load_document(path: Path) -> Any:
    """Parse a YAML or JSON file (JSON is YAML) into plain data."""
    text = read_text(path)
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise InputError(
            f"{path}: invalid YAML{where}: {problem}", hint="fix the syntax there"
        ) from e


def yaml_path(loc: Sequence[int | str]) -> str:
    """``("resources", 3, "utilization", "cpu_p95")`` -> ``resources[3].utilization.cpu_p95``."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _hint_for(error: Mapping[str, Any]) -> str:
    kind = error["type"]
    if kind == "extra_forbidden":
        return "remove the key or fix its spelling"
    if kind == "missing":
        return "add the key"
    if kind == "literal_error":
        return f"use {error.get('ctx', {}).get('expected', 'the expected value')}"
    return "correct the value"


def validation_error(source: str, err: ValidationError) -> InputError:
    """One InputError naming the file, each bad key's YAML path and what to do about it."""
    lines = []
    for e in err.errors()[:10]:
        lines.append(f"{source}: {yaml_path(e['loc'])}: {e['msg']}")
    first = err.errors()[0]
    more = len(err.errors()) - len(lines)
    if more > 0:
        lines.append(f"... and {more} more")
    return InputError("\n".join(lines), hint=_hint_for(first))


def validate(model: type[M], data: Any, source: str) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise validation_error(source, e) from e
