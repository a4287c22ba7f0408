"""Anomalies: median/MAD over a trailing window, expected vs actual, the resources behind it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from ops_builders import days, focus_row, write_focus

from lepton_cli.analysis.anomalies import AnomalySettings, baseline, check_day, find_anomalies
from lepton_cli.errors import InputError

START = dt.date(2026, 10, 1)


def test_baseline_is_robust_to_a_past_spike():
    median, scale = baseline([Decimal(v) for v in (10, 11, 9, 10, 500, 10, 11)])
    assert median == 10 and scale == Decimal("1.4826")


def test_flat_history_needs_a_real_jump():
    s = {d: Decimal(100) for d in days(START, 14)}
    cfg = AnomalySettings()
    s[dt.date(2026, 10, 15)] = Decimal(110)  # +10% of a flat line: scale floored at 5 -> z = 2
    assert check_day(s, dt.date(2026, 10, 15), START, cfg) is None
    s[dt.date(2026, 10, 15)] = Decimal(130)
    expected, actual, score = check_day(s, dt.date(2026, 10, 15), START, cfg)
    assert (expected, actual, score) == (Decimal(100), Decimal(130), 6.0)


def test_too_little_history_is_not_judged():
    s = {d: Decimal(1) for d in days(START, 3)}
    s[dt.date(2026, 10, 4)] = Decimal(1000)
    assert check_day(s, dt.date(2026, 10, 4), START, AnomalySettings()) is None


def test_drops_only_on_request():
    s = {d: Decimal(100) for d in days(START, 14)}
    s[dt.date(2026, 10, 15)] = Decimal(0)
    assert check_day(s, dt.date(2026, 10, 15), START, AnomalySettings()) is None
    assert (
        check_day(s, dt.date(2026, 10, 15), START, AnomalySettings(include_drops=True)) is not None
    )


def _export(tmp_path):
    rows = []
    for d in days(START, 21):
        rows.append(focus_row(d, "10", resource="i-a"))
        rows.append(focus_row(d, "10", resource="i-b"))
        rows.append(focus_row(d, "5", service="Amazon S3", resource="bucket"))
    spike = dt.date(2026, 10, 18)
    rows.append(focus_row(spike, "60", resource="i-new"))
    rows.append(focus_row(spike, "15", resource="i-b"))
    return write_focus(tmp_path / "focus.csv", rows)


def test_finds_the_spike_and_its_drivers(tmp_path):
    report = find_anomalies([_export(tmp_path)], ["service", "account"], last_days=14)
    assert len(report.anomalies) == 1
    a = report.anomalies[0]
    assert a.day == dt.date(2026, 10, 18)
    assert a.group == {"service": "Amazon Elastic Compute Cloud", "account": "111122223333"}
    assert (a.expected, a.actual) == (Decimal(20), Decimal(95))
    assert [(d.resource_id, d.delta) for d in a.drivers] == [("i-new", 60), ("i-b", 15)]
    assert (
        report.currencies == ["USD"] and a.currency == "USD" and "median and MAD" in report.method
    )


def test_min_delta_silences_small_groups(tmp_path):
    cfg = AnomalySettings(min_delta=Decimal(100))
    assert find_anomalies([_export(tmp_path)], ["service"], 14, cfg).anomalies == []


def test_a_window_shorter_than_min_history_still_judges():
    s = {d: Decimal(100) for d in days(START, 5)}
    s[dt.date(2026, 10, 6)] = Decimal(500)
    hit = check_day(s, dt.date(2026, 10, 6), START, AnomalySettings(window=5))
    assert hit is not None and hit[:2] == (Decimal(100), Decimal(500))
    # two days of history are still too few for a five-day window
    assert check_day(s, dt.date(2026, 10, 3), START, AnomalySettings(window=5)) is None


def test_currencies_are_never_added_up(tmp_path):
    rows = []
    for d in days(START, 20):
        rows.append(focus_row(d, "100", resource="i-us"))
        rows.append(focus_row(d, "90", resource="vm-eu", currency="EUR"))
    rows.append(focus_row(dt.date(2026, 10, 21), "100", resource="i-us"))
    rows.append(focus_row(dt.date(2026, 10, 21), "300", resource="vm-eu", currency="EUR"))
    report = find_anomalies([write_focus(tmp_path / "f.csv", rows)], ["service"], 7)
    (a,) = report.anomalies
    assert (a.currency, a.expected, a.actual) == ("EUR", Decimal(90), Decimal(300))
    assert [(d.resource_id, d.delta) for d in a.drivers] == [("vm-eu", 210)]
    assert report.currencies == ["EUR", "USD"]


def test_sources_without_cost_rows_are_an_input_error(tmp_path):
    empty = write_focus(tmp_path / "empty.csv", [])
    with pytest.raises(InputError, match="no cost rows"):
        find_anomalies([empty], ["service"])
