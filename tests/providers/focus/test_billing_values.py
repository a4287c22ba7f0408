"""Every FOCUS dimension groups, money is exact, dates are strict, tags come in every shape
(issue #11.2-5, #11.9)."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

import duckdb
import pytest
from focus_fixtures import COLUMNS

from helpers import run
from lepton_cli.billing.engine import Notes
from lepton_cli.billing.query import aggregate, pricing_currency_totals, resource_costs
from lepton_cli.errors import InputError, UsageError

SAMPLE = ("focus", "focus_1.0_sample_1000.csv")


# --- 2. dimensions ---------------------------------------------------------------------------


def test_corpus_invoice_view_by_issuer_and_billing_account(corpus):
    path = corpus.joinpath(*SAMPLE)
    expected: dict[tuple[str, str], Decimal] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            key = (row["InvoiceIssuerName"], row["BillingAccountId"])
            expected[key] = expected.get(key, Decimal(0)) + Decimal(row["BilledCost"])
    rows = aggregate([path], ["invoice_issuer", "billing_account"])
    got = {(r.keys["invoice_issuer"], r.keys["billing_account"]): r.billed_cost for r in rows}
    assert got == expected


@pytest.mark.parametrize(
    ("key", "column"),
    [
        ("charge_class", "ChargeClass"),
        ("pricing_category", "PricingCategory"),
        ("commitment_discount", "CommitmentDiscountId"),
        ("service_category", "ServiceCategory"),
        ("sub_account", "SubAccountId"),
        ("charge_frequency", "ChargeFrequency"),
        ("publisher", "PublisherName"),
    ],
)
def test_corpus_groups_by_focus_columns(corpus, key, column):
    path = corpus.joinpath(*SAMPLE)
    expected: dict[str | None, Decimal] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            value = None if row[column] in ("NULL", "") else row[column]
            expected[value] = expected.get(value, Decimal(0)) + Decimal(row["BilledCost"])
    rows = aggregate([path], [key])
    assert {r.keys[key]: r.billed_cost for r in rows} == expected


def test_focus_1_3_service_and_host_provider_with_older_fallbacks(write_focus):
    v13 = [
        *[c for c in COLUMNS if c != "ProviderName"],
        "ServiceProviderName",
        "HostProviderName",
        "InvoiceIssuerName",
    ]
    new = write_focus(
        "v13.csv",
        [
            {
                "ServiceProviderName": "Acme SaaS",
                "HostProviderName": "AWS",
                "InvoiceIssuerName": "AWS",
                "BilledCost": "5",
                "BillingAccountId": "1",
            }
        ],
        v13,
    )
    old = write_focus(
        "v10.csv",
        [
            {
                "ProviderName": "AWS",
                "BilledCost": "2",
                "BillingAccountId": "2",
                "InvoiceIssuerName": "AWS",
            }
        ],
        [*COLUMNS, "PublisherName", "InvoiceIssuerName"],
    )
    rows = aggregate([new, old], ["invoice_issuer", "service_provider", "host_provider"])
    got = {tuple(r.keys.values()): r.billed_cost for r in rows}
    assert got == {("AWS", "Acme SaaS", "AWS"): Decimal(5), ("AWS", "AWS", None): Decimal(2)}


def test_a_key_the_file_lacks_names_the_column_and_version(corpus):
    path = corpus.joinpath(*SAMPLE)
    with pytest.raises(UsageError) as info:
        aggregate([path], ["invoice_id"])
    assert "InvoiceId" in info.value.message and "focus_1.0_sample_1000.csv" in info.value.message
    assert "FOCUS 1.2+" in (info.value.hint or "")


def test_cli_unknown_by_key_is_exit_2(write_focus):
    path = write_focus("a.csv", [{}])
    result = run("report", "-s", path, "--by", "invoice_id")
    assert result.exit_code == 2, result.output
    assert "InvoiceId" in result.stderr


# --- 3. exact money ----------------------------------------------------------------------------


def test_24_decimals_and_e_notation_sum_exactly(write_focus):
    values = ["0.000000000000000000000001", "1.81E-8", "2.323760000E-9", "4E-13", "5.64902E-05"]
    path = write_focus("tiny.csv", [{"BilledCost": v} for v in values * 3])
    (row,) = aggregate([path], [])
    assert row.billed_cost == 3 * sum(Decimal(v) for v in values)
    assert row.billed_cost > 0 and "E" not in format(row.billed_cost, "f")


def test_corpus_azure_grade_precision_is_kept(write_focus):
    # The Azure amortised export's total carries 24 significant decimals.
    amounts = ["15.797780136168644627485419", "0.493152", "0.006000000468"]
    path = write_focus("az.csv", [{"BilledCost": a} for a in amounts])
    (row,) = aggregate([path], [])
    assert row.billed_cost == Decimal("16.296932136636644627485419")


@pytest.mark.parametrize(
    ("currency", "needle"), [("", "is empty"), ("usd", "not an ISO 4217"), ("US$", "not an ISO")]
)
def test_missing_or_malformed_currency_names_the_row(write_focus, currency, needle):
    path = write_focus("cur.csv", [{}, {}, {"BillingCurrency": currency}])
    with pytest.raises(InputError) as info:
        aggregate([path], ["provider"])
    assert "cur.csv: row 3 (line 4), column BillingCurrency" in info.value.message
    assert needle in info.value.message


def test_missing_list_cost_stays_absent_in_the_cli(write_focus):
    path = write_focus("nolist.csv", [{}], [c for c in COLUMNS if c != "ListCost"])
    doc = json.loads(run("report", "-s", path, "--by", "provider", "-f", "json").stdout)
    assert doc["rows"][0]["list_cost"] is None


# --- 4. strict dates -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("ChargePeriodStart", "5/1/25"),
        ("ChargePeriodStart", "9/1/2024"),
        ("BillingPeriodStart", "2024"),
        ("ChargePeriodEnd", "2026-13-45"),
        ("BillingPeriodStart", "0005-01-25T00:00:00Z garbage"),
    ],
)
def test_non_rfc3339_dates_name_file_row_and_column(write_focus, column, value):
    path = write_focus("dates.csv", [{}, {}, {}, {column: value}])
    with pytest.raises(InputError) as info:
        aggregate([path], ["provider"])
    assert f"dates.csv: row 4 (line 5), column {column}: {value!r}" in info.value.message


def test_cli_m_d_yy_date_is_exit_3_in_report_and_scan(write_focus):
    path = write_focus("saas.csv", [{}, {"ChargePeriodStart": "5/1/25"}])
    for command in ("report", "scan"):
        result = run(command, "-s", path)
        assert result.exit_code == 3, result.output
        assert "row 2 (line 3), column ChargePeriodStart: '5/1/25'" in result.stderr


def test_spec_example_with_hour_30_is_refused(corpus, tmp_path):
    source = corpus / "focus" / "spec-examples" / "commitment_discount_purchase_scenario_2.csv"
    with source.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    target = tmp_path / "scenario_2.csv"
    with target.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, [*rows[0], "BillingCurrency", "ProviderName"])
        writer.writeheader()
        writer.writerows({**r, "BillingCurrency": "USD", "ProviderName": "AWS"} for r in rows)
    with pytest.raises(
        InputError, match=r"row 3 \(line 4\), column ChargePeriodEnd: '2023-02-01T30"
    ):
        aggregate([target], [])


def test_offsets_are_converted_to_utc(write_focus):
    path = write_focus(
        "tz.csv",
        [
            {
                "BilledCost": "3",
                "ChargePeriodStart": "2026-10-01T01:30:00+02:00",
                "ChargePeriodEnd": "2026-10-01T02:30:00+02:00",
            }
        ],
    )
    (row,) = aggregate([path], ["day"])
    assert row.keys["day"] == "2026-09-30"


def test_charge_end_before_start_is_refused(write_focus):
    path = write_focus(
        "span.csv",
        [{"ChargePeriodStart": "2026-10-02T00:00:00Z", "ChargePeriodEnd": "2026-10-01T00:00:00Z"}],
    )
    with pytest.raises(InputError, match=r"row 1 \(line 2\), column ChargePeriodEnd: .* is before"):
        aggregate([path], [])


# --- 5. tags in every shape ------------------------------------------------------------------


def _parquet(tmp_path, name: str, tags_sql: str) -> str:
    target = tmp_path / name
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT * FROM (VALUES "
        f"(1.5, {tags_sql.format(team='payments')}), (2.25, {tags_sql.format(team='search')}), "
        f"(4.0, {tags_sql.format(team='payments')})) t(BilledCost, Tags)) "
        f"TO '{target}.raw' (FORMAT parquet)"
    )
    con.execute(
        "COPY (SELECT BilledCost, BilledCost AS EffectiveCost, 'USD' AS BillingCurrency, "
        "TIMESTAMP '2026-10-01' AS BillingPeriodStart, TIMESTAMP '2026-10-01' AS "
        "ChargePeriodStart, TIMESTAMP '2026-10-01 01:00' AS ChargePeriodEnd, 'AWS' AS "
        f"ProviderName, 'i-' || BilledCost AS ResourceId, Tags FROM read_parquet('{target}.raw')) "
        f"TO '{target}' (FORMAT parquet)"
    )
    con.close()
    return str(target)


@pytest.mark.parametrize(
    "tags_sql",
    [
        "MAP {{'team': '{team}', 'env': 'prod'}}",
        "[{{'key': 'team', 'value': '{team}'}}, {{'key': 'env', 'value': 'prod'}}]",
        '\'{{"team": "{team}", "env": "prod"}}\'',
    ],
    ids=["map", "key-value-list", "json-text"],
)
def test_tags_as_map_list_of_structs_or_json(tmp_path, tags_sql):
    from pathlib import Path

    path = Path(_parquet(tmp_path, "tags.parquet", tags_sql))
    rows = aggregate([path], ["tag:team"], filters={"tag:env": "prod"})
    assert {r.keys["tag:team"]: r.billed_cost for r in rows} == {
        "payments": Decimal("5.5"),
        "search": Decimal("2.25"),
    }
    costs = {c.resource_id: c.tags for c in resource_costs([path])}
    assert costs["i-2.25"] == {"team": "search", "env": "prod"}


def test_duplicate_tag_keys_last_wins_with_a_warning(tmp_path):
    from pathlib import Path

    tags = "[{{'key': 'team', 'value': 'old'}}, {{'key': 'team', 'value': '{team}'}}]"
    path = Path(_parquet(tmp_path, "dup.parquet", tags))
    notes = Notes()
    rows = aggregate([path], ["tag:team"], notes=notes)
    assert {r.keys["tag:team"] for r in rows} == {"payments", "search"}
    assert any("'team' twice" in w for w in notes.warnings)


def test_invalid_tag_json_is_the_same_exit_3_in_report_and_scan(write_focus):
    path = write_focus("tags.csv", [{}, {"Tags": '{"team": "web"'}])
    report = run("report", "-s", path, "--by", "tag:team")
    scan = run("scan", "-s", path)
    for result in (report, scan):
        assert result.exit_code == 3, result.output
        assert "tags.csv: row 2 (line 3), column Tags" in result.stderr


# --- 9. Oracle regions, virtual currencies ---------------------------------------------------


def test_corpus_oracle_region_comes_from_region_name(corpus):
    path = corpus.joinpath(*SAMPLE)
    expected: dict[str, Decimal] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["ProviderName"] == "Oracle":
                assert row["RegionId"] == "NULL"
                region = row["RegionName"]
                expected[region] = expected.get(region, Decimal(0)) + Decimal(row["BilledCost"])
    rows = aggregate([path], ["region"], filters={"provider": "Oracle"})
    assert {r.keys["region"]: r.billed_cost for r in rows} == expected
    assert None not in expected


def test_virtual_currency_amounts_are_kept_apart_from_money(write_focus):
    columns = [*COLUMNS, "PricingCurrency", "PricingCurrencyEffectiveCost"]
    path = write_focus(
        "tokens.csv",
        [
            {
                "BilledCost": "2.5",
                "PricingCurrency": "TOKENS",
                "PricingCurrencyEffectiveCost": "1e6",
            },
            {
                "BilledCost": "1.5",
                "PricingCurrency": "TOKENS",
                "PricingCurrencyEffectiveCost": "5e5",
            },
            {"BilledCost": "4", "PricingCurrency": "USD", "PricingCurrencyEffectiveCost": "4"},
        ],
        columns,
    )
    (money,) = aggregate([path], ["service"])
    assert (money.currency, money.billed_cost) == ("USD", Decimal(8))
    (tokens,) = pricing_currency_totals([path], ["service"])
    assert (tokens.pricing_currency, tokens.effective_cost) == ("TOKENS", Decimal(1_500_000))
    doc = json.loads(run("report", "-s", path, "--by", "service", "-f", "json").stdout)
    assert doc["pricing_currency"] == [
        {"service": "Amazon EC2", "pricing_currency": "TOKENS", "amount": "1500000"}
    ]
    assert [r["billed_cost"] for r in doc["rows"]] == ["8"]
