"""`lepton commitments plan` end to end on an hourly FOCUS export written by the test; the
expected purchase and savings are worked out by hand from the profile."""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

from aws_commitments_fake import OfflineAws  # noqa: F401  (the offline_aws fixture)
from typer.testing import CliRunner

from lepton_cli.cli.app import app

PRICE = Decimal("0.096")  # m6i.large on demand in the bundled catalog, us-east-1
START = dt.datetime(2026, 10, 1)
HOURS = 7 * 24


def counts() -> list[int]:
    """Instances running each hour: 2 always, 3 more by day, 1 more on weekdays."""
    out = []
    for h in range(HOURS):
        at = START + dt.timedelta(hours=h)
        out.append(2 + (3 if 8 <= at.hour < 20 else 0) + (1 if at.weekday() < 5 else 0))
    return out


def write_focus(path: Path, n: list[int], covered_hours: int = 0) -> Path:
    cols = [
        "ProviderName",
        "RegionId",
        "ServiceCategory",
        "ChargeCategory",
        "PricingCategory",
        "ChargePeriodStart",
        "ChargePeriodEnd",
        "BilledCost",
        "EffectiveCost",
        "SkuPriceDetails",
        "ResourceId",
        "CommitmentDiscountId",
        "CommitmentDiscountStatus",
    ]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(cols)
        for h, k in enumerate(n):
            s = START + dt.timedelta(hours=h)
            e = s + dt.timedelta(hours=1)
            for i in range(k):
                w.writerow(
                    [
                        "AWS",
                        "us-east-1",
                        "Compute",
                        "Usage",
                        "Standard",
                        s.isoformat() + "Z",
                        e.isoformat() + "Z",
                        PRICE,
                        PRICE,
                        '{"InstanceType": "m6i.large"}',
                        f"i-{i}",
                        "",
                        "",
                    ]
                )
            if h < covered_hours:  # an owned RI covers one more instance: not eligible
                w.writerow(
                    [
                        "AWS",
                        "us-east-1",
                        "Compute",
                        "Usage",
                        "Committed",
                        s.isoformat() + "Z",
                        e.isoformat() + "Z",
                        "0",
                        "0.06",
                        '{"InstanceType": "m6i.large"}',
                        "i-ri",
                        "ri-1",
                        "Used",
                    ]
                )
    return path


def rates(path: Path, *lines: str) -> Path:
    path.write_text(
        "apiVersion: lepton/v1\nkind: CommitmentRates\nrates:\n" + "\n".join(lines) + "\n"
    )
    return path


def run(*args: str | Path) -> tuple[int, str, str]:
    r = CliRunner().invoke(app, [str(a) for a in args])
    return r.exit_code, r.stdout, r.stderr


def test_one_reserved_instance_product_is_the_quantile(tmp_path: Path) -> None:
    n = counts()
    focus = write_focus(tmp_path / "hourly.csv", n, covered_hours=HOURS)
    d = Decimal("0.4")
    r = rates(
        tmp_path / "rates.yaml",
        "  - {product: aws.reserved-instance, term_months: 12, payment: no-upfront, discount: 0.4}",
    )
    code, out, err = run(
        "commitments", "plan", "--source", focus, "--lookback", "7", "--rates", r, "-f", "json"
    )
    assert code == 0, err
    doc = json.loads(out)
    assert doc["kind"] == "CommitmentPlan" and doc["hours"] == HOURS
    [rec] = doc["recommendations"]  # only the product the rates file lists
    # the 0.4-quantile of the hourly counts (nearest rank): the ceil(0.4 x 168) = 68th smallest
    k = sorted(n)[math.ceil(0.4 * HOURS) - 1]
    assert (rec["product"], rec["count"], rec["unit_type"]) == (
        "aws.reserved-instance",
        k,
        "m6i.large",
    )
    assert rec["normalized_units"] == 4 * k  # large = 4 units
    # cost over the week, by hand: the RI fee every hour plus on-demand above k
    baseline = sum(PRICE * x for x in n)
    cost = sum((1 - d) * PRICE * k + PRICE * max(0, x - k) for x in n)
    monthly = (baseline - cost) / HOURS * 730
    assert abs(Decimal(str(doc["monthly_savings"])) - monthly) < Decimal("0.0001")
    assert abs(Decimal(str(rec["monthly_savings"])) - monthly) < Decimal("0.0001")
    assert rec["break_even_utilization"] == 0.6
    used = sum(min(x, k) for x in n) / (k * HOURS)
    assert abs(rec["expected_utilization"] - used) < 1e-6
    # if demand falls 20%: fee unchanged, covered value = Σ min(0.8 n_h, k) x price
    fallen = (
        sum(min(Decimal("0.8") * x, Decimal(k)) * PRICE for x in n) - (1 - d) * PRICE * k * HOURS
    )
    assert abs(
        Decimal(str(rec["monthly_savings_if_demand_falls_20pct"])) - fallen / HOURS * 730
    ) < Decimal("0.0001")
    # the curve: 21 points, the chosen one at scale 1 with the plan's savings
    series = doc["savings_curve_series"]
    assert len(series["x"]) == 21 and doc["savings_curve"][series["chosen_index"]]["scale"] == 1.0
    assert max(series["y"]) == series["y"][series["chosen_index"]]


def test_default_rates_consider_every_aws_product(tmp_path: Path) -> None:
    focus = write_focus(tmp_path / "hourly.csv", counts())
    code, out, err = run(
        "commitments",
        "plan",
        "-s",
        focus,
        "--lookback",
        "7",
        "--term",
        "12",
        "--term",
        "36",
        "-f",
        "json",
    )
    assert code == 0, err
    doc = json.loads(out)
    products = {r["product"] for r in doc["recommendations"]}
    assert products and products <= {
        "aws.reserved-instance",
        "aws.compute-savings-plan",
        "aws.ec2-instance-savings-plan",
    }
    assert {r["term_months"] for r in doc["recommendations"]} == {36}  # the deeper discount wins
    assert Decimal(str(doc["monthly_savings"])) > 0


def test_markdown_and_bad_flags(tmp_path: Path) -> None:
    focus = write_focus(tmp_path / "hourly.csv", counts())
    code, out, _ = run("commitments", "plan", "-s", focus, "--lookback", "7", "-f", "markdown")
    assert code == 0 and out.startswith("<!-- lepton:commitments-plan -->")
    assert "**Recommended purchases**" in out and "**Savings curve" in out
    code, _, err = run("commitments", "plan", "-s", focus, "--lookback", "14")
    assert code == 2 and "7, 30 or 60" in err
    code, _, err = run("commitments", "plan", "-s", focus, "--payment", "monthly")
    assert code == 2
    bad = rates(
        tmp_path / "bad.yaml",
        "  - {product: aws.reserved-instance, term_months: 24, discount: 0.4}",
    )
    code, _, err = run("commitments", "plan", "-s", focus, "--rates", bad)
    assert code == 3 and "bad.yaml" in err and "term_months" in err


def test_json_stdout_is_clean_in_a_real_process(tmp_path: Path) -> None:
    """HiGHS prints its banner on file descriptor 1: it must not reach stdout."""
    import subprocess
    import sys

    focus = write_focus(tmp_path / "hourly.csv", counts())
    out = subprocess.run(
        [
            str(Path(sys.executable).parent / "lepton"),
            "commitments",
            "plan",
            "-s",
            str(focus),
            "--lookback",
            "7",
            "-f",
            "json",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["kind"] == "CommitmentPlan"
    assert "HiGHS" not in out.stdout


def test_plan_on_live_aws_hourly_usage(offline_aws, tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Cost Explorer's hourly on-demand EC2 usage, read over HTTP in two pages."""
    n = counts()  # one week, repeated: any 168-hour window holds the same hours
    end = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    slots = []
    for h in range(-172, 4):
        at = end + dt.timedelta(hours=h)
        cost = PRICE * n[h % HOURS]
        slots.append(
            {
                "TimePeriod": {
                    "Start": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "End": (at + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
                "Groups": [
                    {
                        "Keys": ["us-east-1", "m6i.large"],
                        "Metrics": {"UnblendedCost": {"Amount": str(cost), "Unit": "USD"}},
                    }
                ],
                "Estimated": False,
            }
        )
    offline_aws.state.hourly_pages = [{"ResultsByTime": slots[:90]}, {"ResultsByTime": slots[90:]}]
    monkeypatch.chdir(tmp_path)
    Path("lepton.yaml").write_text("aws:\n  regions: [us-east-1]\n")
    r = rates(
        tmp_path / "rates.yaml",
        "  - {product: aws.reserved-instance, term_months: 12, payment: no-upfront, discount: 0.4}",
    )
    code, out, err = run(
        "commitments", "plan", "-p", "aws", "--lookback", "7", "--rates", r, "-f", "json"
    )
    assert code == 0, err
    [rec] = json.loads(out)["recommendations"]
    assert rec["count"] == sorted(n)[math.ceil(0.4 * HOURS) - 1]
    assert len(offline_aws.state.hourly_requests) == 2  # both pages
    assert offline_aws.state.hourly_requests[0]["Granularity"] == "HOURLY"
    code, _, err = run("commitments", "plan", "-p", "aws", "--lookback", "30")
    assert code == 2 and "14 days" in err
