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


def test_nested_env_keys_refine_the_file_and_a_whole_json_value(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "lepton.yaml").write_text(
        "aws: {profile: file, regions: [us-east-1], role: {arn: a}}\nmigration: {per_instance: 5}\n"
    )
    monkeypatch.setenv("LEPTON_AWS__PROFILE", "prod")  # text stays text
    monkeypatch.setenv("LEPTON_AWS__ROLE__SESSION", "ci")  # deeper keys merge too
    monkeypatch.setenv("lepton_migration__horizon_months", "6")  # names are not case-sensitive
    monkeypatch.setenv("LEPTON_SPARK", '{"master": "local[1]"}')
    monkeypatch.setenv("LEPTON_SPARK__CONF__SPARK.SQL.SHUFFLE.PARTITIONS", "4")
    monkeypatch.setenv("LEPTON_GCP__PROJECTS", '["p1", "p2"]')  # a JSON list is a list
    s = load_settings()
    assert s.aws == {
        "profile": "prod",
        "regions": ["us-east-1"],
        "role": {"arn": "a", "session": "ci"},
    }
    assert (s.migration.per_instance, s.migration.horizon_months) == (5, 6)
    assert s.spark == {"master": "local[1]", "conf": {"spark.sql.shuffle.partitions": "4"}}
    assert s.gcp == {"projects": ["p1", "p2"]}


@pytest.mark.parametrize(
    ("name", "value", "words"),
    [
        ("LEPTON_AWS", "not json", ("LEPTON_AWS", "must be JSON", "LEPTON_AWS__KEY")),
        ("LEPTON_AWS__", "x", ("LEPTON_AWS__", "empty key")),
        ("LEPTON_MIGRATION__HORIZON", "6", ("LEPTON_MIGRATION__HORIZON", "Extra inputs")),
        ("LEPTON_MAX_CHANGES", "", ("LEPTON_MAX_CHANGES", "valid integer")),
    ],
)
def test_a_bad_env_value_names_its_variable(tmp_path, monkeypatch, name, value, words):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv(name, value)
    with pytest.raises(InputError) as e:
        load_settings()
    for word in words:
        assert word in f"{e.value.message} {e.value.hint}"


def test_variables_that_are_no_setting_are_not_read(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("LEPTON_BUDGET", "not json")  # a CI script's, beside the budgets setting
    monkeypatch.setenv("LEPTON_TYPO__X", "1")
    monkeypatch.setenv("OTHER_HEADROOM", "0.9")
    s = load_settings()
    assert (s.budgets, s.headroom) == ([], 0.2)
