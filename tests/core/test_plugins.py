"""A third-party provider package, installed from a temporary directory with pip, configured in
lepton.yaml like a built-in, listed by `lepton providers`; broken ones are warnings."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
import yaml

PLUGIN = """
from typing import ClassVar
from pydantic import BaseModel, ConfigDict
from lepton_cli.models import Resource
from lepton_cli.providers.base import Capability


class AcmeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    region: str
    machines: int = 1


class AcmeCloud:
    name: ClassVar[str] = "acmecloud"
    config_model: ClassVar[type[BaseModel]] = AcmeConfig
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.INVENTORY})
    sdk_modules: ClassVar[tuple[str, ...]] = ("json",)
    install_extra: ClassVar[str | None] = None

    def __init__(self, config, context):
        self.config, self.failures = config, []

    def inventory(self, scope):
        for n in range(self.config.machines):
            yield Resource(id=f"acme-{n}", provider="acmecloud", region=self.config.region,
                           type="a1", hourly_cost="0.5", vcpus=2, memory_gib=4)


class NoSdkList:  # lacks sdk_modules and install_extra
    name = "halfdone"
    config_model = AcmeConfig
    capabilities = frozenset({Capability.INVENTORY})

    def inventory(self, scope):
        return iter(())


class Boom(AcmeCloud):  # a plugin with a bug
    name = "boom"

    def inventory(self, scope):
        raise RuntimeError("the plugin's own bug")


class NeedsSubmodule(AcmeCloud):
    name = "needsmgmt"
    sdk_modules = ("json", "json.nothing_here")
    install_extra = "needsmgmt"
"""

ENTRY_POINTS = """[lepton.providers.v1]
acmecloud = lepton_acmecloud:AcmeCloud
halfdone = lepton_acmecloud:NoSdkList
needsmgmt = lepton_acmecloud:NeedsSubmodule
boom = lepton_acmecloud:Boom
"""
WHEEL = "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"


def build_wheel(folder: Path) -> Path:
    """A pure-Python wheel of the plugin (a wheel is a zip with its metadata)."""
    info = "lepton_acmecloud-0.1.dist-info"
    files = {
        "lepton_acmecloud.py": textwrap.dedent(PLUGIN),
        f"{info}/METADATA": "Metadata-Version: 2.1\nName: lepton-acmecloud\nVersion: 0.1\n",
        f"{info}/WHEEL": WHEEL,
        f"{info}/entry_points.txt": ENTRY_POINTS,
    }
    record = [f"{name},sha256={_digest(text)},{len(text.encode())}" for name, text in files.items()]
    files[f"{info}/RECORD"] = "\n".join([*record, f"{info}/RECORD,,"]) + "\n"
    wheel = folder / "lepton_acmecloud-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return wheel


def _digest(text: str) -> str:
    raw = hashlib.sha256(text.encode()).digest()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin built and installed with pip into a folder of its own."""
    root = tmp_path_factory.mktemp("plugin")
    wheel, target = build_wheel(root), root / "site"
    pip = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index"]
    done = subprocess.run(
        [*pip, "--target", str(target), str(wheel)], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return target


def lepton(site: Path, cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    path = os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])
    env = {**os.environ, "PYTHONPATH": path, "NO_COLOR": "1", "LEPTON_HISTORY": "false"}
    code = "from lepton_cli.cli.app import main; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=120)  # fmt: skip


def test_providers_lists_the_plugin_and_warns_about_broken_ones(site: Path, tmp_path: Path) -> None:
    done = lepton(site, tmp_path, "providers", "-f", "json")
    assert done.returncode == 0, done.stderr
    rows = {r["name"]: r for r in json.loads(done.stdout)["providers"]}
    assert rows["acmecloud"]["sdk_installed"] is True and {"aws", "file"} <= set(rows)
    assert "halfdone" not in rows
    assert "halfdone" in done.stderr and "sdk_modules" in done.stderr
    needs = rows["needsmgmt"]
    assert needs["sdk_installed"] is False and needs["missing_modules"] == ["json.nothing_here"]
    assert needs["install"] == "pip install 'lepton-cli[needsmgmt]'"


def test_the_plugin_is_configured_in_lepton_yaml(site: Path, tmp_path: Path) -> None:
    config = {"acmecloud": {"region": "moon-1", "machines": 3}, "idle_threshold": 0.05}
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump(config))
    done = lepton(site, tmp_path, "scan", "--provider", "acmecloud", "-f", "json")
    assert done.returncode == 0, done.stderr
    scan = json.loads(done.stdout)
    assert scan["totals"]["resources"] == 3
    assert {row["region"] for row in scan["summary"]} == {"moon-1"}


def test_a_bad_plugin_section_names_its_key(site: Path, tmp_path: Path) -> None:
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"acmecloud": {"machines": 2}}))
    done = lepton(site, tmp_path, "scan", "--provider", "acmecloud")
    assert done.returncode == 3
    assert "acmecloud" in done.stderr and "region" in done.stderr


def test_an_unknown_top_level_key_is_still_a_typo(site: Path, tmp_path: Path) -> None:
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"acmecluod": {"region": "x"}}))
    done = lepton(site, tmp_path, "scan", "--provider", "acmecloud")
    assert done.returncode == 3 and "acmecluod" in done.stderr


def test_a_provider_missing_a_submodule_is_a_provider_error(site: Path, tmp_path: Path) -> None:
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"needsmgmt": {"region": "x"}}))
    done = lepton(site, tmp_path, "scan", "--provider", "needsmgmt")
    assert done.returncode == 4
    assert "json.nothing_here" in done.stderr and "lepton-cli[needsmgmt]" in done.stderr


def test_an_unexpected_exception_is_an_internal_error_with_no_traceback(
    site: Path, tmp_path: Path
) -> None:
    (tmp_path / "lepton.yaml").write_text(yaml.safe_dump({"boom": {"region": "x"}}))
    done = lepton(site, tmp_path, "scan", "--provider", "boom")
    assert done.returncode == 1
    assert "internal error: RuntimeError: the plugin's own bug" in done.stderr
    assert "--debug" in done.stderr and "Traceback" not in done.stderr
    debug = lepton(site, tmp_path, "--debug", "scan", "--provider", "boom")
    assert debug.returncode == 1 and "Traceback (most recent call last)" in debug.stderr
