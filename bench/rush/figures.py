"""A round's figures, as bench/results/rush.txt shows them: p50/p99 per kind of request, the
step saves and submissions per second, the errors, the checks, each with its target."""

from collections import Counter

TARGET_P99_MS = 1000
WINDOW = 10  # seconds: the busiest window of a kind of request gives its peak rate
KINDS = [
    "log-in page",
    "log-in",
    "home page",
    "call page",
    "start",
    "step page",
    "step save",
    "upload",
    "review page",
    "submit",
    "file page",
]


def mark(met: bool) -> str:
    return "✓" if met else "✗"


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def rates(ends: list[float]) -> tuple[float, float]:
    """(the mean rate from the first to the last, the peak rate over WINDOW seconds)."""
    if len(ends) < 2:
        return float(len(ends)), float(len(ends))
    ends = sorted(ends)
    peak, j = 0, 0
    for i, end in enumerate(ends):
        while end - ends[j] > WINDOW:
            j += 1
        peak = max(peak, i - j + 1)
    mean = len(ends) / max(ends[-1] - ends[0], 1e-9)
    return mean, max(peak / WINDOW, mean if ends[-1] - ends[0] < WINDOW else 0)


def report(result: dict) -> tuple[list[str], bool]:
    """The round's lines, and whether everything CI checks held. Each request recorded by
    users.py is [kind, start (epoch s), milliseconds, ok, status]."""
    requests = result["requests"]
    n = result["applicants"]
    ok_journeys = sum(1 for journey in result["journeys"] if journey[1])
    errors = sum(1 for r in requests if not r[3])
    lines = [
        f"## {n} applicants (think {result['think']} s between pages) — CPU busy before "
        f"{result['cpu_busy_before']:.0%}, load average {result['load_before']:.1f} before, "
        f"{result['load_during']:.1f} at most during",
        f"journeys completed: {ok_journeys} of {n} in {result['duration']:.0f} s "
        f"(target: all, within 600 s {mark(ok_journeys == n and result['duration'] <= 600)})",
        f"{'request':14} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}",
    ]
    p99 = {}
    for kind in KINDS:
        times = [r[2] for r in requests if r[0] == kind]
        if not times:
            continue
        p99[kind] = percentile(times, 0.99)
        failed = sum(1 for r in requests if r[0] == kind and not r[3])
        lines.append(
            f"{kind:14} {len(times):6d} {failed:6d} {percentile(times, 0.50):8.0f} "
            f"{p99[kind]:8.0f} {max(times):8.0f}"
        )
    for label, kind in (("step saves", "step save"), ("submissions", "submit"), ("requests", None)):
        ends = [r[1] + r[2] / 1000 for r in requests if r[3] and (kind is None or r[0] == kind)]
        mean, peak = rates(ends)
        lines.append(f"{label}/s: {mean:.1f} over the round, {peak:.1f} at the busiest {WINDOW} s")
    for kind in ("step save", "submit"):
        if kind in p99:
            lines.append(
                f"p99 {kind}: {p99[kind]:.0f} ms (target < {TARGET_P99_MS} ms "
                f"{mark(p99[kind] < TARGET_P99_MS)})"
            )
    lines.append(f"errors: {errors} (target 0 {mark(errors == 0)})")
    reasons = Counter(reason for _email, ok, reason, _seconds in result["journeys"] if not ok)
    lines += [f"  {count} journeys stopped: {reason}" for reason, count in reasons.most_common()]
    checks_ok = all(passed for _label, passed, _details in result["checks"])
    lines += [f"{mark(passed)} {label}: {details}" for label, passed, details in result["checks"]]
    drain = result["drain"]
    lines.append(
        "worker: last acknowledgement received "
        + (f"{drain:.1f} s after the last submission" if drain is not None else "never")
    )
    return lines, errors == 0 and ok_journeys == n and checks_ok
