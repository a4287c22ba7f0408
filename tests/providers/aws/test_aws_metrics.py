"""CloudWatch utilisation: the days judged are the days the samples cover, not the window."""

from __future__ import annotations

from estate import cpu

from lepton_cli.providers.aws import metrics


def test_days_are_capped_at_the_samples_and_their_period(aws):
    for iid in ("i-young", "i-older"):
        cpu(aws, "us-east-1", iid, [5.0] * (30 if iid == "i-young" else 50))
    cw = aws.client("cloudwatch")
    hourly = metrics.utilization(cw, ["i-young", "i-older", "i-silent"], 14, 3600, False)
    # 30 and 50 hourly points over a 14-day window: 1 and 2 whole days seen, not 14
    assert {k: u.days for k, u in hourly.items()} == {"i-young": 1, "i-older": 2}
    assert hourly["i-young"].cpu_p95 == 0.05
    five_minutes = metrics.utilization(cw, ["i-young"], 14, 300, False)
    # 30 samples of 5 minutes are two and a half hours, whatever the window asked for
    assert five_minutes["i-young"].days == 0
