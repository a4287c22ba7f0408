"""Scan 5,000 EC2 instances over 4 regions against moto (server mode); print time and API calls.

Run: python benchmarks/aws_scan.py [--instances 5000] [--regions 4]

boto3 reaches moto through AWS_ENDPOINT_URL, via a small counting front server (the one the test
suite uses) that also answers the Pricing API. The point of the table: calls grow with pages
(1,000 instances a DescribeInstances page, 500 queries a GetMetricData call), not with instances.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests" / "providers" / "aws"))

from aws_fake import offline_aws  # noqa: E402
from estate import ami, price_everything  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402

from lepton_cli.providers.aws import AwsConfig, AwsProvider  # noqa: E402
from lepton_cli.providers.base import ProviderContext, Scope  # noqa: E402

REGIONS = ["us-east-1", "eu-west-1", "us-west-2", "ap-southeast-2"]
TYPES = ["m5.large", "m5.xlarge", "t3.micro", "m5.2xlarge"]


def build(aws, regions: list[str], total: int) -> None:
    """``total`` instances spread evenly over ``regions``, launched 500 at a time."""
    price_everything(aws, regions)
    per_region = total // len(regions)
    for n, region in enumerate(regions):
        ec2 = aws.client("ec2", region)
        image, left = ami(ec2), per_region
        while left:
            batch = min(500, left)
            ec2.run_instances(
                ImageId=image, MinCount=batch, MaxCount=batch, InstanceType=TYPES[n % len(TYPES)]
            )
            left -= batch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--regions", type=int, default=4)
    args = parser.parse_args()
    regions = REGIONS[: args.regions]
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        with (
            tempfile.TemporaryDirectory() as tmp,
            offline_aws(f"http://{host}:{port}", Path(tmp)) as aws,
        ):
            os.environ["AWS_MAX_ATTEMPTS"] = "3"
            aws.stubs.price_page = 100  # the real API's page size
            started = time.perf_counter()
            build(aws, regions, args.instances)
            built = time.perf_counter() - started
            aws.stubs.calls.clear()
            context = ProviderContext(cache_dir=Path(tmp) / "cache", max_workers=8)
            provider = AwsProvider(AwsConfig(regions=regions), context)
            started = time.perf_counter()
            found = list(provider.inventory(Scope(days=14)))
            seconds = time.perf_counter() - started
            report(aws.stubs.calls, found, seconds, built, provider.failures)
    finally:
        server.stop()


def report(calls, found, seconds: float, built: float, failures) -> None:
    instances = sum(r.resource_type == "aws.ec2-instance" for r in found)
    by_op = Counter((c.service, c.operation) for c in calls)
    server_time = Counter()
    for c in calls:
        server_time[c.service, c.operation] += c.seconds
    print(f"estate: {instances} instances, {len(found)} resources (built in {built:.1f} s)")
    print(f"scan:   {seconds:.2f} s wall, {len(calls)} API calls, {len(failures)} failed scopes\n")
    print(f"| {'service':<12} | {'operation':<28} | {'calls':>5} | {'server s':>8} |")
    print(f"|{'-' * 14}|{'-' * 30}|{'-' * 7}|{'-' * 10}|")
    for (service, op), n in sorted(by_op.items()):
        print(f"| {service:<12} | {op:<28} | {n:>5} | {server_time[service, op]:>8.2f} |")
    per_service = Counter(c.service for c in calls)
    print("\nper service: " + ", ".join(f"{s} {n}" for s, n in sorted(per_service.items())))


if __name__ == "__main__":
    main()
