"""Load generators of the HTTP benchmarks: wrk (with a Lua script for varied requests) or Python threads."""

from __future__ import annotations

import http.client
import re
import statistics
import subprocess
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

# One request a client sends: method, path, headers, body.
Request = tuple[str, str, dict[str, str], bytes | None]


@dataclass
class Result:
    rps: float
    requests: int
    errors: int  # non-2xx/3xx responses, socket errors and timeouts
    latency_ms: dict[str, float] = field(default_factory=dict)  # avg, p50, p90, p99


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS_MS[unit]


def wrk_threads(concurrency: int) -> int:
    """The threads wrk_run gives wrk for `concurrency` connections."""
    return max(1, min(2, concurrency))


def wrk_run(
    url: str, seconds: float, concurrency: int, *, script: str | None = None, headers: dict[str, str] | None = None
) -> Result:
    """Load `url` with wrk; a Lua `script` (a file) may build each request (wrk's request() hook), and
    `headers` are sent with every request (a session cookie)."""
    threads = wrk_threads(concurrency)
    more_headers = [arg for name, value in (headers or {}).items() for arg in ("-H", f"{name}: {value}")]
    output = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{concurrency}", f"-d{max(1, round(seconds))}s", "--latency", "--timeout", "10s",
         "-H", "Accept-Language: vi", *more_headers, *(["--script", script] if script else []), url],
        capture_output=True, text=True, timeout=seconds + 60, check=True,
    ).stdout  # fmt: skip
    latency = {"avg": _ms(re.search(r"Latency\s+(\S+)", output).group(1))}
    for percent in ("50", "90", "99"):
        latency[f"p{percent}"] = _ms(re.search(rf"^\s+{percent}%\s+(\S+)", output, re.M).group(1))
    errors = 0
    if match := re.search(r"Non-2xx or 3xx responses: (\d+)", output):
        errors += int(match.group(1))
    if match := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output):
        # A "read" error is how wrk counts a server closing the connection after a response, which
        # gunicorn's sync workers do on every request (no keep-alive): not a failure.
        errors += int(match.group(1)) + int(match.group(3)) + int(match.group(4))
    return Result(
        rps=float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        requests=int(re.search(r"(\d+) requests in", output).group(1)),
        errors=errors,
        latency_ms=latency,
    )


def python_run(
    url: str,
    seconds: float,
    concurrency: int,
    *,
    next_request: Callable[[int], Request] | None = None,
    headers: dict[str, str] | None = None,
    answered: Callable[[int, int, bytes], None] | None = None,
) -> Result:
    """Keep-alive HTTP/1.1 clients in threads; bounded by the GIL, so a lower bound on the server.

    Each client GETs `url` (with `headers`), or sends what `next_request(client number)` returns;
    `answered(client number, status, body)` is told each answer.
    """
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")

    def same_request(_index: int) -> Request:
        return "GET", target, {"Accept-Language": "vi", **(headers or {})}, None

    next_request = next_request or same_request
    deadline = time.perf_counter() + seconds
    latencies: list[list[float]] = [[] for _ in range(concurrency)]
    errors = [0] * concurrency

    def client(index: int) -> None:
        connection = None
        while time.perf_counter() < deadline:
            try:
                if connection is None:
                    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
                method, path, headers, body = next_request(index)
                started = time.perf_counter()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                body = response.read()
                latencies[index].append(time.perf_counter() - started)
                if answered is not None:
                    answered(index, response.status, body)
                if response.status >= 400:
                    errors[index] += 1
                if response.will_close:
                    connection.close()
                    connection = None
            except (OSError, http.client.HTTPException):
                errors[index] += 1
                if connection is not None:
                    connection.close()
                connection = None
        if connection is not None:
            connection.close()

    started = time.perf_counter()
    workers = [threading.Thread(target=client, args=(i,), daemon=True) for i in range(concurrency)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(seconds + 15)
    elapsed = time.perf_counter() - started
    samples = sorted(s * 1000 for per_client in latencies for s in per_client)
    if not samples:
        return Result(rps=0.0, requests=0, errors=sum(errors))

    def percentile(p: float) -> float:
        return samples[min(len(samples) - 1, int(p / 100 * len(samples)))]

    return Result(
        rps=len(samples) / elapsed,
        requests=len(samples),
        errors=sum(errors),
        latency_ms={"avg": statistics.fmean(samples), "p50": percentile(50), "p90": percentile(90),
                    "p99": percentile(99)},
    )  # fmt: skip
