"""Sandbox networks: a local fake of X, Facebook, Instagram, YouTube, Mastodon and Bluesky.

`python manage.py run_sandbox` serves `app.SandboxApp` (one WSGI app, one port, a path
prefix per network). No database: the state is in memory and reproducible from the seed.
See docs/platforms.md for the control endpoints and fault switches.
"""

from .app import SandboxApp, make_sandbox_server

__all__ = ["SandboxApp", "make_sandbox_server"]
