"""The API under a local load generator: assessments per second and latency (median, p99) of POST /api/assess.

Starts `servicepath serve` (one uvicorn worker, SQLite) and sends requests from this process with httpx's async
client at a fixed concurrency, each a different synthetic person. Client and server share the 2 cores, so the
figure is a floor. Run: .venv/bin/python bench/bench_api.py"""

from __future__ import annotations

import asyncio
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from servicepath.batch.io import profile_of
from servicepath.batch.population import population

CONCURRENCY = 8
SECONDS = 15.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait(port: int) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise RuntimeError("servicepath serve did not start")


async def _load(url: str, bodies: list[dict[str, Any]]) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    stop = time.monotonic() + SECONDS

    async def worker(client: httpx.AsyncClient, offset: int) -> None:
        nonlocal errors
        index = offset
        while time.monotonic() < stop:
            started = time.perf_counter()
            response = await client.post(url, json=bodies[index % len(bodies)])
            latencies.append(time.perf_counter() - started)
            errors += response.status_code != 200
            index += CONCURRENCY

    began = time.monotonic()
    async with httpx.AsyncClient(timeout=30) as client:
        await asyncio.gather(*(worker(client, offset) for offset in range(CONCURRENCY)))
    return latencies, errors, time.monotonic() - began


def main() -> None:
    people = [profile_of(row) for row in population(1000, seed=5).iter_rows(named=True)]
    bodies = [
        {"profile": person.model_dump(mode="json", exclude_none=True), "as_of": "2026-11-25", "language": "en"}
        for person in people
    ]
    port = _free_port()
    database = Path(tempfile.mkdtemp()) / "sessions.db"
    command = Path(sys.executable).parent / "servicepath"
    server = subprocess.Popen([str(command), "serve", "--port", str(port), "--database", f"sqlite:///{database}"])
    try:
        _wait(port)
        url = f"http://127.0.0.1:{port}/api/assess"
        asyncio.run(_load(url, bodies[:50]))  # warm-up: the law compiled for the date, caches filled
        latencies, errors, elapsed = asyncio.run(_load(url, bodies))
    finally:
        server.terminate()
        server.wait()
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    print(
        f"API load: POST /api/assess, every force of the shipped law, {CONCURRENCY} concurrent clients, {SECONDS:g} s"
    )
    print("| measure | value |")
    print("| --- | --- |")
    print(f"| assessments per second | {len(latencies) / elapsed:.0f} |")
    print(f"| latency median | {statistics.median(latencies) * 1000:.1f} ms |")
    print(f"| latency p99 | {p99 * 1000:.1f} ms |")
    print(f"| errors | {errors} of {len(latencies)} |")


if __name__ == "__main__":
    main()
