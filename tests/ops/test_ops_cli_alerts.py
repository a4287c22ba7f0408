"""`lepton budget status`, `lepton anomalies` and `lepton history` from the command line."""

from __future__ import annotations

import datetime as dt
import json

from ops_builders import days, focus_row, webhook, write_focus

from helpers import run

BUDGETS = """budgets:
  - {name: total, amount: 6000, scope: total}
  - {name: payments, amount: 1200, scope: tag:team=payments}
  - {name: nothing, amount: 10, scope: "provider:Google Cloud"}
"""


def _export(path):
    rows = []
    for d in days(dt.date(2026, 10, 1), 20):
        rows.append(focus_row(d, "100", tags={"team": "payments"}, resource="i-pay"))
        rows.append(focus_row(d, "5", service="Amazon S3", resource="bucket"))
    rows.append(focus_row(dt.date(2026, 10, 20), "400", resource="i-burst"))
    return write_focus(path, rows)


def _setup(tmp_path, extra: str = ""):
    (tmp_path / "lepton.yaml").write_text(BUDGETS + extra)
    return _export(tmp_path / "focus.csv")


def test_budget_status_table_json_and_gate(cli, tmp_path):
    src = _setup(tmp_path)
    r = run("budget", "status", "--source", src)
    assert r.exit_code == 0, r.stderr
    assert "payments" in r.stdout and "actual ≥ 100%, forecast ≥ 100%" in r.stdout
    assert "day-of-week seasonality" in r.stdout
    assert "budget 'nothing': scope provider:Google Cloud matches no cost" in r.stderr
    doc = json.loads(run("budget", "status", "--source", src, "-f", "json").stdout)
    assert doc["kind"] == "BudgetStatus" and doc["as_of"] == "2026-10-20"
    pay = next(b for b in doc["budgets"] if b["name"] == "payments")
    assert (pay["actual"], pay["forecast"], pay["share_actual"]) == ("2000.00", "3100.00", 1.6667)
    gate = run("budget", "status", "--source", src, "--fail-on", "forecast")
    assert gate.exit_code == 8 and "crossed a forecast threshold: payments" in gate.stderr


def test_budget_status_needs_budgets(cli, tmp_path):
    r = run("budget", "status", "--source", _export(tmp_path / "f.csv"))
    assert r.exit_code == 2 and "no budgets in lepton.yaml" in r.stderr and "budgets:" in r.stderr


def test_budget_alert_reaches_the_webhook(cli, tmp_path):
    src = _setup(tmp_path)
    with webhook() as hook:
        r = run("budget", "status", "--source", src, "--notify", hook.url)
    assert r.exit_code == 0 and "alert sent to the webhook" in r.stderr
    assert hook.url not in r.stdout + r.stderr
    text = hook.bodies[0]["text"]
    assert text.startswith("lepton: budget alerts for 2026-10") and "*payments*" in text


def test_a_webhook_that_times_out_does_not_stop_the_command(cli, tmp_path):
    src = _setup(tmp_path)
    with webhook(delay=1.5) as hook:
        (tmp_path / "lepton.yaml").write_text(BUDGETS + f"notify: {hook.url}\n")
        r = run("budget", "status", "--source", src, "--notify-timeout", "0.2",
                "--fail-on", "actual")  # fmt: skip
    assert r.exit_code == 8  # the gate still decides the exit code
    assert "payments" in r.stdout
    assert "could not deliver the alert to the webhook after 3 attempt(s): timed out" in r.stderr
    assert "secret-token" not in r.stdout + r.stderr


def test_anomalies_cli(cli, tmp_path):
    src = _export(tmp_path / "focus.csv")
    r = run("anomalies", "--source", src, "--by", "service")
    assert r.exit_code == 0, r.stderr
    assert "2026-10-20" in r.stdout and "i-burst" in r.stdout
    doc = json.loads(run("anomalies", "--source", src, "-f", "json").stdout)
    (a,) = doc["anomalies"]
    assert a["drivers"][0]["resource_id"] == "i-burst" and a["delta"] == "400.00"
    with webhook() as hook:
        gate = run("anomalies", "--source", src, "--fail-on-anomaly", "--notify", hook.url)
    assert gate.exit_code == 8 and "1 cost anomalies found" in gate.stderr
    assert "i-burst" in hook.bodies[0]["text"]
    bad = run("anomalies", "--source", src, "--by", "colour")
    assert bad.exit_code == 2 and "unknown dimension colour" in bad.stderr


def test_history_cli(cli, tmp_path):
    from decimal import Decimal

    from lepton_cli.config import Settings
    from lepton_cli.history import record

    empty = run("history")
    assert empty.exit_code == 0 and "no runs recorded yet" in empty.stderr
    (tmp_path / "lepton.yaml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    s = Settings(data_dir=tmp_path / "data")
    for day, cost in [(1, "1000"), (2, "900"), (3, "800")]:
        when = dt.datetime(2026, 10, day, tzinfo=dt.UTC)
        record("scan", {"monthly_cost": Decimal(cost), "monthly_waste": 50}, s, at=when)
    r = run("history")
    assert r.exit_code == 0, r.stderr
    assert "cost      █▄▁  $1,000.00 → $800.00" in r.stdout
    assert "2026-10-03 00:00" in r.stdout
    doc = json.loads(run("history", "-f", "json", "--last", "2").stdout)
    assert [x["cost"] for x in doc["runs"]] == ["900.00", "800.00"]


def test_scan_records_history_unless_told_not_to(cli, tmp_path):
    from helpers import vm, write_inventory

    (tmp_path / "lepton.yaml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    inv = write_inventory(tmp_path / "inv.yaml", [vm("i-1"), vm("i-idle", utilization={
        "cpu_p95": 0.01, "days": 14})])  # fmt: skip
    assert run("scan", "--source", inv, "--no-history").exit_code == 0
    assert not (tmp_path / "data" / "history.duckdb").exists()
    assert run("scan", "--source", inv).exit_code == 0
    doc = json.loads(run("history", "-f", "json").stdout)
    (entry,) = doc["runs"]
    assert (entry["kind"], entry["cost"], entry["waste"]) == ("scan", "140.16", "70.08")


SECRET_URL = "https://hooks.example/services/T0/B0/SECRET token"


def test_a_malformed_webhook_url_is_refused_and_never_shown(cli, tmp_path):
    src = _export(tmp_path / "focus.csv")
    r = run("anomalies", "--source", src, "--notify", SECRET_URL)
    assert r.exit_code == 2, r.stdout + r.stderr
    assert "the webhook URL is malformed" in r.stderr
    assert "SECRET" not in r.stdout + r.stderr and "Traceback" not in r.stderr
    (tmp_path / "lepton.yaml").write_text(BUDGETS + f"notify: {SECRET_URL}\n")
    r = run("budget", "status", "--source", src)
    assert r.exit_code == 2 and "the webhook URL is malformed" in r.stderr
    assert "SECRET" not in r.stdout + r.stderr


def test_anomalies_cli_keeps_currencies_apart(cli, tmp_path):
    rows = []
    for d in days(dt.date(2026, 10, 1), 20):
        rows.append(focus_row(d, "100", resource="i-us"))
        rows.append(focus_row(d, "90", resource="vm-eu", currency="EUR"))
    rows.append(focus_row(dt.date(2026, 10, 21), "300", resource="vm-eu", currency="EUR"))
    src = write_focus(tmp_path / "focus.csv", rows)
    doc = json.loads(run("anomalies", "--source", src, "--by", "service", "-f", "json").stdout)
    (a,) = doc["anomalies"]
    assert (a["currency"], a["expected"], a["actual"]) == ("EUR", "90.00", "300.00")
    assert doc["currencies"] == ["EUR", "USD"]
    with webhook() as hook:
        r = run("anomalies", "--source", src, "--by", "service", "--notify", hook.url)
    assert r.exit_code == 0 and "EUR" in r.stdout
    text = hook.bodies[0]["text"]
    assert "300.00 EUR vs expected 90.00 EUR" in text and "vm-eu +210.00 EUR" in text


def test_a_short_window_can_flag(cli, tmp_path):
    rows = [focus_row(d, "100") for d in days(dt.date(2026, 10, 1), 10)]
    rows.append(focus_row(dt.date(2026, 10, 11), "900", resource="i-burst"))
    src = write_focus(tmp_path / "focus.csv", rows)
    r = run("anomalies", "--source", src, "--window", "4", "--days", "1", "-f", "json")
    assert r.exit_code == 0, r.stderr
    (a,) = json.loads(r.stdout)["anomalies"]
    assert (a["day"], a["actual"]) == ("2026-10-11", "900.00")


def test_history_charts_each_kind_and_currency_apart(cli, tmp_path):
    from lepton_cli.config import Settings
    from lepton_cli.history import record

    (tmp_path / "lepton.yaml").write_text(f"data_dir: {tmp_path / 'data'}\n")
    s = Settings(data_dir=tmp_path / "data")
    runs = [
        ("scan", {"monthly_cost": 1000, "monthly_waste": 50, "currency": "USD"}),
        ("optimize", {"current_monthly_cost": 1000, "current_idle_cost": 400, "currency": "USD"}),
        ("scan", {"monthly_cost": 900, "monthly_waste": 40, "currency": "USD"}),
        ("scan", {"monthly_cost": 7000, "monthly_waste": 700, "currency": "EUR"}),
    ]
    for day, (kind, summary) in enumerate(runs, start=1):
        record(kind, summary, s, at=dt.datetime(2026, 10, day, tzinfo=dt.UTC))
    out = run("history").stdout
    charts = [line.strip() for line in out.splitlines()[1:10]]
    assert charts == [
        "optimize runs in USD:",
        "cost      ▁  $1,000.00 → $1,000.00",
        "idle cost ▁  $400.00 → $400.00",  # an optimize run's idle cost is not a scan's waste
        "scan runs in EUR:",
        "cost      ▁  7,000.00 EUR → 7,000.00 EUR",
        "waste     ▁  700.00 EUR → 700.00 EUR",
        "scan runs in USD:",
        "cost      █▁  $1,000.00 → $900.00",
        "waste     █▁  $50.00 → $40.00",
    ]
