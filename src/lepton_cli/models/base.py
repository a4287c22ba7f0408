"""The base of every model: frozen and strict, so a typo in a file fails loudly.

And the numeric types every model's fields use: finite (no NaN, no ±inf) and within a sane
magnitude, so ``vcpus: .inf`` or ``hourly_cost: 1e300`` is an input error naming the field
instead of a crash or a plan a million times the real bill. The bounds are far above any real
fleet (the largest cloud VM has 896 vCPUs and 32 TiB of memory) and far below where floating
point or the solver loses precision.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


def _not_bool(value: object) -> object:
    """YAML reads `yes`, `no`, `on` and `true` as booleans: never a number of vCPUs or money."""
    if isinstance(value, bool):
        raise ValueError("expected a number, not a boolean (yes/no/true/false)")
    return value


NotBool = BeforeValidator(_not_bool)

MAX_HOURLY = Decimal(1_000_000)  # money per hour of one resource or offering
MAX_MONEY = Decimal(10) ** 15  # any other amount of money (a bill, a budget)
MAX_SIZE = 1_000_000.0  # vCPUs or GiB of memory of one instance
MAX_STORAGE_GIB = 1e9  # GiB of storage of one resource or one workload's data
MAX_DEMAND = 1e9  # vCPUs or GiB of memory one workload needs
MAX_COUNT = 1_000_000  # instances, replicas, GPUs, zones, priorities
MAX_DAYS = 36_600  # a century of observation

HourlyPrice = Annotated[Decimal, NotBool, Field(ge=0, le=MAX_HOURLY, allow_inf_nan=False)]
"""An hourly price or cost: finite, not negative, at most a million an hour."""
Money = Annotated[Decimal, NotBool, Field(ge=-MAX_MONEY, le=MAX_MONEY, allow_inf_nan=False)]
"""An amount of money that may be negative (a credit, a refund), finite."""
Size = Annotated[float, NotBool, Field(ge=0, le=MAX_SIZE, allow_inf_nan=False)]
"""vCPUs or GiB of memory of one instance (0 allowed: an export may not know)."""
PositiveSize = Annotated[float, NotBool, Field(gt=0, le=MAX_SIZE, allow_inf_nan=False)]
StorageGib = Annotated[float, NotBool, Field(ge=0, le=MAX_STORAGE_GIB, allow_inf_nan=False)]
DemandAmount = Annotated[float, NotBool, Field(ge=0, le=MAX_DEMAND, allow_inf_nan=False)]
Perf = Annotated[float, NotBool, Field(gt=0, le=1000, allow_inf_nan=False)]
"""Relative performance per vCPU (1.0 is the baseline)."""
Share = Annotated[float, NotBool, Field(ge=0, le=1, allow_inf_nan=False)]
"""A share in [0, 1]."""
Headroom = Annotated[float, NotBool, Field(ge=0, le=100, allow_inf_nan=False)]
"""Extra capacity on top of derived demand, as a share (0.2 = 20 %)."""
Count = Annotated[int, NotBool, Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, NotBool, Field(ge=1, le=MAX_COUNT)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
"""An ISO 4217 currency code: USD, EUR, ..."""
Days = Annotated[int, NotBool, Field(ge=0, le=MAX_DAYS)]
