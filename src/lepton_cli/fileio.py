"""Files: atomic writes, YAML/JSON documents, and validation errors that name the bad key."""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import re
import stat
import tempfile
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from lepton_cli.errors import InputError, UsageError
from lepton_cli.forked import Forked, can_fork

M = TypeVar("M", bound=BaseModel)


def atomic_write(path: Path, text: str, make_parents: bool = True) -> None:
    """Write ``text`` to ``path`` via a temp file in the same folder and a rename (a reader
    never sees half a file; Ctrl-C leaves the old file as it was)."""
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; keep what a plain write would give
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def private_spill_dir() -> Path:
    """Where DuckDB may spill to disk: ``<user cache>/lepton/spill/duckdb-<pid>``, inside a
    folder only this user can enter (mode 0700). Not a predictable path in a shared /tmp,
    where another user could plant a symlink or read the spilled billing rows."""
    import platformdirs

    parent = Path(platformdirs.user_cache_dir("lepton")) / "spill"
    try:
        parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if parent.stat().st_mode & 0o077:
            parent.chmod(0o700)
    except OSError:
        parent = Path(tempfile.mkdtemp(prefix="lepton-spill-"))  # private too (0700)
    return parent / f"duckdb-{os.getpid()}"


def output_target(path: Path) -> Path:
    """The regular file an ``-o`` path names (a symlink's target), or a UsageError: ``-o``
    never replaces a device (/dev/null, /dev/stdout, /dev/full), a FIFO or a directory, and
    never creates missing folders."""
    real = Path(os.path.realpath(path)) if path.is_symlink() else path
    if any(str(p.absolute()).startswith(_SPECIAL) for p in (path, real)):
        # /dev/stdout may resolve to a regular file (a redirect): still never replace it.
        raise UsageError(
            f"-o {path}: is a device or process path; -o writes regular files only",
            hint="leave out -o to print to stdout (and redirect it, e.g. > file)",
        )
    try:
        info = real.stat()
    except FileNotFoundError:
        info = None
    except OSError as e:
        raise UsageError(f"-o {path}: cannot write there ({e.strerror})", hint=_OUT_HINT) from e
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise UsageError(f"-o {path}: is a directory", hint="give a file name, e.g. -o plan.yaml")
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"-o {path}: is {_describe(info.st_mode)}; -o writes regular files only",
            hint="leave out -o to print to stdout (and redirect it, e.g. > file)",
        )
    if not real.parent.is_dir():
        raise UsageError(
            f"-o {path}: the folder {real.parent} does not exist",
            hint=f"create it first: mkdir -p {real.parent}",
        )
    return real


_OUT_HINT = "choose a path you can write to"
_SPECIAL = ("/dev/", "/proc/")


def write_output_file(path: Path, text: str) -> None:
    """Write an ``-o`` file atomically, after :func:`output_target`'s checks."""
    real = output_target(path)
    try:
        atomic_write(real, text, make_parents=False)
    except OSError as e:
        raise UsageError(f"-o {path}: cannot write ({e.strerror or e})", hint=_OUT_HINT) from e


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


_WIDTH = 100


def _dump_generic(data: Any, width: int = _WIDTH) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=width)


def dump_yaml(data: Any) -> str:
    """Block-style YAML, keys in given order, 100 columns: the bytes of PyYAML's emitter with
    :class:`_Dumper`, written several times faster for the common shapes (a plan of 100,000
    workloads is millions of scalars)."""
    if isinstance(data, BaseModel):
        data = plain(data)
    if type(data) is not dict or not data:
        return _dump_generic(data)
    try:
        split = _halfway(data) if can_fork() else None
        if split is not None:
            return _in_two(data, *split)
        return _part(data, (0, 0), None)
    except _TooDeep:
        return _dump_generic(data)


Cut = tuple[int, int]
"""A place in a document: (top-level entry, item of its list); (k, 0) is entry k's start."""


SPLIT_ITEMS = 20_000
"""Top-level list items from which a document is written in two processes at once."""


def _halfway(data: dict[Any, Any]) -> Cut | None:
    """Where about half of the document's top-level list items are behind, each list's items
    weighed by the length of its first item's ``repr`` (a plan's actions write longer than
    its workloads): in a list under a plain key. None for a document with fewer than
    SPLIT_ITEMS such items."""
    lists = [v if type(v) is list else [] for v in data.values()]
    if sum(map(len, lists)) < SPLIT_ITEMS:
        return None
    weights = [len(repr(v[0])) if v else 0 for v in lists]
    half = sum(len(v) * w for v, w in zip(lists, weights, strict=True)) / 2
    behind = 0.0
    for i, (key, items, weight) in enumerate(zip(data, lists, weights, strict=True)):
        if behind + len(items) * weight > half:
            plain_key = type(key) is str and _BlockWriter([]).scalar(key) is not None
            return (i, int((half - behind) / weight)) if plain_key and len(key) < 128 else None
        behind += len(items) * weight
    return None


def _part(data: dict[Any, Any], start: Cut, stop: Cut | None) -> str:
    """The document's text from ``start`` to ``stop`` (None: its end), the same bytes as that
    stretch of the whole document (at the top level every entry starts at column 0)."""
    out: list[str] = []
    writer = _BlockWriter(out)
    entries = list(data.items())
    last, upto = stop if stop is not None else (len(entries), 0)
    for k in range(start[0], min(last + 1, len(entries))):
        key, value = entries[k]
        lo = start[1] if k == start[0] else 0
        hi = upto if k == last else None
        if hi == 0:
            break
        if lo == 0 and hi is None:
            writer.mapping({key: value}, 0, "")
            continue
        if lo == 0:  # a list cut in two (under a plain key: see _halfway)
            out.append(f"{key}:\n")
        writer.sequence(value[lo:hi], 0)
    return "".join(out)


def _in_two(data: dict[Any, Any], key: int, item: int) -> str:
    """The document written in two processes: a forked child writes up to (key, item) while
    this one writes the rest."""
    cut = (key, item)
    with Forked(lambda: _part(data, (0, 0), cut)) as first:
        rest = _part(data, cut, None)
        return first.result() + rest


class _TooDeep(Exception):
    """An entry so deeply indented that PyYAML would not narrow its width to match."""


_PRINTABLE = re.compile(r"[ -~]+")
"""Printable ASCII, no line breaks: text PyYAML writes plain or single-quoted, never escaped."""
_NOT_PLAIN = re.compile(r"^[-?:](?: |$)|^(?:---|\.\.\.)|^[ #,\[\]{}&*!|>'\"%@`]|: | #|[ :]$")
"""What stops such text from being written plain: a leading indicator or space, ``: `` or
`` #`` inside, a trailing space or colon."""
_TAGS = {str: "tag:yaml.org,2002:str", int: "tag:yaml.org,2002:int"}
_FLOAT = "tag:yaml.org,2002:float"


class _BlockWriter:
    """PyYAML's block layout (indentless sequences in mappings, ``- key: value`` items,
    ``{}`` / ``[]`` when empty) for dicts, lists and plain scalars. Anything else, a string
    that needs quotes or could wrap included, is one entry written by PyYAML itself at the
    entry's indent (its output is the same shifted, with the width narrowed by the indent)."""

    def __init__(self, out: list[str]) -> None:
        self.out = out
        self.resolver = yaml.resolver.Resolver()
        self.plain: dict[tuple[type, str], bool] = {}

    def scalar(self, value: Any) -> str | None:
        """``value``'s plain text when PyYAML writes it plain, else None."""
        kind = type(value)
        if kind is str:
            text = value
        elif kind is bool or value is None:
            return "true" if value is True else "false" if value is False else "null"
        elif kind is int:
            text = str(value)
        elif kind is float:
            if not math.isfinite(value):
                return None
            text = repr(value).lower()  # PyYAML's represent_float
            if "." not in text and "e" in text:
                text = text.replace("e", ".0e", 1)
        elif kind is Decimal:
            text = format(value, "f")
            kind = int if "." not in text else float
            text = str(int(value)) if kind is int else text
        elif isinstance(value, Enum):
            return self.scalar(value.value)
        else:
            return None
        if kind is str and " " in text:
            return None  # could fold at the width: see text()
        key = (kind, text)
        ok = self.plain.get(key)
        if ok is None:
            shape = kind is not str or (
                _PRINTABLE.fullmatch(text) is not None and _NOT_PLAIN.search(text) is None
            )
            ok = shape and self.resolves(text, _TAGS.get(kind, _FLOAT))
            self.plain[key] = ok
        return text if ok else None

    def text(self, value: str, column: int, indent: int) -> str | None:
        """``value`` as PyYAML writes it from ``column`` (after the ``: `` or ``- ``): plain
        or single-quoted, a single space past the width becoming a line break to ``indent``;
        None for anything else (line breaks, non-ASCII, empty)."""
        if _PRINTABLE.fullmatch(value) is None:
            return None
        if _NOT_PLAIN.search(value) is None and self.resolves(value, _TAGS[str]):
            return _folded(value, column, indent, quoted=False)
        return "'" + _folded(value.replace("'", "''"), column + 1, indent, quoted=True) + "'"

    def resolves(self, text: str, tag: str) -> bool:
        """Whether PyYAML reads ``text``, written plain, back as ``tag``."""
        found = self.resolver.resolve(yaml.ScalarNode, text, (True, False))  # type: ignore[no-untyped-call]
        return bool(found == tag)

    def fallback(self, data: Any, indent: int, first: str) -> None:
        if _WIDTH - indent <= 4:  # PyYAML takes a width under twice its indent as 80
            raise _TooDeep
        text = _dump_generic(data, _WIDTH - indent)
        pad = " " * indent
        lines = text.splitlines(keepends=True)
        self.out.append(first + lines[0])
        self.out += [line if line == "\n" else pad + line for line in lines[1:]]

    def mapping(self, data: dict[Any, Any], indent: int, first: str) -> None:
        """Each entry at ``indent``; the first line starts with ``first`` (a ``- `` item)."""
        lead = first
        pad = " " * indent
        for key, value in data.items():
            name = self.scalar(key) if type(key) is str else None
            if name is None or len(name) >= 128:
                self.fallback({key: value}, indent, lead)
            else:
                self.value(name, value, indent, lead)
            lead = pad

    def value(self, name: str, value: Any, indent: int, lead: str) -> None:
        kind = type(value)
        if kind is dict and value:
            self.out.append(f"{lead}{name}:\n")
            self.mapping(value, indent + 2, " " * (indent + 2))
        elif kind is list and value:
            self.out.append(f"{lead}{name}:\n")
            self.sequence(value, indent)
        elif kind is dict or kind is list:
            self.out.append(f"{lead}{name}: {'{}' if kind is dict else '[]'}\n")
        else:
            text = self.scalar(value)
            if text is None and kind is str:
                text = self.text(value, indent + len(name) + 2, indent + 2)
            if text is None:
                self.fallback({name: value}, indent, lead)
            else:
                self.out.append(f"{lead}{name}: {text}\n")

    def sequence(self, items: list[Any], indent: int) -> None:
        pad = " " * indent
        for item in items:
            if type(item) is dict and item:
                self.mapping(item, indent + 2, pad + "- ")
                continue
            text = self.scalar(item) if type(item) not in (dict, list) else None
            if text is None and type(item) is str:
                text = self.text(item, indent + 2, indent + 2)
            if text is None:
                self.fallback([item], indent, pad)
            else:
                self.out.append(f"{pad}- {text}\n")


_SPACES = re.compile("( +)")


def _folded(text: str, column: int, indent: int, *, quoted: bool) -> str:
    """``text`` written from ``column`` the way PyYAML's emitter folds a scalar: a lone space
    met past the width is a line break to ``indent`` (in quotes, never a leading or trailing
    one)."""
    if column + len(text) <= _WIDTH:
        return text
    parts = _SPACES.split(text)  # words at even positions, runs of spaces at odd ones
    out: list[str] = []
    for i, part in enumerate(parts):
        if i % 2 and part == " " and column > _WIDTH and not (quoted and _edge(parts, i)):
            out.append("\n" + " " * indent)
            column = indent
        else:
            out.append(part)
            column += len(part)
    return "".join(out)


def _edge(parts: list[str], i: int) -> bool:
    """Whether the run of spaces at ``parts[i]`` leads or ends the text."""
    return (i == 1 and not parts[0]) or (i == len(parts) - 2 and not parts[-1])


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


def _describe(mode: int) -> str:
    kinds = [
        (stat.S_ISFIFO, "a FIFO (named pipe)"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def check_readable_file(path: Path) -> None:
    """An InputError unless ``path`` is a regular file (following symlinks): a FIFO or a
    device such as /dev/zero would block or never end."""
    try:
        info = path.stat()
    except FileNotFoundError:
        what = "a symlink to nothing" if path.is_symlink() else "no such file"
        raise InputError(f"{path}: {what}", hint="check the path") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({e.strerror})", hint="check the path") from e
    if stat.S_ISDIR(info.st_mode):
        raise InputError(f"{path}: is a directory", hint="give a file, not a directory")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(
            f"{path}: {_describe(info.st_mode)}, not a regular file",
            hint="give a regular file (copy a stream to a file first)",
        )


def read_text(path: Path) -> str:
    check_readable_file(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason})", hint="save it as UTF-8") from e
    except OSError as e:
        raise InputError(
            f"{path}: cannot read ({e.strerror})", hint="check the file's permissions"
        ) from e


MAX_DEPTH = 64
"""Nesting deeper than this is no lepton document (an inventory is 4 levels deep)."""
MAX_ALIAS_EXPANSION = 1_000_000
"""Nodes that YAML aliases may add when expanded (a "billion laughs" adds 10^9)."""


class _Constructing:
    """The construction checks both loaders share: values Python cannot build (a 2026-13-45
    date, a 5000-digit integer) and duplicate keys (YAML keeps the last one silently)."""

    def construct_object(self, node: Any, deep: bool = False) -> Any:
        try:
            return super().construct_object(node, deep)  # type: ignore[misc]
        except (ValueError, OverflowError) as e:
            raise yaml.constructor.ConstructorError(
                None, None, f"invalid value {_short(node)}: {e}", node.start_mark
            ) from None

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key is not None and key != "<<" and key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep)  # type: ignore[misc]


_CBase: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PyParser(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser):
    """PyYAML's own event parser, where PyYAML was built without libyaml."""

    def __init__(self, stream: Any) -> None:
        yaml.reader.Reader.__init__(self, stream)
        yaml.scanner.Scanner.__init__(self)
        yaml.parser.Parser.__init__(self)


_CParser: Any = getattr(getattr(yaml, "cyaml", None), "CParser", _PyParser)
"""libyaml's event parser, else PyYAML's."""


class _CLoader(_Constructing, _CBase):  # type: ignore[valid-type,misc]
    """libyaml's C parser and composer (about 10x faster on a large inventory) with the same
    checks: construction as ``_Loader``; depth and alias expansion on the composed nodes."""


class _Loader(_Constructing, yaml.SafeLoader):
    """SafeLoader that refuses what would crash or exhaust lepton: nesting past MAX_DEPTH,
    aliases that expand past MAX_ALIAS_EXPANSION, duplicate keys (YAML keeps the last one
    silently), and values Python cannot build (a 2026-13-45 date, a 5000-digit integer)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._aliases = False

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            self._aliases = True
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", self._mark()
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _mark(self) -> Any:
        return self.peek_event().start_mark  # type: ignore[no-untyped-call]


def _short(node: Any) -> str:
    value = node.value if isinstance(node, yaml.ScalarNode) else node.tag
    text = str(value)
    return repr(text if len(text) <= 40 else text[:40] + "...")


_CYCLE = 10**30  # what a node that contains itself counts as


def _expansion(node: Any, sizes: dict[int, int], active: set[int] | None = None) -> int:
    """Nodes under ``node`` (itself included) with every alias expanded, shared nodes counted
    each time (exact, however large: Python integers do not overflow); ``sizes`` remembers
    each node's."""
    active = set() if active is None else active
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in active:
        return _CYCLE
    active.add(key)
    total = 1 + sum(_expansion(c, sizes, active) for c in _children(node))
    active.discard(key)
    sizes[key] = total
    return total


def _expanded_size(root: Any) -> int:
    """Nodes that aliases add to the document when expanded: the nodes with every alias
    expanded less the distinct ones; cycles (a mapping merging itself) count as too many."""
    sizes: dict[int, int] = {}
    return _expansion(root, sizes) - len(sizes)


def _parse(text: str) -> Any:
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if loader._aliases:
            _check_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _check_aliases(node: Any) -> None:
    """ComposerError when aliases make the document expand past MAX_ALIAS_EXPANSION values."""
    if _expanded_size(node) > MAX_ALIAS_EXPANSION:
        raise yaml.composer.ComposerError(
            None, None, f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values",
            node.start_mark,
        )  # fmt: skip


class _StreamLoader(
    _Constructing,
    yaml.composer.Composer,
    _CParser,  # type: ignore[misc]
    yaml.constructor.SafeConstructor,
    yaml.resolver.Resolver,
):
    """libyaml's parser (events, read from the file in chunks) under PyYAML's composer, so
    that a document is composed one top-level entry, or one item of a streamed list, at a
    time; each is checked (depth while composing, alias expansion) and constructed, then
    dropped. Anchors stay known across items, as YAML wants."""

    def __init__(self, stream: Any) -> None:
        _CParser.__init__(self, stream)
        yaml.composer.Composer.__init__(self)
        yaml.constructor.SafeConstructor.__init__(self)
        yaml.resolver.Resolver.__init__(self)
        self._depth = 0
        self._expanded = 0  # nodes aliases added so far, over the whole file
        self._targets: list[Any] = []  # the nodes the aliases of this value point at

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            self._targets.append(node)
            return node
        self._depth += 1
        if self._depth > MAX_DEPTH:
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def _value(self, depth: int) -> Any:
        """Compose, check and construct the node that starts here, at nesting ``depth``."""
        self._depth = depth - 1
        node = self.compose_node(None, None)
        if self._targets:  # what each alias repeats is added to the document
            sizes: dict[int, int] = {}
            self._expanded += sum(_expansion(t, sizes) for t in self._targets)
            self._targets.clear()
        if self._expanded > MAX_ALIAS_EXPANSION:
            raise yaml.composer.ComposerError(
                None, None, f"aliases expand to more than {MAX_ALIAS_EXPANSION:,} values",
                node.start_mark,
            )  # fmt: skip
        return self.construct_document(node)

    def document(self, streamed: frozenset[str], sink: ItemSink) -> Any:
        self.get_event()  # the stream's start
        if self.check_event(yaml.StreamEndEvent):
            return None
        self.get_event()  # the document's start
        if not self.check_event(yaml.MappingStartEvent) or self.peek_event().anchor:
            out = self._value(1)
        else:
            out = self._entries(streamed, sink)
        self.get_event()  # the document's end
        if not self.check_event(yaml.StreamEndEvent):
            event = self.get_event()
            raise yaml.composer.ComposerError(
                "expected a single document in the stream", None,
                "but found another document", event.start_mark,
            )  # fmt: skip
        return out

    def _entries(self, streamed: frozenset[str], sink: ItemSink) -> dict[Any, Any]:
        self.get_event()  # the mapping's start
        out: dict[Any, Any] = {}
        seen: set[Any] = set()
        while not self.check_event(yaml.MappingEndEvent):
            mark = self.peek_event().start_mark
            key = self._value(2)
            if key in seen:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", mark)
            seen.add(key)
            event = self.peek_event()
            if key in streamed and isinstance(event, yaml.SequenceStartEvent) and not event.anchor:
                self._items(str(key), sink)
            else:
                out[key] = self._value(2)
        self.get_event()
        return out

    def _items(self, key: str, sink: ItemSink) -> None:
        self.get_event()  # the sequence's start
        index = 0
        while not self.check_event(yaml.SequenceEndEvent):
            line = self.peek_event().start_mark.line + 1
            sink(key, index, line, self._value(3))
            index += 1
        self.get_event()


class _JsonStream:
    """A JSON object read from a file in chunks: top-level values decoded whole, the items of
    streamed lists one at a time (``raw_decode`` on a buffer that holds about one item), under
    the rules of :func:`_parse_json`; errors carry the file's line and column."""

    CHUNK = 1 << 20

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.buf = ""
        self.pos = 0
        self.line = 1  # the line of buf[0]
        self.column = 0  # and its column (from 0)
        self.counted = (0, 1)  # a position in buf and its line
        self.eof = False
        self.keys: set[str] = set()  # the top level's, streamed lists' included
        self.decoder = json.JSONDecoder(object_pairs_hook=self._pairs)

    def _pairs(self, items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise _JsonDuplicate(key)
            out[key] = value
        return out

    def _fill(self, size: int) -> bool:
        """Read ``size`` more characters (dropping what is consumed); False at the end."""
        if self.eof:
            return False
        if self.pos:
            self.line += self.buf.count("\n", 0, self.pos)
            last = self.buf.rfind("\n", 0, self.pos)
            self.column = self.pos - last - 1 if last >= 0 else self.column + self.pos
            self.buf, self.pos = self.buf[self.pos :], 0
            self.counted = (0, self.line)
        more = self.fh.read(size)
        self.eof = not more
        self.buf += more
        return bool(more)

    def _error(self, msg: str, pos: int) -> json.JSONDecodeError:
        """A JSONDecodeError whose line and column are the file's."""
        err = json.JSONDecodeError(msg, self.buf, pos)
        if err.lineno == 1:
            err.colno += self.column
        err.lineno += self.line - 1
        return err

    def _peek(self) -> str:
        """The next character that is not white space ("" at the end), not consumed."""
        while True:
            while self.pos < len(self.buf) and self.buf[self.pos] in " \t\r\n":
                self.pos += 1
            if self.pos < len(self.buf) or not self._fill(self.CHUNK):
                return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def _expect(self, chars: str, what: str) -> str:
        ch = self._peek()
        if not ch or ch not in chars:
            raise self._error(f"Expecting {what}", self.pos)
        self.pos += 1
        return ch

    def _decode(self) -> Any:
        """The JSON value that starts here; reads on while it runs past the buffer."""
        self._peek()
        size = self.CHUNK
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buf, self.pos)
            except _JsonDuplicate as e:
                msg = f"duplicate key {e.args[0]!r} in the value here"
                raise self._error(msg, self.pos) from None
            except json.JSONDecodeError as e:
                cut = e.pos >= len(self.buf) - 16 or e.msg.startswith("Unterminated string")
                offset = e.pos - self.pos  # _fill may move the value to the buffer's start
                if cut and self._fill(size):
                    size *= 2  # a value larger than the buffer: read on, in growing steps
                    continue
                raise self._error(e.msg, self.pos + offset) from None
            if end == len(self.buf) and self._fill(size):
                continue  # a number may go on in the next chunk
            self.pos = end
            _check_depth(value, 1)
            return value

    def line_here(self) -> int:
        """The file's line at the read position (counting on from the last call's)."""
        if self.counted[0] > self.pos:
            self.counted = (0, self.line)  # the buffer moved on since
        start, line = self.counted
        self.counted = (self.pos, line + self.buf.count("\n", start, self.pos))
        return self.counted[1]

    def document(self, streamed: frozenset[str], sink: ItemSink) -> Any:
        if self._peek() != "{":
            value = self._decode()  # not a mapping (the caller says so), or a syntax error
            self._end()
            return value
        self.pos += 1
        out: dict[str, Any] = {}
        if self._peek() == "}":
            self.pos += 1
        else:
            while True:
                self._entry(out, streamed, sink)
                if self._expect(",}", "',' delimiter") == "}":
                    break
        self._end()
        return out

    def _entry(self, out: dict[str, Any], streamed: frozenset[str], sink: ItemSink) -> None:
        if self._peek() != '"':
            raise self._error("Expecting property name enclosed in double quotes", self.pos)
        start = self.pos
        key = self._decode()
        if key in self.keys:
            raise self._error(f"duplicate key {key!r}", start)
        self.keys.add(key)
        self._expect(":", "':' delimiter")
        if key in streamed and self._peek() == "[":
            self.pos += 1
            self._items(key, sink)
        else:
            out[key] = self._decode()

    def _items(self, key: str, sink: ItemSink) -> None:
        index = 0
        if self._peek() == "]":
            self.pos += 1
            return
        while True:
            self._peek()
            sink(key, index, self.line_here(), self._decode())
            index += 1
            if self._expect(",]", "',' delimiter") == "]":
                return

    def _end(self) -> None:
        if self._peek():
            raise self._error("Extra data", self.pos)


class _JsonDuplicate(Exception):
    """A key twice in one JSON object (the JSON parser keeps the last one silently)."""


def _check_depth(data: Any, depth: int) -> None:
    """RecursionError when ``data`` nests past MAX_DEPTH (counting from ``depth``)."""
    stack = [(data, depth)]
    while stack:
        value, level = stack.pop()
        if level > MAX_DEPTH:
            raise RecursionError
        if isinstance(value, dict):
            stack += [(c, level + 1) for c in value.values()]
        elif isinstance(value, list):
            stack += [(c, level + 1) for c in value]


def _children(node: Any) -> list[Any]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _too_deep(root: Any) -> Any:
    """The first node nested past MAX_DEPTH (each shared node visited once), or None."""
    stack, seen = [(root, 1)], set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            return node
        if id(node) not in seen:
            seen.add(id(node))
            stack += [(c, depth + 1) for c in _children(node)]
    return None


def _parse_fast(text: str) -> Any:
    """``_parse`` with libyaml: the same checks on the composed nodes instead of while
    composing."""
    loader = _CLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        deep = _too_deep(node)
        if deep is not None:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", deep.start_mark
            )
        _check_aliases(node)
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _parse_json(text: str) -> Any:
    """JSON with the JSON parser (far faster than any YAML one), held to the YAML loader's
    rules: no duplicate keys, no nesting past MAX_DEPTH."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}")
            out[key] = value
        return out

    data = json.loads(text, object_pairs_hook=pairs)
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise RecursionError
        children = value.values() if isinstance(value, dict) else value
        if isinstance(value, (dict, list)):
            stack += [(c, depth + 1) for c in children]
    return data


def load_document(path: Path, fast: bool = False) -> Any:
    """Parse a YAML or JSON file (JSON is YAML) into plain data. ``fast``: JSON with the JSON
    parser and YAML with libyaml's, under the same rules (for large inventories)."""
    text = read_text(path)
    with _input_errors(path):
        if fast and path.suffix.lower() == ".json":
            return _parse_json(text)
        return _parse_fast(text) if fast else _parse(text)


@contextmanager
def _input_errors(path: Path) -> Iterator[None]:
    """Parser errors as InputErrors naming the file, the line and what to do."""
    try:
        yield
    except json.JSONDecodeError as e:
        raise InputError(
            f"{path}: invalid JSON at line {e.lineno}, column {e.colno}: {e.msg}",
            hint="fix the syntax there",
        ) from e
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not UTF-8 text ({e.reason})", hint="save it as UTF-8") from e
    except ValueError as e:  # a 5000-digit integer
        raise InputError(
            f"{path}: invalid value: {e}", hint="correct that value (or quote it as text)"
        ) from e
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        hint = "fix the syntax there"
        if isinstance(e, yaml.constructor.ConstructorError):
            hint = "correct that value (or quote it to keep it as text)"
        elif isinstance(e, yaml.composer.ComposerError) and "single document" not in problem:
            hint = "write the values out plainly, without deep nesting or alias chains"
        raise InputError(f"{path}: invalid YAML{where}: {problem}", hint=hint) from e
    except RecursionError:
        raise InputError(
            f"{path}: nested too deeply to read", hint=f"keep nesting under {MAX_DEPTH} levels"
        ) from None
    except OSError as e:
        raise InputError(
            f"{path}: cannot read ({e.strerror})", hint="check the file's permissions"
        ) from e


ItemSink = Callable[[str, int, int, Any], None]
"""Receives each item of a streamed list: the list's key, the item's index, its line, its
data (then dropped by the reader)."""


def stream_document(path: Path, streamed: Collection[str], sink: ItemSink) -> Any:
    """Read a YAML or JSON file whose top level is a mapping, handing each item of the lists
    under the keys ``streamed`` to ``sink`` as soon as it is read, so that memory holds one
    raw item at a time (a 200 MB inventory is mostly its ``resources:``). Returns the other
    entries as a dict (a streamed key whose value is no list stays in it), or the whole
    document when its top level is no mapping. The rules of :func:`load_document` hold:
    duplicate keys, depth, alias expansion (counted over the whole file), values Python cannot
    build; errors name the line."""
    check_readable_file(path)
    with _input_errors(path), path.open(encoding="utf-8-sig", newline="") as fh:
        if path.suffix.lower() == ".json":
            return _JsonStream(fh).document(frozenset(streamed), sink)
        loader = _StreamLoader(fh)
        try:
            return loader.document(frozenset(streamed), sink)
        finally:
            loader.dispose()


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


def validation_error(
    source: str, err: ValidationError, prefix: Sequence[int | str] = (), line: int | None = None
) -> InputError:
    """One InputError naming the file, each bad key's YAML path and what to do about it
    (``prefix``: where the validated value sits in the document, e.g. ``("resources", 7)``;
    ``line``: the line it starts on)."""
    lines = []
    at = f" (line {line})" if line is not None else ""
    for e in err.errors()[:10]:
        lines.append(f"{source}: {yaml_path((*prefix, *e['loc']))}{at}: {e['msg']}")
    first = err.errors()[0]
    more = len(err.errors()) - len(lines)
    if more > 0:
        lines.append(f"... and {more} more")
    return InputError("\n".join(lines), hint=_hint_for(first))


def validate(model: type[M], data: Any, source: str, secret: bool = False) -> M:
    """``data`` as ``model``, or an InputError naming ``source`` and each bad key. With
    ``secret`` (a config section holding keys or tokens) the pydantic error, which quotes the
    input values, is not chained, so not even --debug shows them."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        error = validation_error(source, e)
        if secret:
            raise error from None
        raise error from e
