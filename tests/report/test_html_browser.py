"""Each HTML page in headless Chromium: no error logged, every chart drawn with its data, the
waterfall summing to the plan's saving, and no request leaving the page."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from html_pages import make_pages, plan_json

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)"
)
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
CHARTS = """() => Array.from(document.querySelectorAll('figure')).map(f => ({
  kind: f.dataset.kind,
  drawn: f.querySelector('.chart').classList.contains('js-plotly-plot'),
  data: (f.querySelector('.chart').data || []).map(t => ({type: t.type, x: t.x, y: t.y,
    measure: t.measure, values: t.values, name: t.name, text: t.text}))
}))"""


@pytest.fixture(scope="module")
def shown(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, dict[str, Any]]]:
    from playwright.sync_api import sync_playwright

    folder = tmp_path_factory.mktemp("browser")
    pages = make_pages(folder)
    seen: dict[str, dict[str, Any]] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        for name, page_file in pages.items():
            seen[name] = _show(browser, page_file, folder / f"{name}.png")
        browser.close()
    return folder, seen


def _show(browser: Any, page_file: Path, shot: Path) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    outside: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route: Any) -> None:
        if route.request.url.startswith(("file:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(page_file.as_uri())
    page.wait_for_load_state("load")
    charts = page.evaluate(CHARTS)
    page.screenshot(path=str(shot), full_page=True)
    page.close()
    return {"errors": errors, "outside": outside, "charts": charts, "shot": shot}


def test_no_errors_and_no_requests(shown: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    for name, page in shown[1].items():
        assert page["errors"] == [], name
        assert page["outside"] == [], name
        assert page["shot"].stat().st_size > 10_000, name


def test_every_chart_is_drawn_with_data(shown: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    for name, page in shown[1].items():
        assert page["charts"], name
        for chart in page["charts"]:
            assert chart["drawn"], (name, chart["kind"])
            assert any(t["y"] or t["values"] for t in chart["data"]), (name, chart["kind"])


def test_the_waterfall_bars_sum_to_the_plans_saving(
    shown: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    folder, pages = shown
    saving = float(plan_json(folder)["summary"]["monthly_savings"])
    for name in ("optimize", "plan-show"):
        (waterfall,) = [c for c in pages[name]["charts"] if c["kind"] == "waterfall"]
        trace = waterfall["data"][0]
        steps = [y for y, m in zip(trace["y"], trace["measure"], strict=True) if m == "relative"]
        assert sum(steps) == pytest.approx(-saving, abs=0.005), name
        assert trace["y"][0] - trace["y"][-1] == pytest.approx(saving, abs=0.005), name


def test_the_daily_stack_sums_to_the_export(shown: tuple[Path, dict[str, dict[str, Any]]]) -> None:
    import csv
    from decimal import Decimal

    from html_pages import FOCUS

    with FOCUS.open(newline="", encoding="utf-8") as fh:
        billed = sum((Decimal(r["BilledCost"]) for r in csv.DictReader(fh)), Decimal(0))
    charts = shown[1]["report"]["charts"]
    (daily,) = [c for c in charts if c["kind"] == "stacked-daily"]
    assert len(daily["data"]) > 1  # one trace per service
    drawn = sum(sum(t["y"]) for t in daily["data"])
    assert drawn == pytest.approx(float(billed), rel=1e-9)


def test_the_burn_down_ends_its_actual_at_the_month_to_date_total(
    shown: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    import csv
    from decimal import Decimal

    from html_pages import partial_focus

    folder, pages = shown
    with partial_focus(folder).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    month_to_date = sum((Decimal(r["BilledCost"]) for r in rows), Decimal(0))
    payments = sum(
        (Decimal(r["BilledCost"]) for r in rows if '"team": "payments"' in r["Tags"]),
        Decimal(0),
    )
    charts = [c for c in pages["budget"]["charts"] if c["kind"] == "burn-down"]
    assert len(charts) == 2  # one per budget
    for chart, total, amount in ((charts[0], month_to_date, 9000), (charts[1], payments, 2500)):
        traces = {t["name"]: t for t in chart["data"]}
        actual, forecast = traces["actual"], traces["forecast"]
        assert actual["x"][-1] == "2026-10-20" and len(actual["y"]) == 20
        assert actual["y"][-1] == pytest.approx(float(total), abs=0.005)
        assert forecast["y"][0] == actual["y"][-1] and forecast["x"][-1] == "2026-10-31"
        assert forecast["y"][-1] > actual["y"][-1]
        low, high = (t["y"] for t in chart["data"] if t["name"] == "band (90%)")
        assert all(lo <= f <= hi for lo, f, hi in zip(low, forecast["y"], high, strict=True))
        width = 1.645 * _spread(rows if amount == 9000 else _team(rows)) * 11**0.5
        assert high[-1] - forecast["y"][-1] == pytest.approx(width, abs=0.011)
        (line,) = [t for n, t in traces.items() if n.startswith("budget")]
        assert line["y"] == [amount, amount]


def _team(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    return [r for r in rows if '"team": "payments"' in r["Tags"]]


def _spread(rows: list[dict[str, str]]) -> float:
    """The sample deviation of each day's cost from mean x weekday factor, by hand."""
    import datetime as dt
    import statistics
    from decimal import Decimal

    daily: dict[dt.date, Decimal] = {}
    for r in rows:
        day = dt.date.fromisoformat(r["ChargePeriodStart"][:10])
        daily[day] = daily.get(day, Decimal(0)) + Decimal(r["BilledCost"])
    days = [dt.date(2026, 10, d) for d in range(1, 21)]
    values = [daily.get(d, Decimal(0)) for d in days]
    mean = sum(values, Decimal(0)) / len(values)
    factor = {}
    for w in range(7):
        mine = [v for d, v in zip(days, values, strict=True) if d.weekday() == w]
        factor[w] = (sum(mine, Decimal(0)) / len(mine)) / mean if len(mine) >= 2 else Decimal(1)
    errors = [float(v - mean * factor[d.weekday()]) for d, v in zip(days, values, strict=True)]
    return statistics.stdev(errors)


def test_the_frontier_curve_has_every_solved_point_and_its_knee(
    shown: tuple[Path, dict[str, dict[str, Any]]],
) -> None:
    import json

    from html_pages import INVENTORY, SWEEP, lepton

    done = lepton("optimize", "--source", INVENTORY, "--sweep", SWEEP, "-f", "json")
    doc = json.loads(done.stdout)
    solved = [p for p in doc["points"] if p["status"] != "over-budget"]
    (chart,) = shown[1]["sweep"]["charts"]
    traces = {t["name"]: t for t in chart["data"]}
    assert traces["performance"]["y"] == pytest.approx([p["performance"] for p in solved])
    knee = [p for p in solved if p["knee"]]
    assert len(knee) == 1
    assert traces["knee"]["y"] == pytest.approx([knee[0]["performance"]])
