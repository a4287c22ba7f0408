"""One SparkSession per test session (starting one takes tens of seconds), skipped with a
reason when PySpark or Java is missing."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def spark_session() -> Iterator[Any]:
    if shutil.which("java") is None:
        pytest.skip("the Spark tests need Java (apt-get install default-jre-headless)")
    pytest.importorskip("pyspark", reason="the Spark tests need pyspark (lepton-cli[spark])")
    from lepton_cli.billing.engines import SparkConfig
    from lepton_cli.billing.spark import session

    spark = session(
        SparkConfig(
            master="local[2]",
            conf={
                "spark.ui.enabled": "false",
                "spark.sql.shuffle.partitions": "2",
                "spark.driver.memory": "1g",
            },
        )
    )
    yield spark
    spark.stop()
