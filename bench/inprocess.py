"""Timing requests in process (Django's test client: no server, no network), in wall time
and in CPU time of this process and its PostgreSQL backend (bench.misses, bench.queue)."""

import os
import time
from pathlib import Path

from django.db import connection
from django.test import Client


def backend_cpu_ms() -> float | None:
    """CPU time used so far by this connection's PostgreSQL backend (same machine: its
    /proc entry), in ms; None when it cannot be read."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def timed(
    client: Client, urls, runs: int, cpu: list | None = None, split: list | None = None
) -> list[float]:
    """Wall milliseconds of `runs` requests, one URL each. `cpu`, when given, receives the
    mean CPU milliseconds a request cost this process and its PostgreSQL backend: what the
    request costs whatever else the machine runs (the wall time also counts the wait for a
    core on a shared machine); `split`, the two apart (process, backend)."""
    samples = []
    backend, process = backend_cpu_ms(), time.process_time()
    for url in urls:
        start = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise SystemExit(f"{url} answered {response.status_code}")
        if len(samples) == runs:
            break
    if len(samples) < runs:
        raise SystemExit(f"Only {len(samples)} distinct requests for {runs} runs")
    if cpu is not None:
        process = (time.process_time() - process) * 1000
        backend_after = backend_cpu_ms()
        database = backend_after - backend if backend is not None and backend_after else None
        cpu.append((process + (database or 0)) / runs)
        if split is not None:
            split.append((process / runs, (database or 0) / runs))
    return samples
