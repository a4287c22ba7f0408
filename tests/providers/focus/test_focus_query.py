"""aggregate(): exact sums per group and currency over real and hand-built FOCUS exports."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pytest
from focus_fixtures import COLUMNS

from lepton_cli.billing.query import Basis, CostRow, aggregate
from lepton_cli.errors import UsageError
from lepton_cli.models import Period


def totals(rows: list[CostRow], key: str) -> dict[tuple[str | None, str], Decimal]:
    return {(r.keys[key], r.currency): r.billed_cost for r in rows}


def test_corpus_totals_per_provider_are_exact(corpus):
    rows = aggregate([corpus / "focus" / "focus_1.0_sample_1000.csv"], ["provider"])
    assert totals(rows, "provider") == {
        ("AWS", "USD"): Decimal("18.00663861840"),
        ("Microsoft", "USD"): Decimal("1.97651418586"),
        ("Oracle", "USD"): Decimal("0.53707392473"),
    }
    assert sum(r.billed_cost for r in rows) == Decimal("20.52022672899")


def test_corpus_sorted_by_billed_cost_descending(corpus):
    rows = aggregate([corpus / "focus" / "focus_1.0_sample_1000.csv"], ["service", "region"])
    costs = [r.billed_cost for r in rows]
    assert costs == sorted(costs, reverse=True)
    assert all(list(r.keys) == ["service", "region"] for r in rows)


def test_mixed_currencies_are_totalled_per_currency(write_focus):
    path = write_focus(
        "mixed.csv",
        [
            {"BilledCost": "10.10", "BillingCurrency": "USD"},
            {"BilledCost": "5.05", "BillingCurrency": "EUR"},
            {"BilledCost": "0.90", "BillingCurrency": "USD"},
        ],
    )
    rows = aggregate([path], ["provider"])
    assert totals(rows, "provider") == {
        ("AWS", "USD"): Decimal("11.00"),
        ("AWS", "EUR"): Decimal("5.05"),
    }


def test_many_small_amounts_sum_exactly(write_focus):
    # 0.1 is not exact in binary floating point: ten thousand of them would drift.
    path = write_focus(
        "small.csv", [{"BilledCost": "0.00000000001"}] * 5 + [{"BilledCost": "0.1"}] * 10_000
    )
    (row,) = aggregate([path], [])
    assert row.billed_cost == Decimal("1000.00000000005")


def test_list_cost_stays_absent_when_the_column_is_absent(write_focus):
    columns = [c for c in COLUMNS if c != "ListCost"]
    path = write_focus("nolist.csv", [{"BilledCost": "2.5", "EffectiveCost": "2"}], columns)
    (row,) = aggregate([path], ["service"])
    assert (row.billed_cost, row.effective_cost, row.list_cost) == (
        Decimal("2.5"),
        Decimal("2"),
        None,
    )


def test_tag_grouping_and_filters(write_focus):
    path = write_focus(
        "tags.csv",
        [
            {"BilledCost": "3", "Tags": '{"team": "payments", "env": "prod"}'},
            {"BilledCost": "4", "Tags": '{"team": "search", "env": "prod"}'},
            {
                "BilledCost": "5",
                "Tags": '{"team": "payments", "env": "dev"}',
                "ProviderName": "Google Cloud",
            },
            {"BilledCost": "7", "Tags": "NULL"},
        ],
    )
    rows = aggregate([path], ["tag:team"])
    assert totals(rows, "tag:team") == {
        (None, "USD"): Decimal(7),
        ("payments", "USD"): Decimal(8),
        ("search", "USD"): Decimal(4),
    }
    filtered = aggregate([path], ["tag:env"], filters={"tag:team": "payments", "provider": "AWS"})
    assert totals(filtered, "tag:env") == {("prod", "USD"): Decimal(3)}


def test_tag_keys_with_spaces_and_quotes(write_focus):
    path = write_focus("odd.csv", [{"Tags": '{"cost center": "42", " org": "x"}'}])
    rows = aggregate([path], ["tag:cost center", "tag: org"])
    assert rows[0].keys == {"tag:cost center": "42", "tag: org": "x"}


def test_charge_basis_period_keeps_charges_starting_inside_it(write_focus):
    path = write_focus(
        "months.csv",
        [
            {"BilledCost": "1", "ChargePeriodStart": "2026-09-30T23:00:00Z"},
            {"BilledCost": "2", "ChargePeriodStart": "2026-10-01T00:00:00Z"},
            {"BilledCost": "4", "ChargePeriodStart": "2026-10-31 23:00:00"},
            {"BilledCost": "8", "ChargePeriodStart": "2026-11-01T00:00:00Z"},
        ],
    )
    (row,) = aggregate([path], [], period=Period.month("2026-10"), basis=Basis.CHARGE)
    assert row.billed_cost == Decimal(6)
    # Every row is invoiced in October (BillingPeriodStart), which is the default basis.
    (billed,) = aggregate([path], [], period=Period.month("2026-10"))
    assert billed.billed_cost == Decimal(1 + 2 + 4 + 8)


def test_day_and_month_keys_accept_both_timestamp_spellings(write_focus):
    path = write_focus(
        "ts.csv",
        [
            {"BilledCost": "1", "ChargePeriodStart": "2024-09-01T00:00:00Z"},
            {"BilledCost": "2", "ChargePeriodStart": "2024-09-01 13:00:00"},
            {"BilledCost": "4", "ChargePeriodStart": "2024-09-02T01:00:00+02:00"},
            {
                "BilledCost": "8",
                "ChargePeriodStart": "2024-09-02T00:00:00.500Z",
                "BillingPeriodStart": "2024-09-01 00:00:00",
            },
        ],
    )
    rows = aggregate([path], ["day", "month"])
    by_day = {r.keys["day"]: r.billed_cost for r in rows}
    # 01:00 at +02:00 is 23:00 UTC the day before.
    assert by_day == {"2024-09-01": Decimal(7), "2024-09-02": Decimal(8)}
    assert {r.keys["month"] for r in rows} == {"2026-10", "2024-09"}


def test_null_token_and_empty_string_are_both_null(tmp_path):
    header = "BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,ChargePeriodStart,"
    header += "ChargePeriodEnd,ProviderName,RegionId,ListCost\n"
    common = "2024-09-01,2024-09-01,2024-09-02,AWS"
    path = tmp_path / "nulls.csv"
    path.write_text(
        header
        + f"1,1,USD,{common},NULL,NULL\n"
        + f'2,2,USD,{common},"",""\n'
        + f"4,4,USD,{common},,\n"
        + f'8,8,USD,{common},"us-east-1",1\n'
    )
    rows = aggregate([path], ["region"])
    assert totals(rows, "region") == {("us-east-1", "USD"): Decimal(8), (None, "USD"): Decimal(7)}
    assert {r.keys["region"]: r.list_cost for r in rows} == {"us-east-1": Decimal(1), None: None}


def test_bom_and_crlf_are_tolerated(write_focus):
    path = write_focus(
        "win.csv", [{"BilledCost": "1.25"}, {"BilledCost": "2"}], bom=True, newline="\r\n"
    )
    (row,) = aggregate([path], ["provider"])
    assert (row.keys, row.billed_cost) == ({"provider": "AWS"}, Decimal("3.25"))


def test_columns_are_found_by_name_not_position(write_focus):
    path = write_focus("reordered.csv", [{"BilledCost": "9", "ServiceName": "S3"}], COLUMNS[::-1])
    (row,) = aggregate([path], ["service"])
    assert (row.keys["service"], row.billed_cost) == ("S3", Decimal(9))


def test_focus_1_3_service_provider_name(write_focus):
    columns = ["ServiceProviderName" if c == "ProviderName" else c for c in COLUMNS]
    path = write_focus(
        "v13.csv", [{"ServiceProviderName": "Microsoft", "BilledCost": "2"}], columns
    )
    (row,) = aggregate([path], ["provider"])
    assert row.keys == {"provider": "Microsoft"}


def test_gzip_csv(write_focus):
    path = write_focus("export.csv.gz", [{"BilledCost": "1.5"}, {"BilledCost": "1.5"}])
    assert aggregate([path], [])[0].billed_cost == Decimal(3)


def test_parquet_written_by_duckdb(tmp_path, write_focus):
    source = write_focus("src.csv", [{"BilledCost": "0.1", "RegionId": "eu-west-1"}] * 3)
    target = tmp_path / "export.parquet"
    con = duckdb.connect()
    con.execute(
        f"COPY (SELECT * REPLACE (CAST(BilledCost AS DECIMAL(18, 6)) AS BilledCost) "
        f"FROM read_csv('{source}', all_varchar=true)) TO '{target}' (FORMAT parquet)"
    )
    con.close()
    source.unlink()
    (row,) = aggregate([target], ["region"])
    assert (row.keys["region"], row.billed_cost) == ("eu-west-1", Decimal("0.3"))


def test_folder_of_mixed_formats_and_versions(tmp_path, write_focus):
    write_focus("exports/a.csv", [{"BilledCost": "1"}])
    columns = ["ServiceProviderName" if c == "ProviderName" else c for c in COLUMNS]
    write_focus(
        "exports/2026/b.csv.gz",
        [{"ServiceProviderName": "AWS", "BilledCost": "2", "BillingAccountId": "999"}],
        columns,
    )
    (tmp_path / "exports" / "README.txt").write_text("not an export")
    (row,) = aggregate([tmp_path / "exports"], ["provider"])
    assert row.billed_cost == Decimal(3)


def test_unknown_key_is_a_usage_error(write_focus):
    path = write_focus("a.csv", [{}])
    with pytest.raises(UsageError, match="unknown cost grouping key 'colour'") as info:
        aggregate([path], ["colour"])
    assert "tag:KEY" in (info.value.hint or "")


def test_blank_lines_and_lowercase_null_as_in_the_spec_examples(tmp_path):
    header = "BilledCost,EffectiveCost,BillingCurrency,BillingPeriodStart,ChargePeriodStart,"
    header += "ChargePeriodEnd,ProviderName"
    times = "2023-01-01T00:00:00Z,2023-01-01T00:00:00Z,2023-01-01T01:00:00Z"
    path = tmp_path / "spec.csv"
    path.write_bytes(
        f"{header}\r\n1.5,1,USD,{times},AWS\r\n\r\n2,1,USD,{times},null\r\n\r\n".encode()
    )
    rows = aggregate([path], ["provider"])
    assert totals(rows, "provider") == {(None, "USD"): Decimal(2), ("AWS", "USD"): Decimal("1.5")}


def test_parquet_with_native_types(tmp_path):
    target = tmp_path / "typed.parquet"
    con = duckdb.connect()
    con.execute(
        "COPY (SELECT 0.25::DOUBLE AS BilledCost, 0.2::DOUBLE AS EffectiveCost, "
        "'EUR' AS BillingCurrency, DATE '2026-10-01' AS BillingPeriodStart, "
        "TIMESTAMP '2026-10-03 05:00:00' + INTERVAL (i) HOUR AS ChargePeriodStart, "
        "TIMESTAMP '2026-10-03 06:00:00' + INTERVAL (i) HOUR AS ChargePeriodEnd, "
        "'Google Cloud' AS ServiceProviderName, '' AS RegionId "
        f"FROM range(4) t(i)) TO '{target}' (FORMAT parquet)"
    )
    con.close()
    (row,) = aggregate([target], ["provider", "day", "month", "region"])
    assert row.keys == {
        "provider": "Google Cloud",
        "day": "2026-10-03",
        "month": "2026-10",
        "region": None,
    }
    assert (row.currency, row.billed_cost, row.effective_cost) == (
        "EUR",
        Decimal(1),
        Decimal("0.8"),
    )
