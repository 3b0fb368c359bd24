"""The sandbox networks over real HTTP for the resilience and security tests."""

import threading
from contextlib import contextmanager

import httpx

from channels_app.sandbox.accounts import BASE_PATHS, DEMO_ACCOUNTS

# The demo accounts of the "alcaldía" theme: one per network, with the token it accepts.
ACCOUNTS = {a.platform: a for a in DEMO_ACCOUNTS if a.theme == "alcaldia"}
PLATFORMS = sorted(ACCOUNTS)


@contextmanager
def running_sandbox(**options):
    """A fresh sandbox on a free port (clients cache sessions per base URL)."""
    from channels_app.sandbox.app import make_sandbox_server

    options.setdefault("rate_per_minute", 0.0)
    options.setdefault("history", 0)
    server, _app = make_sandbox_server("127.0.0.1", 0, **options)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def channel_kwargs(sandbox: str, platform: str) -> dict:
    account = ACCOUNTS[platform]
    return {"platform": platform, "handle": account.handle, "account_id": account.account_id,
            "api_base_url": sandbox + BASE_PATHS[platform], "access_token": account.token}


def post(sandbox, platform, count, **extra) -> list[dict]:
    answer = httpx.post(f"{sandbox}/_sandbox/posts", json={
        "platform": platform, "account_id": ACCOUNTS[platform].account_id, "count": count,
        **extra})
    assert answer.status_code == 201, answer.text
    return answer.json()["items"]


def fault(sandbox, kind, platform, count=1, **params) -> None:
    answer = httpx.post(f"{sandbox}/_sandbox/faults", json={
        "kind": kind, "platform": platform, "count": count, **params})
    assert answer.status_code == 200, answer.text


def truth(sandbox, platform) -> set[str]:
    return {i["id"] for i in httpx.get(f"{sandbox}/_sandbox/ground-truth", params={
        "platform": platform, "account_id": ACCOUNTS[platform].account_id}).json()["items"]}
