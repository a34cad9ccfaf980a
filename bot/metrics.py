"""Prometheus metrics in the text exposition format, without a client library.

Counters and one latency histogram, kept per process (each process behind a load
balancer is scraped on its own, as Prometheus expects). Labels are low-cardinality by
construction: channel, outcome, department, reason, kind — never a customer or an entry.
"""

from __future__ import annotations

import threading
from collections import defaultdict

BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

HELP = {
    "helpline_messages_total": "Customer messages received, by channel (duplicates counted apart).",
    "helpline_decisions_total": "Decisions, by outcome (an entry answer is 'answer').",
    "helpline_handoffs_total": "Handoffs to a person, by department and reason.",
    "helpline_feedback_total": "Satisfaction signals: thanks (good), handoff_request (a failure).",
    "helpline_deliveries_total": "Reply deliveries by channel and result (delivered, retry, failed).",
    "helpline_nudges_total": "Replies stored by another process and delivered here (Redis nudges).",
    "helpline_decision_seconds": "Time to decide one message (model, policy and storing replies).",
}


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counters: dict[str, dict[tuple[tuple[str, str], ...], float]] = defaultdict(lambda: defaultdict(float))
        self._buckets = [0] * len(BUCKETS)
        self._count = 0
        self._sum = 0.0

    def count(self, name: str, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted((k, str(v)) for k, v in labels.items()))
        with self._lock:
            self._counters[name][key] += amount

    def observe_decision(self, seconds: float) -> None:
        with self._lock:
            self._count += 1
            self._sum += seconds
            for i, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self._buckets[i] += 1

    def value(self, name: str, **labels: str) -> float:
        key = tuple(sorted((k, str(v)) for k, v in labels.items()))
        with self._lock:
            return self._counters[name].get(key, 0.0)

    def render(self, gauges: dict[str, float] | None = None) -> str:
        lines: list[str] = []
        with self._lock:
            for name in sorted(self._counters):
                lines += [f"# HELP {name} {HELP.get(name, name)}", f"# TYPE {name} counter"]
                for key, value in sorted(self._counters[name].items()):
                    lines.append(f"{name}{_labels(key)} {value:g}")
            name = "helpline_decision_seconds"
            lines += [f"# HELP {name} {HELP[name]}", f"# TYPE {name} histogram"]
            for bound, count in zip(BUCKETS, self._buckets):
                lines.append(f'{name}_bucket{{le="{bound}"}} {count}')
            lines += [f'{name}_bucket{{le="+Inf"}} {self._count}', f"{name}_sum {self._sum:.6f}", f"{name}_count {self._count}"]
        for name, value in sorted((gauges or {}).items()):
            lines += [f"# TYPE {name} gauge", f"{name} {value:g}"]
        return "\n".join(lines) + "\n"


def _labels(key: tuple[tuple[str, str], ...]) -> str:
    if not key:
        return ""
    escaped = (f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"' for k, v in key)
    return "{" + ",".join(escaped) + "}"
