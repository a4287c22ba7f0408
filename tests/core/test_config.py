from __future__ import annotations

import pytest

from lepton_cli.config import load_settings
from lepton_cli.errors import InputError


def test_flags_over_env_over_file_over_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text("idle_threshold: 0.1\nheadroom: 0.3\ngap: 0.01\n")
    monkeypatch.setenv("LEPTON_HEADROOM", "0.4")
    monkeypatch.setenv("LEPTON_GAP", "0.02")
    s = load_settings(gap=0.03)
    assert (s.idle_threshold, s.headroom, s.gap, s.time_limit) == (0.1, 0.4, 0.03, 60)


def test_user_config_dir_is_used_when_cwd_has_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    user = tmp_path / "cfg"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(user))
    (user / "lepton").mkdir(parents=True)
    (user / "lepton" / "lepton.yaml").write_text("idle_min_days: 3\n")
    assert load_settings().idle_min_days == 3


def test_explicit_config_overrides_discovery(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text("idle_min_days: 3\n")
    other = tmp_path / "other.yaml"
    other.write_text("idle_min_days: 9\n")
    assert load_settings(other).idle_min_days == 9


def test_typo_in_config_names_file_and_key(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text("idle_treshold: 0.1\n")
    with pytest.raises(InputError) as e:
        load_settings()
    assert "lepton.yaml: idle_treshold" in e.value.message
    assert e.value.hint == "remove the key or fix its spelling"


def test_unknown_solver_in_config_is_invalid_input(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text("solver: gurobi\n")
    with pytest.raises(InputError, match=r"lepton\.yaml: solver"):
        load_settings()
