"""Requests per second of the inbox under gunicorn, beside a minimal Django view (the ceiling).

The inbox is measured three ways, all through the product's own view:
- "inbox": the first page as a member reloads it while the queue is unchanged (the realistic
  state between changes): after the first request it comes from the page cache
  (monitoring.inbox_views; the browser holds a session and a CSRF cookie, as here);
- "inbox_cold": the same page with the page cache off (bench/urls.py `inbox_uncached`):
  what every request costs right after the queue changed;
- "poll": the 10 s poll of an open inbox while nothing changed (204).

All are served by the same gunicorn (bench.settings: same middleware, session, persistent
database connections), loaded in the same run by the same client on loopback: `wrk` when
installed, else a small threaded Python client. The ratio inbox / minimal view is the figure.
The URLs take turns (ROUNDS rounds of seconds / ROUNDS each), so a change in the machine's
other load during the run weighs on all of them alike.

Beside requests/s, the CPU time the server spends per request (gunicorn's processes, the
PostgreSQL backends of this database, redis-server; from /proc) is measured: on a machine
shared with other work, requests/s move with the others' load, CPU per request much less.
Writes: one session row (the login) and the member's last entity (first visit).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request

from .common import ROOT, SETTINGS

ROUNDS = 2


def _server_pids(gunicorn_pid: int, database: str) -> list[int]:
    """gunicorn's master and workers, the PostgreSQL backends of `database`, redis-server."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as handle:
                command = handle.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{entry}/stat") as handle:
                parent = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if (int(entry) == gunicorn_pid or parent == gunicorn_pid
                or ("postgres:" in command and f" {database} " in command)
                or "redis-server" in command):
            pids.append(int(entry))
    return pids


def _cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes so far (those that ended count no more)."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime in clock ticks
    return total / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_gunicorn(workers: int) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS)
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "-b", f"127.0.0.1:{port}",
         "-w", str(workers), "--worker-class", "sync", "--log-level", "warning",
         "--timeout", "60"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError("gunicorn exited: " + proc.stderr.read())
        try:
            urllib.request.urlopen(base + "/bench/minimal/", timeout=2).read()  # noqa: S310
            return proc, base
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError("gunicorn did not answer within 60 s")


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


def _wrk(url: str, cookie: str, *, seconds: int, connections: int) -> dict:
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-H",
         f"Cookie: {cookie}", url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", out)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)

    def ms(m):
        if not m:
            return None
        return float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]

    return {"rps": rps, "errors": int(errors.group(1)) if errors else 0, "p50": ms(p50),
            "p99": ms(p99), "tool": "wrk"}


def _python_client(url: str, cookie: str, *, seconds: int, connections: int) -> dict:
    """Fallback: `connections` threads in a loop (the client shares the 2 CPUs)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    stop_at = time.monotonic() + seconds
    done, errors, lock = [], [0], threading.Lock()

    def worker():
        times = []
        while time.monotonic() < stop_at:
            conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
            started = time.perf_counter()
            conn.request("GET", parts.path + ("?" + parts.query if parts.query else ""),
                         headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            conn.close()
            times.append((time.perf_counter() - started) * 1000)
            if response.status >= 400:
                with lock:
                    errors[0] += 1
        with lock:
            done.extend(times)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    done.sort()
    return {"rps": len(done) / elapsed, "errors": errors[0],
            "p50": done[len(done) // 2] if done else None,
            "p99": done[int(len(done) * .99)] if done else None, "tool": "python threads"}


def _combine(runs: list[dict]) -> dict:
    """The rounds of one URL as one figure: requests/s and CPU per request over all rounds."""
    requests = sum(r["rps"] * r["seconds"] for r in runs)
    seconds = sum(r["seconds"] for r in runs)
    p50s = [r["p50"] for r in runs if r["p50"] is not None]
    p99s = [r["p99"] for r in runs if r["p99"] is not None]
    return {"rps": requests / seconds, "errors": sum(r["errors"] for r in runs),
            "p50": round(sum(p50s) / len(p50s), 2) if p50s else None,
            "p99": max(p99s) if p99s else None, "tool": runs[0]["tool"],
            "cpu_ms": 1000 * sum(r["cpu_s"] for r in runs) / requests if requests else 0.0,
            "rounds": [{k: r[k] for k in ("rps", "p50", "cpu_s")} for r in runs]}


def _cookies(base: str, path: str, session: str) -> str:
    """The session cookie plus the CSRF cookie a browser gets on its first visit (pages
    are cached per CSRF cookie, and never for a browser that has none yet)."""
    request = urllib.request.Request(  # noqa: S310 (loopback, http)
        base + path, headers={"Cookie": f"sessionid={session}"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        response.read()
        found = re.search(r"csrftoken=([^;]+)", response.headers.get("Set-Cookie", ""))
    if not found:
        raise RuntimeError("the inbox set no CSRF cookie")
    return f"sessionid={session}; csrftoken={found.group(1)}"


def measure(*, seconds: int, connections: int, workers: int, log=print) -> dict:
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from monitoring.inbox_selectors import newest_case_marker

    from .dataset import bench_users

    manager, _officer, entity = bench_users()
    client = Client()
    client.force_login(manager)
    session = client.cookies["sessionid"].value
    load = _wrk if shutil.which("wrk") else _python_client
    proc, base = start_gunicorn(workers)
    try:
        kwargs = {"entity_slug": entity.slug}
        inbox = reverse("monitoring:inbox", kwargs=kwargs)
        cookie = _cookies(base, inbox, session)
        marker = newest_case_marker(manager, entity)
        urls = {
            "minimal": base + "/bench/minimal/",
            "inbox": base + inbox,
            "inbox_cold": base + reverse("bench_inbox_uncached", kwargs=kwargs),
            "poll": base + reverse("monitoring:inbox_poll", kwargs=kwargs) + f"?marker={marker}",
        }
        for url in urls.values():
            load(url, cookie, seconds=3, connections=connections)  # warm every worker
        pids = _server_pids(proc.pid, connection.settings_dict["NAME"])
        runs: dict[str, list[dict]] = {name: [] for name in urls}
        for _round in range(ROUNDS):
            for name, url in urls.items():
                cpu_before = _cpu_seconds(pids)
                run = load(url, cookie, seconds=max(1, seconds // ROUNDS),
                           connections=connections)
                run["cpu_s"] = _cpu_seconds(pids) - cpu_before
                run["seconds"] = max(1, seconds // ROUNDS)
                runs[name].append(run)
        results = {name: _combine(done) for name, done in runs.items()}
        for name, result in results.items():
            log(f"throughput: {name}: {result['rps']:.1f} requests/s, server CPU "
                f"{result['cpu_ms']:.2f} ms per request ({result['errors']} errors, "
                f"{result['tool']})")
    finally:
        stop(proc)
    ceiling = results["minimal"]["rps"]
    results["ratio"] = results["inbox"]["rps"] / ceiling
    results["ratio_cold"] = results["inbox_cold"]["rps"] / ceiling
    results["ratio_poll"] = results["poll"]["rps"] / ceiling
    # The same ratios from the server's CPU per request (client excluded): the figure the
    # requests/s ratio tends to when the server has the CPUs to itself.
    floor = results["minimal"]["cpu_ms"]
    for name, key in (("inbox", "cpu_ratio"), ("inbox_cold", "cpu_ratio_cold"),
                      ("poll", "cpu_ratio_poll")):
        results[key] = floor / results[name]["cpu_ms"] if results[name]["cpu_ms"] else None
    results.update(seconds=seconds, connections=connections, workers=workers)
    return results
