"""`make run`: web, Celery worker with beat and the sandbox networks in one terminal.

Embedded defaults: SQLite and a SQLite-backed broker, so nothing else has to be installed.
Ctrl-C stops everything.
"""

import os
import signal
import subprocess
import sys
import time

HOST = os.environ.get("RUN_HOST", "127.0.0.1")
PORT = os.environ.get("RUN_PORT", "8000")


def commands() -> list[tuple[str, list[str]]]:
    python = sys.executable
    procs = [
        ("web", [python, "manage.py", "runserver", f"{HOST}:{PORT}", "--noreload"]),
        # One worker process with the beat scheduler embedded: enough for a demo on SQLite.
        ("worker", [python, "-m", "celery", "-A", "config", "worker", "--beat",
                    "--loglevel=INFO", "--concurrency=2", "-Q", "celery,ingest,publish,sweeps"]),
    ]
    sandbox = os.path.join(os.path.dirname(__file__), "..", "channels_app", "sandbox")
    if os.path.isdir(sandbox):
        procs.append(("sandbox", [python, "manage.py", "run_sandbox"]))
    return procs


def main() -> int:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings.local")
    running = [(name, subprocess.Popen(cmd, env=env)) for name, cmd in commands()]  # noqa: S603
    print(f"\n  Redes Estado: http://{HOST}:{PORT}/   (admin: http://{HOST}:{PORT}/admin/)")
    print("  Demo logins printed above by seed_demo. Ctrl-C stops everything.\n", flush=True)
    try:
        while all(proc.poll() is None for _name, proc in running):
            time.sleep(1)
        for name, proc in running:
            if proc.poll() is not None:
                print(f"{name} stopped with exit code {proc.returncode}", file=sys.stderr)
    except KeyboardInterrupt:
        pass
    finally:
        for _name, proc in running:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for _name, proc in running:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
    return 0


if __name__ == "__main__":
    sys.exit(main())
