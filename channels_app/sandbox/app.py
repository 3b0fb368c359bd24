"""The sandbox as one WSGI application: six fake networks behind one port, plus controls.

    /x/...          X API v2              /mastodon/...   Mastodon
    /facebook/...   Graph API (Pages)     /bluesky/...    AT Protocol XRPC
    /instagram/...  Graph API (IG)        /youtube/...    YouTube Data v3
    /_sandbox/...   controls for tests and demos (see `SandboxApp.control`)

Graph paths may carry the version (`/facebook/v25.0/{page-id}/feed`) and YouTube paths
the `/youtube/v3` of the official base URL, so a channel's api_base_url is the official
one with the host replaced.
"""

from __future__ import annotations

import json
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import httpx

from channels_app.platforms.signatures import meta_signature, x_signature

from . import networks
from .accounts import PREFIXES
from .state import FAULT_KINDS, World

STATUS_TEXT = {200: "OK", 201: "Created", 204: "No Content", 400: "Bad Request",
               401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
               405: "Method Not Allowed", 413: "Payload Too Large",
               422: "Unprocessable Entity", 429: "Too Many Requests",
               500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable"}


@dataclass
class Request:
    method: str
    platform: str
    path: str                       # after the network prefix (and Graph/YouTube version)
    query: dict[str, list[str]]
    headers: dict[str, str]         # lower-case names
    body: bytes
    base_url: str                   # scheme://host/prefix[/version], for absolute links

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[-1] if values else default

    def args(self, name: str) -> list[str]:
        return self.query.get(name, [])

    def int_arg(self, name: str, default: int) -> int:
        value = self.arg(name)
        return int(value) if value.lstrip("-").isdigit() else default

    def json(self) -> Any:
        if not self.body:
            return {}
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def form(self) -> dict[str, str]:
        content_type = self.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" in content_type:
            parsed = parse_qs(self.body.decode("utf-8", "replace"))
            return {k: v[-1] for k, v in parsed.items()}
        data = self.json()
        return data if isinstance(data, dict) else {}

    def bearer(self) -> str:
        auth = self.headers.get("authorization", "")
        return auth[7:].strip() if auth.lower().startswith("bearer ") else ""


@dataclass
class Response:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes | None = None

    def encode(self) -> bytes:
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        return json.dumps(self.body, ensure_ascii=False).encode()


def json_response(body: Any, status: int = 200, **headers: str) -> Response:
    return Response(status=status, body=body, headers=dict(headers))


class SandboxApp:
    """WSGI callable. `world` holds the state; tests may reach it directly."""

    def __init__(self, *, seed: int = 2026, rate_per_minute: float = 3.0, history: int = 8,
                 clock=time.time):
        self.world = World(seed=seed, rate_per_minute=rate_per_minute, history=history,
                           clock=clock)
        self.handlers = networks.HANDLERS

    # --- WSGI --------------------------------------------------------------------------
    def __call__(self, environ, start_response):
        response = self.handle(environ)
        body = response.encode()
        headers = {"Content-Type": "application/json; charset=utf-8", **response.headers}
        if response.raw is not None and "Content-Type" not in response.headers:
            headers["Content-Type"] = "application/json; charset=utf-8"
        headers["Content-Length"] = str(len(body))
        start_response(f"{response.status} {STATUS_TEXT.get(response.status, 'Status')}",
                       list(headers.items()))
        return [body]

    def handle(self, environ) -> Response:
        path = environ.get("PATH_INFO", "") or "/"
        method = environ.get("REQUEST_METHOD", "GET").upper()
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length else b""
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
                   if key.startswith("HTTP_")}
        if environ.get("CONTENT_TYPE"):
            headers["content-type"] = environ["CONTENT_TYPE"]
        host = environ.get("HTTP_HOST") or f"{environ.get('SERVER_NAME')}:" \
                                           f"{environ.get('SERVER_PORT')}"
        root = f"{environ.get('wsgi.url_scheme', 'http')}://{host}"
        parts = path.strip("/").split("/", 1)
        prefix = parts[0]
        rest = "/" + (parts[1] if len(parts) > 1 else "")
        if prefix == "_sandbox":
            try:
                return self.control(method, rest, query, body)
            except (ValueError, TypeError, KeyError) as exc:
                return json_response({"error": f"bad control request: {exc}"}, 400)
        if prefix not in PREFIXES:
            return json_response({"error": "not found", "networks": list(PREFIXES)}, 404)
        base = f"{root}/{prefix}"
        version = re.match(r"^/(v\d+\.\d+)(/.*)?$", rest) if prefix in ("facebook",
                                                                         "instagram") else None
        if version:
            base, rest = f"{base}/{version.group(1)}", version.group(2) or "/"
        if prefix == "youtube" and rest.startswith("/youtube/v3"):
            base, rest = f"{base}/youtube/v3", rest[len("/youtube/v3"):] or "/"
        request = Request(method=method, platform=prefix, path=rest, query=query,
                          headers=headers, body=body, base_url=base)
        self.world.requests.append({"platform": prefix, "method": method, "path": rest,
                                    "query": query, "body": body.decode("utf-8", "replace")})
        return self.api(request)

    def api(self, request: Request) -> Response:
        handler = self.handlers[request.platform]
        world = self.world
        fault = world.take_fault("slow", request.platform, request.path)
        if fault is not None:
            time.sleep(float(fault.params.get("seconds", 2)))
        fault = world.take_fault("timeout", request.platform, request.path)
        if fault is not None:
            time.sleep(float(fault.params.get("seconds", 5)))
        if world.take_fault("error_500", request.platform, request.path):
            return handler.server_error(request)
        fault = world.take_fault("rate_limit", request.platform, request.path)
        if fault is not None:
            return handler.rate_limited(request, float(fault.params.get("reset_in", 30)))
        if world.take_fault("auth", request.platform, request.path):
            return handler.unauthorised(request)
        try:
            response = handler.dispatch(world, request)
        except networks.ApiError as exc:
            response = exc.response
        if world.take_fault("malformed", request.platform, request.path):
            response.raw = response.encode()[: max(1, len(response.encode()) // 2)] + b"{\"oops"
        return response

    # --- controls ----------------------------------------------------------------------
    def control(self, method: str, path: str, query: dict, body: bytes) -> Response:
        world = self.world
        data = json.loads(body) if body else {}
        if not isinstance(data, dict):
            raise ValueError("expected a JSON object")
        if path == "/health":
            return json_response({"ok": True, "seed": world.seed})
        if path == "/reset" and method == "POST":
            world.reset(seed=data.get("seed"), rate_per_minute=data.get("rate_per_minute"),
                        history=data.get("history"))
            return json_response({"ok": True, "seed": world.seed,
                                  "rate_per_minute": world.rate_per_minute})
        if path == "/faults":
            if method == "POST":
                kind = data.get("kind", "")
                if kind not in FAULT_KINDS:
                    return json_response({"error": f"kind must be one of {FAULT_KINDS}"}, 400)
                params = {k: v for k, v in data.items()
                          if k not in ("kind", "count", "platform", "path")}
                world.add_fault(kind, count=int(data.get("count", 1)),
                                platform=data.get("platform", ""), path=data.get("path", ""),
                                **params)
            elif method == "DELETE":
                world.clear_faults()
            return json_response({"faults": [f.__dict__ for f in world.faults]})
        if path == "/posts" and method == "POST":
            account = world.account(data["platform"], str(data["account_id"]))
            if account is None:
                return json_response({"error": "unknown account"}, 404)
            count = int(data.get("count", 1))
            items = [world.generate(account, label=data.get("label"), text=data.get("text"),
                                    author=data.get("author"),
                                    in_reply_to=data.get("in_reply_to"))
                     for _ in range(count)]
            return json_response({"items": [i.ground_truth() for i in items]}, 201)
        if path == "/replies":
            with world.lock:
                replies = [r for r in world.replies
                           if not query.get("platform") or r["platform"] == query["platform"][0]]
            return json_response({"replies": replies})
        if path == "/ground-truth":
            platform = query.get("platform", [""])[0]
            account_id = query.get("account_id", [""])[0]
            with world.lock:
                items = [i.ground_truth() for key, items in world.items.items()
                         for i in items if i.kind == "citizen"
                         and (not platform or key[0] == platform)
                         and (not account_id or key[1] == account_id)]
            return json_response({"items": items})
        if path == "/requests":
            return json_response({"requests": list(world.requests)[-200:]})
        if path == "/webhooks/deliver" and method == "POST":
            return self.deliver_webhook(data)
        return json_response({"error": "unknown control"}, 404)

    def deliver_webhook(self, data: dict) -> Response:
        """Generate posts and POST them, signed, to `target` as Meta or X would."""
        platform = data["platform"]
        account = self.world.account(platform, str(data["account_id"]))
        if account is None:
            return json_response({"error": "unknown account"}, 404)
        secret = str(data.get("secret", "sandbox-app-secret")).encode()
        items = [self.world.generate(account, label=data.get("label"), text=data.get("text"))
                 for _ in range(int(data.get("count", 1)))]
        payload = networks.webhook_payload(self.world, account, items)
        # ensure_ascii: Meta escapes non-ASCII as \\uXXXX; the signature covers these bytes.
        raw = json.dumps(payload, ensure_ascii=platform != "x").encode()
        if platform == "x":
            headers = {"x-twitter-webhooks-signature": x_signature(secret, raw)}
        else:
            headers = {"X-Hub-Signature-256": meta_signature(secret, raw)}
        headers["Content-Type"] = "application/json"
        if data.get("forge"):
            headers = {k: (v[:-4] + "abcd" if "signature" in k.lower() else v)
                       for k, v in headers.items()}
        try:
            answer = httpx.post(data["target"], content=raw, headers=headers, timeout=10)
            status, text = answer.status_code, answer.text[:500]
        except httpx.HTTPError as exc:
            status, text = 0, str(exc)
        return json_response({"status": status, "answer": text, "payload": payload,
                              "headers": headers, "items": [i.ground_truth() for i in items]})


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the stdlib
        pass


class ThreadingWSGIServer(WSGIServer):
    """wsgiref's server, one thread per request (a slow answer must not block the rest)."""

    daemon_threads = True
    allow_reuse_address = True

    def process_request(self, request, client_address):
        thread = threading.Thread(target=self._handle, args=(request, client_address),
                                  daemon=True)
        thread.start()

    def _handle(self, request, client_address):
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - keep serving whatever one connection did
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)


def make_sandbox_server(host: str = "127.0.0.1", port: int = 8765, *, app: SandboxApp | None = None,
                        quiet: bool = True, **options) -> tuple[WSGIServer, SandboxApp]:
    app = app or SandboxApp(**options)
    server = make_server(host, port, app, server_class=ThreadingWSGIServer,
                         handler_class=_QuietHandler if quiet else WSGIRequestHandler)
    return server, app
