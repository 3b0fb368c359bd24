"""Shared helpers of `make bench`: environment checks, Django setup, percentiles, docs output."""

from __future__ import annotations

import os
import platform
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"


def require_services() -> str | None:
    """The reason the benchmark cannot run here, or None when PostgreSQL and Redis are set."""
    database = os.environ.get("DATABASE_URL", "")
    if not database.startswith(("postgres://", "postgresql://")):
        return ("DATABASE_URL must point at PostgreSQL (postgres://user@host:5432/dbname): the "
                "figures are for PostgreSQL, and the data set (1,000,000 mentions) is built "
                "there. Use a database of its own: `make bench` may drop and rebuild its schema.")
    if not os.environ.get("REDIS_URL", "").startswith("redis://"):
        return "REDIS_URL must point at Redis (redis://127.0.0.1:6379/11): the worker uses it."
    return None


def setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(q / 100 * len(ordered) + 0.4999)))
    return ordered[rank - 1]


def summary(values: list[float]) -> dict:
    return {"n": len(values), "p50": statistics.median(values), "p95": percentile(values, 95),
            "max": max(values)}


def machine_facts() -> dict:
    from django.db import connection

    mem_kb = 0
    try:
        with open("/proc/meminfo") as handle:
            for line in handle:
                if line.startswith("MemTotal:"):
                    mem_kb = int(line.split()[1])
    except OSError:
        pass
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
        cursor.execute("SHOW shared_buffers")
        shared_buffers = cursor.fetchone()[0]
    try:
        redis_version = subprocess.run(["redis-server", "--version"], capture_output=True,
                                       text=True, timeout=5).stdout.split()[2].lstrip("v=")
    except (OSError, IndexError, subprocess.SubprocessError):
        redis_version = "?"
    import django

    return {"cpus": os.cpu_count(), "cpu": cpu, "memory_gb": mem_kb / 1024 / 1024,
            "postgresql": pg, "shared_buffers": shared_buffers, "redis": redis_version,
            "python": platform.python_version(), "django": django.get_version(),
            "kernel": platform.release()}


def replace_section(title: str, markdown: str, *, path: Path | None = None) -> None:
    """Replace (or append) the `## title` section of docs/benchmarks.md; others are kept."""
    path = path or ROOT / "docs" / "benchmarks.md"
    text = path.read_text() if path.exists() else "# Benchmarks\n"
    header = f"## {title}\n"
    pattern = re.compile(r"^## " + re.escape(title) + r"\n.*?(?=^## |\Z)", re.S | re.M)
    body = header + markdown.strip() + "\n\n"
    if pattern.search(text):
        text = pattern.sub(lambda _m: body, text)
    else:
        text = text.rstrip() + "\n\n" + body
    path.write_text(text.rstrip() + "\n")
