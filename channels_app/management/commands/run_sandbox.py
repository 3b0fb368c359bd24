"""Serve the sandbox networks: `python manage.py run_sandbox [--port 8765]`."""

import os
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand

from channels_app.sandbox import make_sandbox_server


def default_address() -> tuple[str, int]:
    url = urlsplit(os.environ.get("SANDBOX_URL", "http://127.0.0.1:8765"))
    return url.hostname or "127.0.0.1", url.port or 8765


class Command(BaseCommand):
    help = "Serve the fake social networks (X, Facebook, Instagram, YouTube, Mastodon, Bluesky)."

    def add_arguments(self, parser):
        host, port = default_address()
        parser.add_argument("--host", default=host)
        parser.add_argument("--port", type=int, default=port)
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--rate", type=float, default=3.0,
                            help="citizen posts per minute per account (0 = only on demand)")
        parser.add_argument("--history", type=int, default=8,
                            help="posts per account already there at start")
        parser.add_argument("--verbose-requests", action="store_true")

    def handle(self, *args, **options):
        server, _app = make_sandbox_server(
            options["host"], options["port"], seed=options["seed"],
            rate_per_minute=options["rate"], history=options["history"],
            quiet=not options["verbose_requests"])
        self.stdout.write(f"Sandbox networks on http://{options['host']}:{options['port']}/"
                          "{x,facebook,instagram,youtube,mastodon,bluesky} (Ctrl-C stops)")
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
