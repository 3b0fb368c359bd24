"""Fixtures of the pipeline tests: mention builders, a pinned classifier, a scripted client."""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from channels_app.platforms.base import AuthorData, FetchResult, NormalizedMention

BASE_TIME = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


def nm(external_id, text="", *, author="c1", handle=None, platform="x", thread="",
       reply_to="", followers=150, account_created_at=None, minutes=0):
    """A NormalizedMention as a network client would return it."""
    return NormalizedMention(
        platform=platform, external_id=str(external_id),
        author=AuthorData(external_id=author, handle=handle or f"user_{author}",
                          name=f"Persona {author}", followers=followers,
                          account_created_at=account_created_at),
        text=text, created_at=BASE_TIME + timedelta(minutes=minutes),
        url=f"https://x.com/i/status/{external_id}", in_reply_to_external_id=reply_to,
        thread_external_id=thread, raw={"id": str(external_id), "text": text},
    )


@dataclass(frozen=True)
class Pinned:
    label: str
    pqrsd: str
    urgency: str
    sentiment: float
    confidence: float
    reasons: tuple


def pinned_classify(texts, platform=""):
    """Labels fixed by marker words, so queue tests do not depend on the trained model."""
    out = []
    for text in texts:
        upper = text.upper()
        urgency = "high" if "URGENTE" in upper else "normal"
        if "QUEJA" in upper:
            out.append(Pinned("complaint", "queja", urgency, -0.7, 0.9, ("queja",)))
        elif "PREGUNTA" in upper:
            out.append(Pinned("question", "peticion", urgency, 0.0, 0.8, ("pregunta",)))
        elif "GRACIAS" in upper:
            out.append(Pinned("praise", "felicitacion", "low", 0.8, 0.9, ("gracias",)))
        else:
            out.append(Pinned("other", "none", "low", 0.0, 0.5, ()))
    return out


@pytest.fixture
def pinned_classifier(monkeypatch):
    monkeypatch.setattr("monitoring.services._classify_texts", pinned_classify)
    return pinned_classify


class ScriptedClient:
    """A PlatformClient whose answers are scripted per call: FetchResult or an exception."""

    platform = "x"

    def __init__(self, script):
        self.script = list(script)
        self.calls = []

    def _next(self, kind, cursor, query=None):
        self.calls.append((kind, cursor, query))
        step = self.script.pop(0) if self.script else FetchResult(mentions=[], next_cursor=None)
        if isinstance(step, BaseException):
            raise step
        return step

    def fetch_mentions(self, cursor):
        return self._next("mentions", cursor)

    def search(self, query, cursor):
        return self._next("search", cursor, query)


@pytest.fixture
def scripted_client(monkeypatch):
    """scripted_client([FetchResult|Exception, ...]) -> the client every poll will use."""

    def install(script):
        client = ScriptedClient(script)
        monkeypatch.setattr("monitoring.services._get_client", lambda channel: client)
        return client

    return install
