"""Bluesky (AT Protocol XRPC): notifications, searchPosts, replies with createRecord.

The channel's token is an app password: the client logs in with
`com.atproto.server.createSession` (identifier = handle, or the DID in account_id) and
reuses the session for the process (createSession is limited to 30 per 5 minutes).
When a call's session is refused (`ExpiredToken`, `InvalidToken`, 401) the client
refreshes it (`refreshSession`), or, if that fails, logs in again, and sends the call
once more: at most one login per call. Only a refused login is an `AuthError`.
listNotifications has no `since`: pages are read newest first down to an `indexedAt`
watermark (`common.NewestFirstWalk`). A reply needs strong refs to the parent and the
thread root, taken from the mention's record (or `getPosts` when only a URI is given).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from .base import (
    AuthError,
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    Profile,
    PublishedReply,
    RateLimited,
    TransientError,
)
from .common import (
    EPOCH,
    BaseClient,
    NewestFirstWalk,
    as_dict,
    as_list,
    dig,
    int_or_none,
    iso,
    parse_time,
    require_dict,
    text_of,
)

# The session's JWT was refused: renew it. The account's own state: reconnect the channel.
SESSION_ERRORS = {"ExpiredToken", "InvalidToken", "AuthenticationRequired"}
ACCOUNT_ERRORS = {"AccountTakedown", "AuthFactorTokenRequired", "AccountDeactivated"}
_sessions: dict[tuple[str, str], dict] = {}
_sessions_lock = threading.Lock()


class SessionRejected(AuthError):
    """The network refused the session (expired, revoked or unknown JWT), not the app
    password: renew the session and send the call again before giving up."""


def rkey_of(uri: str) -> str:
    return uri.rsplit("/", 1)[-1] if uri.startswith("at://") else ""


def post_url(handle: str, uri: str) -> str:
    rkey = rkey_of(uri)
    return f"https://bsky.app/profile/{handle}/post/{rkey}" if handle and rkey else ""


def parse_author(author: Any) -> AuthorData:
    author = as_dict(author)
    handle = text_of(author.get("handle"))
    return AuthorData(
        external_id=text_of(author.get("did")), handle=handle,
        name=text_of(author.get("displayName")),
        followers=int_or_none(author.get("followersCount")),
        account_created_at=parse_time(author.get("createdAt")),
        profile_url=f"https://bsky.app/profile/{handle}" if handle else "")


def parse_item(item: Any) -> NormalizedMention | None:
    """A notification or a postView: both carry uri, cid, author, record, indexedAt."""
    item = as_dict(item)
    uri = text_of(item.get("uri"))
    record = as_dict(item.get("record"))
    created = parse_time(record.get("createdAt")) or parse_time(item.get("indexedAt"))
    if not uri or created is None:
        return None
    author = parse_author(item.get("author"))
    parent = text_of(dig(record, "reply", "parent", "uri"))
    root = text_of(dig(record, "reply", "root", "uri"))
    return NormalizedMention(
        platform="bluesky", external_id=uri, author=author, text=text_of(record.get("text")),
        created_at=created, url=post_url(author.handle, uri), in_reply_to_external_id=parent,
        thread_external_id=root or uri, raw=item)


def indexed_at(mention: NormalizedMention) -> datetime:
    return parse_time(mention.raw.get("indexedAt")) or mention.created_at or EPOCH


class BlueskyClient(BaseClient):
    platform = "bluesky"
    official_base_url = "https://bsky.social"
    page_size = 50
    max_post_chars = 300  # graphemes; code points are a safe upper bound for Spanish text

    def auth_headers(self) -> dict[str, str]:
        return {}  # set after createSession

    def classify_error(self, response: httpx.Response, payload: Any):
        name = text_of(dig(payload, "error"))
        message = text_of(dig(payload, "message"))[:300]
        if name in ACCOUNT_ERRORS:
            return AuthError(f"Bluesky: {name} {message}", status=response.status_code)
        if name in SESSION_ERRORS or response.status_code == 401:
            return SessionRejected(f"Bluesky session refused: {name or 401} {message}",
                                   status=response.status_code)
        if name == "UpstreamFailure":
            return TransientError(f"Bluesky upstream failure: {message}",
                                  status=response.status_code)
        return None

    # --- session -------------------------------------------------------------------------
    # The channel holds an app password, not a session: a session the network refuses
    # (expired, revoked, or dropped by an answer that never arrived) is renewed, with
    # refreshSession or else createSession, and only a refused login means the channel
    # needs reconnecting.
    @property
    def identifier(self) -> str:
        return self.handle or self.account_id

    def _session_key(self) -> tuple[str, str]:
        return (self.base_url, self.identifier)

    def _cached(self) -> dict | None:
        with _sessions_lock:
            return _sessions.get(self._session_key())

    def _use(self, session: dict | None) -> dict | None:
        """Share `session` with the process (None forgets it) and send its access JWT."""
        with _sessions_lock:
            if session is None:
                _sessions.pop(self._session_key(), None)
            else:
                _sessions[self._session_key()] = session
        if session is None:
            self.transport.headers.pop("Authorization", None)
        else:
            self.transport.headers["Authorization"] = f"Bearer {session['accessJwt']}"
        return session

    def _login(self) -> dict:
        """createSession with the app password; AuthError when the network refuses it."""
        if not self.token:
            raise AuthError("Bluesky needs an app password to log in")
        self._use(None)  # a dead session's JWT has no business on the login request
        try:
            payload, _r = self.transport.request(
                "POST", "/xrpc/com.atproto.server.createSession",
                json_body={"identifier": self.identifier, "password": self.token})
        except (AuthError, PermanentError) as exc:  # 401 bad password, 400 takedown...
            raise AuthError(f"Bluesky login refused: {exc}", status=exc.status) from exc
        session = require_dict(payload, "Bluesky session")
        if not text_of(session.get("accessJwt")):
            raise TransientError("Bluesky login answered without a session")
        return self._use(session)

    def _refresh(self, rejected: dict) -> dict | None:
        """A session to use instead of `rejected`, without logging in: the one another call
        renewed meanwhile, or refreshSession's. None (and nothing cached) when the refresh
        JWT is refused or the answer is lost: the network may have rotated it anyway, so
        the old session must not be kept. A rate limit or a suspended account is raised."""
        current = self._cached()
        if current is not None and current is not rejected:
            return self._use(current)
        try:
            payload, _r = self.transport.request(
                "POST", "/xrpc/com.atproto.server.refreshSession",
                headers={"Authorization": f"Bearer {text_of(rejected.get('refreshJwt'))}"})
        except RateLimited:
            raise
        except (SessionRejected, PermanentError, TransientError):
            payload = None
        if not isinstance(payload, dict) or not text_of(payload.get("accessJwt")):
            self._use(None)
            return None
        return self._use(payload)

    def _session(self) -> dict:
        """The process's session for this account (its JWT now on this client's transport),
        else a new login."""
        cached = self._cached()
        return self._use(cached) if cached is not None else self._login()

    def _send(self, method: str, nsid: str, kwargs: dict) -> Any:
        return self.transport.request(method, f"/xrpc/{nsid}", **kwargs)[0]

    def _call(self, method: str, nsid: str, **kwargs) -> Any:
        """One XRPC call. A refused session is refreshed, else replaced by a new login, and
        the call sent again; at most one login per call (createSession is limited to 30
        per 5 minutes), so a network that refuses every session cannot make us loop."""
        cached = self._cached()
        session = self._use(cached) if cached is not None else self._login()
        try:
            return self._send(method, nsid, kwargs)
        except SessionRejected as exc:
            rejected = exc
        if self._refresh(session) is not None:
            try:
                return self._send(method, nsid, kwargs)
            except SessionRejected as exc:
                rejected = exc
        if cached is not None:  # no login yet in this call
            self._login()  # AuthError here: the app password itself is refused
            try:
                return self._send(method, nsid, kwargs)
            except SessionRejected as exc:
                rejected = exc
        # The app password logs in, so reconnecting the channel would not help: the network
        # refuses fresh sessions for now. A transient failure; the poller retries later.
        raise TransientError(f"Bluesky refuses a fresh session: {rejected}",
                             status=rejected.status) from rejected

    @property
    def did(self) -> str:
        return text_of(self._session().get("did")) or self.account_id

    # --- interface -----------------------------------------------------------------------
    def _walk(self, cursor: str | None, nsid: str, params: list, key: str) -> FetchResult:
        walk = NewestFirstWalk(cursor, time_of=indexed_at)

        def page(token):
            query = list(params) + ([("cursor", token)] if token else [])
            payload = require_dict(self._call("GET", nsid, params=query), "Bluesky page")
            mentions = [m for m in (parse_item(i) for i in as_list(payload.get(key))) if m]
            mentions = [m for m in mentions if m.author.handle != self.handle or not self.handle]
            return mentions, text_of(payload.get("cursor"))

        return walk.run(page, self.max_pages)

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        params = [("reasons", "mention"), ("reasons", "reply"), ("reasons", "quote"),
                  ("limit", self.page_size)]
        return self._walk(cursor, "app.bsky.notification.listNotifications", params,
                          "notifications")

    def search(self, query: str, cursor: str | None) -> FetchResult:
        params = [("q", query), ("sort", "latest"), ("limit", 100)]
        return self._walk(cursor, "app.bsky.feed.searchPosts", params, "posts")

    def _post_view(self, uri: str) -> dict:
        payload = require_dict(self._call("GET", "app.bsky.feed.getPosts",
                                          params={"uris": uri}), "Bluesky posts")
        view = as_dict(dig(payload, "posts", 0))
        if not text_of(view.get("cid")):
            raise PermanentError(f"Bluesky post not found: {uri}")
        return view

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        self.check_length(text)
        if isinstance(in_reply_to, str) or not text_of(in_reply_to.raw.get("cid")):
            uri = in_reply_to if isinstance(in_reply_to, str) else in_reply_to.external_id
            item = self._post_view(uri)
        else:
            item = in_reply_to.raw
        parent = {"uri": text_of(item.get("uri")), "cid": text_of(item.get("cid"))}
        root = as_dict(dig(item, "record", "reply", "root"))
        if not (text_of(root.get("uri")) and text_of(root.get("cid"))):
            root = parent
        return self._create(text, {"root": {"uri": root["uri"], "cid": root["cid"]},
                                   "parent": parent})

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        if media:
            raise PermanentError("Bluesky image upload is not supported: publish text only")
        return self._create(text, None)

    def _create(self, text: str, reply: dict | None) -> PublishedReply:
        self.check_length(text)
        record = {"$type": "app.bsky.feed.post", "text": text,
                  "createdAt": iso(datetime.now(tz=UTC)), "langs": ["es"]}
        if reply is not None:
            record["reply"] = reply
        body = {"repo": self.did, "collection": "app.bsky.feed.post", "record": record}
        payload = require_dict(self._call("POST", "com.atproto.repo.createRecord",
                                          json_body=body), "Bluesky createRecord")
        uri = text_of(payload.get("uri"))
        if not uri:
            raise PermanentError("Bluesky answered without the new post URI")
        return PublishedReply(external_id=uri, url=post_url(self.handle, uri))

    def find_post(self, *, text: str, idempotency_key: str = "",
                  since: datetime | None = None) -> PublishedReply | None:
        """The account's post with exactly this text since `since`, or None. Bluesky has
        no idempotency key: the calendar asks this before retrying a post whose first
        attempt may have reached the network (`searchPosts` with `author=`)."""
        words = " ".join(text.split()[:12])
        params = [("q", words), ("author", self.did), ("sort", "latest"), ("limit", 25)]
        if since is not None:
            params.append(("since", iso(since - timedelta(minutes=5))))
        payload = require_dict(self._call("GET", "app.bsky.feed.searchPosts", params=params),
                               "Bluesky search")
        for view in as_list(payload.get("posts")):
            record = as_dict(as_dict(view).get("record"))
            if text_of(record.get("text")) == text and text_of(view.get("uri")):
                uri = text_of(view.get("uri"))
                return PublishedReply(external_id=uri, url=post_url(self.handle, uri))
        return None

    def profile(self) -> Profile:
        actor = self.handle or self.account_id
        payload = require_dict(self._call("GET", "app.bsky.actor.getProfile",
                                          params={"actor": actor}), "Bluesky profile")
        author = parse_author(payload)
        if not author.external_id:
            raise PermanentError("Bluesky answered without the DID")
        return Profile(external_id=author.external_id, handle=author.handle, name=author.name,
                       followers=author.followers, url=author.profile_url,
                       bio=text_of(payload.get("description")),
                       avatar_url=text_of(payload.get("avatar")))


def forget_sessions():
    """Drop cached sessions (tests, or after a channel's password changes)."""
    with _sessions_lock:
        _sessions.clear()
