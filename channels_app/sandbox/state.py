"""The sandbox's in-memory world: accounts, generated posts, replies received, faults.

Thread-safe (one re-entrant lock around every change). No database: restarting the
sandbox starts a new, reproducible world from the seed.
"""

from __future__ import annotations

import collections
import hashlib
import random
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Any

from .accounts import DEMO_ACCOUNTS, DemoAccount
from .generator import Citizen, Generator

B32 = "abcdefghijklmnopqrstuvwxyz234567"
LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TID_CHARS = "234567abcdefghijklmnopqrstuvwxyz"
FAULT_KINDS = ("rate_limit", "error_500", "slow", "timeout", "malformed", "truncated", "repeat",
               "auth", "expire_session", "revoke_password")


def stable_int(*parts: Any) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def digest_chars(alphabet: str, length: int, *parts: Any) -> str:
    raw = hashlib.sha256("|".join(str(p) for p in parts).encode()).digest()
    while len(raw) < length:
        raw += hashlib.sha256(raw).digest()
    return "".join(alphabet[b % len(alphabet)] for b in raw[:length])


@dataclass
class Account:
    platform: str
    account_id: str
    handle: str
    name: str
    token: str
    theme: str
    generator: Generator
    rng: random.Random
    followers: int = 0
    last_generated: float = 0.0
    own: list[Item] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str]:
        return (self.platform, self.account_id)


@dataclass
class Item:
    """One post, comment or reply on one network."""

    seq: int
    platform: str
    account_id: str
    id: str
    kind: str                       # citizen | own | reply (written through the API)
    text: str
    created: float
    label: str = ""
    citizen: Citizen | None = None
    parent_id: str = ""             # the item this answers ("" = top level)
    root_id: str = ""               # the conversation root
    container_id: str = ""          # Facebook post / Instagram media / YouTube video
    extra: dict[str, Any] = field(default_factory=dict)
    served: bool = False

    def ground_truth(self) -> dict:
        return {"platform": self.platform, "account_id": self.account_id, "id": self.id,
                "label": self.label, "text": self.text, "created": self.created,
                "author": self.citizen.handle if self.citizen else "",
                "suspicious": bool(self.citizen and self.citizen.suspicious),
                "in_reply_to": self.parent_id, "thread": self.root_id,
                "served": self.served}


@dataclass
class Fault:
    kind: str
    remaining: int                  # -1 = until reset
    platform: str = ""              # "" = every network
    path: str = ""                  # only requests whose path contains this
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, platform: str, path: str) -> bool:
        return (not self.platform or self.platform == platform) and \
            (not self.path or self.path in path)


class World:
    def __init__(self, *, seed: int = 2026, rate_per_minute: float = 3.0, history: int = 8,
                 clock=time.time):
        self.seed = seed
        self.rate_per_minute = rate_per_minute
        self.history = history
        self.clock = clock
        self.lock = threading.RLock()
        self.reset()

    # --- lifecycle ---------------------------------------------------------------------
    def reset(self, *, seed: int | None = None, rate_per_minute: float | None = None,
              history: int | None = None):
        with self.lock:
            if seed is not None:
                self.seed = seed
            if rate_per_minute is not None:
                self.rate_per_minute = rate_per_minute
            if history is not None:
                self.history = history
            self.seq = 0
            self.accounts: dict[tuple[str, str], Account] = {}
            self.items: dict[tuple[str, str], list[Item]] = {}
            self.by_id: dict[tuple[str, str], Item] = {}
            self.replies: list[dict] = []
            self.faults: list[Fault] = []
            self.sessions: dict[str, dict] = {}
            self.idempotency: dict[tuple[str, str], dict] = {}
            # the last requests, for tests and debugging (bounded: the demo runs for days)
            self.requests: collections.deque[dict] = collections.deque(maxlen=5000)
            self.rate_windows: dict[tuple[str, str], list] = {}
            for demo in DEMO_ACCOUNTS:
                self._add_account(demo)

    def _add_account(self, demo: DemoAccount) -> Account:
        rng = random.Random(stable_int(self.seed, demo.platform, demo.account_id))  # noqa: S311
        account = Account(platform=demo.platform, account_id=demo.account_id,
                          handle=demo.handle, name=demo.name, token=demo.token,
                          theme=demo.theme, generator=Generator(rng, demo.theme), rng=rng,
                          followers=rng.randint(800, 45000))
        self.accounts[account.key] = account
        self.items[account.key] = []
        now = self.clock()
        for index, text in enumerate(account.generator.own_posts()):
            created = now - 86400 * (len(account.generator.own_posts()) - index) - 3600
            self._new_item(account, kind="own", text=text, created=created)
        if self.history:
            start = now - 3 * 3600
            for index in range(self.history):
                self.generate(account, created=start + index * (3 * 3600 / self.history))
        account.last_generated = now
        return account

    def account(self, platform: str, account_id: str, *, create: bool = True) -> Account | None:
        with self.lock:
            account = self.accounts.get((platform, account_id))
            if account is None and create and account_id:
                demo = DemoAccount(platform, "alcaldia", account_id,
                                   f"cuenta{stable_int(account_id) % 10000}",
                                   "Alcaldía de San Isidro del Valle",
                                   f"sandbox-{platform}-{account_id}", "")
                account = self._add_account(demo)
            return account

    def account_by_token(self, platform: str, token: str) -> Account | None:
        with self.lock:
            for account in self.accounts.values():
                if account.platform == platform and account.token == token:
                    return account
        return None

    def account_by_handle(self, platform: str, handle: str) -> Account | None:
        with self.lock:
            for account in self.accounts.values():
                if account.platform == platform and handle in (account.handle,
                                                               account.account_id):
                    return account
        return None

    # --- ids ---------------------------------------------------------------------------
    def _ids(self, account: Account, item: Item, parent: Item | None) -> None:
        seq, platform = item.seq, account.platform
        rng = account.rng
        if platform == "x":
            item.id = str(1890000000000000000 + seq * 4096 + rng.randint(0, 4095))
        elif platform == "facebook":
            if item.kind == "own" or item.extra.get("visitor_post") or not item.container_id:
                item.id = f"{account.account_id}_{100000000000000 + seq}"
            else:
                post_number = item.container_id.rsplit("_", 1)[-1]
                item.id = f"{post_number}_{200000000000000 + seq}"
        elif platform == "instagram":
            item.id = str((17918195224100000 if item.kind == "own" else 17870913679100000) + seq)
        elif platform == "youtube":
            if item.kind == "own":
                item.id = digest_chars(
                    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-", 11,
                    self.seed, account.account_id, seq)
            elif parent is not None and parent.kind != "own":
                suffix = digest_chars(LETTERS[:32], 22, seq)
                item.id = f"{parent.root_id}.{suffix}"
            else:
                item.id = "Ugz" + digest_chars(LETTERS, 20, self.seed, seq) + "4AaABAg"
        elif platform == "mastodon":
            item.id = str(113000000000000000 + seq * 65536)
            item.extra["notification_id"] = str(34975000 + seq)
        elif platform == "bluesky":
            did = account.account_id if item.kind != "citizen" else self.citizen_id(
                "bluesky", item.citizen)
            micros = int(item.created * 1_000_000)
            tid = ""
            value = (micros << 10) | (seq & 1023)
            for _ in range(13):
                tid = TID_CHARS[value & 31] + tid
                value >>= 5
            item.id = f"at://{did}/app.bsky.feed.post/{tid}"
            item.extra["cid"] = "bafyrei" + digest_chars(B32, 52, self.seed, seq)
            item.extra["indexed"] = item.created + 0.4
        else:  # pragma: no cover - only the six networks are served
            item.id = str(seq)

    def citizen_id(self, platform: str, citizen: Citizen | None) -> str:
        if citizen is None:
            return ""
        number = stable_int(self.seed, citizen.key)
        if platform == "x":
            return str(1600000000000000000 + number)
        if platform == "facebook":
            return str(6543210000000000 + number)
        if platform == "instagram":
            return str(17841400000000000 + number)
        if platform == "youtube":
            return "UC" + digest_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123",
                                       22, citizen.key)
        if platform == "mastodon":
            return str(971000 + number % 100000)
        if platform == "bluesky":
            return "did:plc:" + digest_chars(B32, 24, citizen.key)
        return citizen.key

    # --- items -------------------------------------------------------------------------
    def _new_item(self, account: Account, *, kind: str, text: str, created: float,
                  label: str = "", citizen: Citizen | None = None, parent: Item | None = None,
                  container: Item | None = None, extra: dict | None = None) -> Item:
        self.seq += 1
        item = Item(seq=self.seq, platform=account.platform, account_id=account.account_id,
                    id="", kind=kind, text=text, created=created, label=label,
                    citizen=citizen, extra=dict(extra or {}))
        if parent is not None:
            item.parent_id = parent.id
            item.container_id = parent.container_id or parent.id
        if container is not None:
            item.container_id = container.id
        self._ids(account, item, parent)
        item.root_id = (parent.root_id or parent.id) if parent is not None else item.id
        if account.platform == "youtube" and parent is not None and parent.kind == "own":
            item.root_id = item.id  # a top-level comment starts its own thread
        if account.platform == "facebook" and not item.parent_id and item.container_id:
            item.parent_id = item.container_id
            item.root_id = item.container_id
        self.items[account.key].append(item)
        self.by_id[(account.platform, item.id)] = item
        if kind == "own":
            account.own.append(item)
        return item

    def generate(self, account: Account, *, created: float | None = None, label: str | None = None,
                 text: str | None = None, author: str | None = None,
                 in_reply_to: str | None = None) -> Item:
        """One citizen post on `account`, structured as that network structures it."""
        with self.lock:
            created = self.clock() if created is None else created
            rng = account.rng
            platform = account.platform
            handle = account.handle
            citizens = [i for i in self.items[account.key][-25:] if i.kind == "citizen"]
            parent = self.by_id.get((platform, in_reply_to)) if in_reply_to else None
            if parent is None and text is None and citizens and rng.random() < 0.22:
                previous = rng.choice(citizens)
                post = account.generator.follow_up(handle, previous.label, previous.citizen)
                parent = previous
            else:
                post = account.generator.post(handle, label=label)
            citizen = post.citizen
            if author:
                citizen = Citizen(key=f"h:{author}", name=author, handle=author, followers=10,
                                  account_age_days=365)
            body = text if text is not None else post.text
            extra: dict[str, Any] = {}
            container = None
            if parent is not None and platform in ("youtube", "instagram") and parent.kind != "own":
                # one level of replies: answer the thread's top-level comment
                parent = self.by_id.get((platform, parent.root_id), parent)
            if parent is None and account.own:
                if platform in ("facebook", "instagram", "youtube"):
                    if platform == "facebook" and rng.random() < 0.12:
                        extra["visitor_post"] = True
                    else:
                        container = rng.choice(account.own)
                elif platform in ("x", "bluesky", "mastodon") and rng.random() < 0.35:
                    parent = rng.choice(account.own)
            item = self._new_item(account, kind="citizen", text=body, created=created,
                                  label=label or post.label, citizen=citizen, parent=parent,
                                  container=container, extra=extra)
            return item

    def catch_up(self, account: Account) -> None:
        """Generate the posts due since the last call (rate_per_minute per account)."""
        if self.rate_per_minute <= 0:
            return
        with self.lock:
            now = self.clock()
            interval = 60.0 / self.rate_per_minute
            due = int((now - account.last_generated) / interval)
            if due <= 0:
                return
            skipped = max(0, due - 30)  # after a long pause, do not flood
            start = account.last_generated + skipped * interval
            for index in range(due - skipped):
                created = start + (index + 1) * interval
                created += account.rng.uniform(-interval / 3, 0)
                self.generate(account, created=min(created, now))
            account.last_generated += due * interval

    def list_items(self, account: Account, *, kinds=("citizen",)) -> list[Item]:
        self.catch_up(account)
        with self.lock:
            return [i for i in self.items[account.key] if i.kind in kinds]

    def get(self, platform: str, item_id: str) -> Item | None:
        with self.lock:
            return self.by_id.get((platform, item_id))

    def record_reply(self, account: Account, *, parent: Item | None, text: str,
                     idempotency_key: str = "", extra: dict | None = None) -> Item:
        with self.lock:
            item = self._new_item(account, kind="reply", text=text, created=self.clock(),
                                  parent=parent, extra=extra)
            if parent is not None and account.platform in ("youtube", "instagram"):
                item.root_id = parent.root_id or parent.id
            self.replies.append({
                "platform": account.platform, "account_id": account.account_id,
                "id": item.id, "in_reply_to": parent.id if parent else "", "text": text,
                "idempotency_key": idempotency_key, "created": item.created})
            return item

    def mark_served(self, items) -> None:
        with self.lock:
            for item in items:
                item.served = True

    # --- faults ------------------------------------------------------------------------
    def add_fault(self, kind: str, *, count: int = 1, platform: str = "", path: str = "",
                  **params) -> Fault:
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}")
        fault = Fault(kind=kind, remaining=count, platform=platform, path=path, params=params)
        with self.lock:
            self.faults.append(fault)
        return fault

    def take_fault(self, kind: str, platform: str, path: str) -> Fault | None:
        with self.lock:
            for fault in self.faults:
                if fault.kind == kind and fault.remaining != 0 and fault.matches(platform, path):
                    if fault.remaining > 0:
                        fault.remaining -= 1
                    return fault
        return None

    def clear_faults(self):
        with self.lock:
            self.faults = []

    # --- rate limits -------------------------------------------------------------------
    def rate_window(self, platform: str, who: str, *, limit: int, window: float) -> tuple[int, int,
                                                                                          float]:
        """Count one call; (limit, remaining, reset epoch) of the current window."""
        with self.lock:
            now = self.clock()
            start, used = self.rate_windows.get((platform, who), (now, 0))
            if now - start >= window:
                start, used = now, 0
            used += 1
            self.rate_windows[(platform, who)] = [start, used]
            return limit, max(0, limit - used), start + window
