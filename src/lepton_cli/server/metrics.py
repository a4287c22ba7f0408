"""Prometheus text exposition of the server's counters (no client library needed)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Metrics:
    requests: Counter[tuple[str, int]] = field(default_factory=Counter)  # (route, status)
    operations: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, status)
    solve_seconds_sum: float = 0.0
    solve_seconds_count: int = 0

    def text(self, queued: int, running: int) -> str:
        lines = [
            "# HELP lepton_requests_total HTTP requests by route and status.",
            "# TYPE lepton_requests_total counter",
        ]
        for (route, code), n in sorted(self.requests.items()):
            lines.append(f'lepton_requests_total{{route="{route}",status="{code}"}} {n}')
        lines += [
            "# HELP lepton_operations_total Finished operations by kind and status.",
            "# TYPE lepton_operations_total counter",
        ]
        for (kind, state), n in sorted(self.operations.items()):
            lines.append(f'lepton_operations_total{{kind="{kind}",status="{state}"}} {n}')
        lines += [
            "# HELP lepton_solve_seconds Wall time of finished optimisations.",
            "# TYPE lepton_solve_seconds summary",
            f"lepton_solve_seconds_sum {self.solve_seconds_sum:.6f}",
            f"lepton_solve_seconds_count {self.solve_seconds_count}",
            "# HELP lepton_queue_depth Operations waiting for a worker.",
            "# TYPE lepton_queue_depth gauge",
            f"lepton_queue_depth {queued}",
            "# HELP lepton_operations_running Operations in a worker now.",
            "# TYPE lepton_operations_running gauge",
            f"lepton_operations_running {running}",
        ]
        return "\n".join(lines) + "\n"
