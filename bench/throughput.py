"""Requests per second of the inbox under gunicorn, beside a minimal Django view (the ceiling).

A third URL serves the inbox through the bench-only prototype of the fix (bench/urls.py: the
page reused while the queue's marker is unchanged), to measure what that fix would give.

Both are served by the same gunicorn (bench.settings: same middleware, session, persistent
database connections), loaded in the same run by the same client on loopback: `wrk` when
installed, else a small threaded Python client. The ratio inbox / minimal view is the figure.
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


def measure(*, seconds: int, connections: int, workers: int, log=print) -> dict:
    from django.test import Client
    from django.urls import reverse

    from .dataset import bench_users

    manager, _officer, entity = bench_users()
    client = Client()
    client.force_login(manager)
    cookie = f"sessionid={client.cookies['sessionid'].value}"
    load = _wrk if shutil.which("wrk") else _python_client
    proc, base = start_gunicorn(workers)
    try:
        inbox = base + reverse("monitoring:inbox", kwargs={"entity_slug": entity.slug})
        minimal = base + "/bench/minimal/"
        cached = base + reverse("bench_inbox_cached", kwargs={"entity_slug": entity.slug})
        results = {}
        for name, url in (("minimal", minimal), ("inbox", inbox), ("inbox_cached", cached)):
            load(url, cookie, seconds=3, connections=connections)  # warm every worker
            results[name] = load(url, cookie, seconds=seconds, connections=connections)
            log(f"throughput: {name}: {results[name]['rps']:.1f} requests/s "
                f"({results[name]['errors']} errors, {results[name]['tool']})")
    finally:
        stop(proc)
    results["ratio"] = results["inbox"]["rps"] / results["minimal"]["rps"]
    results["ratio_cached"] = results["inbox_cached"]["rps"] / results["minimal"]["rps"]
    results.update(seconds=seconds, connections=connections, workers=workers)
    return results
