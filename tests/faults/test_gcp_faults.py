"""`lepton scan --provider gcp` with faults on the wire between the Google clients and the fake.

The OAuth token endpoint is reached through the proxy too, so the credential can be failed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gcp_fixtures as fx
import pytest
import yaml
from fault_proxy import Answer, FaultProxy, Rule, closed_port, fault_proxy, json_error, path_matches
from gcp_fake import FakeGoogle, no_credentials
from test_gcp_costs import export
from test_gcp_inventory import shop
from typer.testing import CliRunner

from lepton_cli.cli.app import app

TIMEOUT = 10  # seconds per project: read timeout 2.5 s, Retry-After cap 2.5 s
TABLE = "billing-admin.billing.gcp_billing_export_v1_01A2B3_C4D5E6_F7A8B9"
PROJECTS = ["shop-prod", "shop-lab"]
Gcp = tuple[FakeGoogle, FaultProxy]


@pytest.fixture
def gcp(
    google: FakeGoogle, private_key_pem: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    """Two projects with instances, disks and addresses, an export, and a service-account key
    whose token endpoint is behind the proxy."""
    for project in PROJECTS:
        shop(google, project)
        google.billing[project] = fx.ACCOUNT
    export(google)
    with fault_proxy(google.url) as proxy:
        key = tmp_path / "service-account.json"
        key.write_text(
            json.dumps(
                {
                    "type": "service_account",
                    "project_id": "shop-prod",
                    "private_key_id": "local-key",
                    "private_key": private_key_pem,
                    "client_email": "lepton-reader@shop-prod.iam.gserviceaccount.com",
                    "client_id": "1234567890",
                    "token_uri": f"{proxy.url}/token",
                }
            )
        )
        no_credentials(tmp_path, monkeypatch)
        monkeypatch.setenv("GOOGLE_APPLICATION_CREDENTIALS", str(key))
        yield google, proxy


def lepton_yaml(gcp: Gcp, tmp_path: Path, endpoint: str | None = None) -> Path:
    google, proxy = gcp
    url = endpoint or proxy.url
    settings = {
        "projects": PROJECTS,
        "billing_account": fx.ACCOUNT,
        "billing_export_table": TABLE,
        "endpoints": {
            "compute": url,
            "billing": url,
            "bigquery": url,
            "monitoring": google.monitoring_url,
        },
    }
    path = tmp_path / "lepton.yaml"
    doc = {"cache_dir": str(tmp_path / "cache"), "history": False, "timeout": TIMEOUT}
    path.write_text(yaml.safe_dump({**doc, "gcp": settings}))
    return path


def scan(config: Path, *args: str) -> tuple[int, str, list[Any]]:
    out = config.parent / "scan.yaml"
    out.unlink(missing_ok=True)
    cmd = ["--config", str(config), "scan", "--provider", "gcp", "-o", str(out), *args]
    got = CliRunner().invoke(app, cmd)
    resources = yaml.safe_load(out.read_text())["resources"] if out.exists() else []
    return got.exit_code, got.stderr, resources


def projects(resources: list[Any]) -> dict[str, int]:
    """project -> number of instances delivered."""
    found: dict[str, int] = {}
    for r in resources:
        if r["resource_type"] == "gcp.compute-instance":
            found[r["account"]] = found.get(r["account"], 0) + 1
    return found


def instances_of(project: str) -> Any:
    return path_matches(rf"^/compute/v1/projects/{project}/aggregated/instances$")


def test_html_500_in_one_project_keeps_the_other(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    proxy.add(Rule(instances_of("shop-lab"), answer=Answer(500)))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 4, err
    assert "project shop-lab" in err and "500" in err and "internal error" not in err
    assert projects(resources) == {"shop-prod": 3}
    assert proxy.served("answer", instances_of("shop-lab")) == 4  # retried, then given up


def test_html_500_then_success_is_retried(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    proxy.add(Rule(instances_of("shop-lab"), answer=Answer(503), times=2))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 0, err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}


def test_garbled_200_in_one_project_keeps_the_other(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    proxy.add(Rule(instances_of("shop-lab"), fault="garbled"))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 4, err
    assert "could not be read" in err and "project shop-lab" in err
    assert projects(resources) == {"shop-prod": 3}


def test_garbled_price_catalog_keeps_the_inventory_unpriced(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    proxy.add(Rule(path_matches(r"/skus$"), fault="garbled"))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 4, err
    assert "Cloud Billing Catalog" in err and "ParseError" in err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}
    assert not list((tmp_path / "cache").glob("gcp/compute-price-book*"))


def test_throttled_then_success(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    disks = path_matches(r"^/compute/v1/projects/shop-prod/aggregated/disks$")
    proxy.add(Rule(disks, answer=json_error(429, "RESOURCE_EXHAUSTED", "0"), times=2))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 0, err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}
    assert proxy.served("answer", disks) == 2 and proxy.served("", disks) >= 1


def test_huge_retry_after_is_capped(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    listing = instances_of("shop-prod")
    proxy.add(Rule(listing, answer=json_error(429, "RESOURCE_EXHAUSTED", "3600"), times=1))
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 0, err  # an hour was asked for; the cap (2.5 s here) was waited
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}


def test_stall_past_the_read_timeout_fails_that_project(gcp: Gcp, tmp_path: Path) -> None:
    """The deadline from the --timeout flag (lepton.yaml has none: the default would be 300 s)."""
    _, proxy = gcp
    proxy.add(Rule(instances_of("shop-lab"), fault="stall", seconds=30))
    config = lepton_yaml(gcp, tmp_path)
    doc = yaml.safe_load(config.read_text())
    del doc["timeout"]
    config.write_text(yaml.safe_dump(doc))
    code, err, resources = scan(config, "--no-costs", "--timeout", str(TIMEOUT))
    assert code == 4, err
    assert "project shop-lab" in err and "in time" in err
    assert projects(resources) == {"shop-prod": 3}


def test_connection_refused_is_exit_4(gcp: Gcp, tmp_path: Path) -> None:
    config = lepton_yaml(gcp, tmp_path, endpoint=f"http://127.0.0.1:{closed_port()}")
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert "unreachable" in err and "gcp.endpoints" in err
    assert resources == []


def test_access_denied_in_one_project_only(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    denied = path_matches(r"^/compute/v1/projects/shop-lab/")
    proxy.add(Rule(denied, answer=json_error(403, "PERMISSION_DENIED")))
    config = lepton_yaml(gcp, tmp_path)
    code, err, resources = scan(config, "--no-costs")
    assert code == 4, err
    assert "project shop-lab" in err and "docs/gcp.md" in err
    assert projects(resources) == {"shop-prod": 3}
    code, err, resources = scan(config, "--no-costs", "--allow-partial")
    assert code == 0, err
    assert projects(resources) == {"shop-prod": 3}


def test_monitoring_denied_keeps_the_instances(gcp: Gcp, tmp_path: Path) -> None:
    google, _ = gcp
    google.failing[r"^/v3/projects/shop-lab/timeSeries$"] = (403, "monitoring.timeSeries.list")
    code, err, resources = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 4, err
    assert "project shop-lab / monitoring" in err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}


def test_a_refused_token_fails_fast_once(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    token = path_matches(r"^/token$")
    proxy.add(Rule(token, answer=json_error(400, "invalid_grant")))
    code, err, _ = scan(lepton_yaml(gcp, tmp_path), "--no-costs")
    assert code == 4, err
    assert err.count("error:") == 1 and "gcloud auth application-default login" in err
    assert proxy.served("", path_matches(r"^/compute/")) == 0  # nothing read without a token


def test_billing_export_failure_keeps_the_inventory(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    proxy.add(Rule(path_matches(r"/queries$"), answer=Answer(500)))
    config = lepton_yaml(gcp, tmp_path)
    code, err, resources = scan(config, "--period", "2026-10")
    assert code == 4, err
    assert f"billing export {TABLE}" in err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}
    code, err, resources = scan(config, "--period", "2026-10", "--allow-partial")
    assert code == 0, err
    assert projects(resources) == {"shop-prod": 3, "shop-lab": 3}


def test_garbled_export_answer_is_never_cached(gcp: Gcp, tmp_path: Path) -> None:
    _, proxy = gcp
    query = path_matches(r"/queries$")
    proxy.add(Rule(query, fault="garbled", times=1))
    config = lepton_yaml(gcp, tmp_path)
    code, err, resources = scan(config, "--period", "2026-10", "-f", "json")
    assert code == 4, err
    assert f"billing export {TABLE}" in err and projects(resources) == {
        "shop-prod": 3,
        "shop-lab": 3,
    }
    assert not list((tmp_path / "cache").glob("gcp/billing-export-*"))
    got = CliRunner().invoke(
        app, ["--config", str(config), "scan", "-p", "gcp", "--period", "2026-10", "-f", "json"]
    )
    assert got.exit_code == 0, got.stderr
    billed = {r["service"]: r for r in json.loads(got.stdout)["billed_costs"]}
    assert billed["Compute Engine"]["billed_cost"] == "155.2758"  # the real answer, read again
