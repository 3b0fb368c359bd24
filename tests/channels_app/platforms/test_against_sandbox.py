"""Every client against the sandbox over real HTTP: fetch, cursor, pagination, reply, profile,
and the faults the sandbox can inject (429 with reset, 500, timeout, malformed JSON, empty
pages, repeated items, revoked token). The sandbox's ground truth says what must arrive."""

import httpx
import pytest

from channels_app.platforms import AuthError, RateLimited, TransientError

from .conftest import PLATFORMS, demo_account

# Listing paths, for faults aimed at the fetch itself.
LIST_PATH = {"x": "/mentions", "facebook": "/comments", "instagram": "/comments",
             "youtube": "/commentThreads", "mastodon": "/notifications",
             "bluesky": "listNotifications"}
FIRST_PATH = {"x": "/mentions", "facebook": "/feed", "instagram": "/media",
              "youtube": "/commentThreads", "mastodon": "/notifications",
              "bluesky": "listNotifications"}


def small_pages(client, max_pages=50):
    """Force pagination with few items per page."""
    for name in ("page_size", "comments_per_page", "posts_per_page", "media_per_page"):
        if hasattr(client, name):
            setattr(client, name, 5 if client.platform == "x" or name != "posts_per_page" else 2)
    client.max_pages = max_pages
    return client


def drain(client, cursor=None, *, limit=50):
    """Call fetch_mentions until the cursor stops moving; (mentions, final cursor)."""
    everything = []
    for _ in range(limit):
        batch = client.fetch_mentions(cursor)
        everything.extend(batch.mentions)
        if batch.next_cursor is None:
            return everything, cursor
        cursor = batch.next_cursor
    raise AssertionError("the cursor never settled")


def truth_ids(sandbox, platform):
    account = demo_account(platform)
    return {item["id"] for item in sandbox.ground_truth(platform, account.account_id)}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_fetch_paginates_and_the_cursor_moves_once(sandbox, platform):
    account = demo_account(platform)
    sandbox.post(platform, account.account_id, count=23)
    client = small_pages(sandbox.client(platform))

    first = client.fetch_mentions(None)
    ids = [m.external_id for m in first.mentions]
    assert len(ids) == len(set(ids)), "duplicates inside one fetch"
    assert set(ids) == truth_ids(sandbox, platform)
    assert first.next_cursor is not None
    for mention in first.mentions:
        assert mention.platform == platform
        assert mention.text and mention.created_at.tzinfo is not None
        assert mention.author.handle
        assert mention.thread_external_id

    again = client.fetch_mentions(first.next_cursor)
    assert again.mentions == [] and again.next_cursor is None

    new = sandbox.post(platform, account.account_id, count=4)
    # Default page sizes: YouTube finds new replies on the threads of the first page only
    # (as the real API, a reply does not bring an old thread back to the top).
    later = sandbox.client(platform).fetch_mentions(first.next_cursor)
    assert {m.external_id for m in later.mentions} == {i["id"] for i in new}
    assert later.next_cursor not in (None, first.next_cursor)


@pytest.mark.parametrize("platform", ["x", "facebook", "youtube", "mastodon", "bluesky"])
def test_a_long_backlog_is_read_over_several_calls_without_loss(sandbox, platform):
    account = demo_account(platform)
    client = small_pages(sandbox.client(platform), max_pages=50)
    sandbox.post(platform, account.account_id, count=3)
    _, cursor = drain(client)  # the channel is connected and up to date
    sandbox.post(platform, account.account_id, count=27)
    client.max_pages = 2       # now only two pages per call
    got, cursor = drain(client, cursor)
    ids = [m.external_id for m in got]
    assert len(ids) == len(set(ids))
    everything = truth_ids(sandbox, platform)
    assert set(ids) | set(m for m in everything if m not in ids) == everything
    assert len(set(ids)) == 27


@pytest.mark.parametrize("platform", PLATFORMS)
def test_rate_limit_raises_with_the_reset_and_does_not_hammer(sandbox, platform):
    sandbox.post(platform, demo_account(platform).account_id, count=2)
    client = sandbox.client(platform)
    if platform == "bluesky":
        client.profile()  # log in first; the fault is aimed at the listing
    sandbox.fault("rate_limit", platform=platform, path=FIRST_PATH[platform], reset_in=42,
                  count=5)
    before = len(sandbox.world.requests)
    with pytest.raises(RateLimited) as caught:
        client.fetch_mentions(None)
    assert len(sandbox.world.requests) - before == 1, "a 429 must not be retried at once"
    # Meta reports the wait in whole minutes (estimated_time_to_regain_access).
    expected = 60 if platform in ("facebook", "instagram") else 42
    assert caught.value.retry_after == pytest.approx(expected, abs=2)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_server_errors_are_retried_then_succeed(sandbox, platform):
    account = demo_account(platform)
    items = sandbox.post(platform, account.account_id, count=3)
    client = sandbox.client(platform)
    sandbox.fault("error_500", platform=platform, path=FIRST_PATH[platform], count=2)
    batch = client.fetch_mentions(None)
    assert {m.external_id for m in batch.mentions} == {i["id"] for i in items}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_persistent_server_errors_raise_transient_after_bounded_retries(sandbox, platform):
    client = sandbox.client(platform)
    if platform == "bluesky":
        client.profile()
    sandbox.fault("error_500", platform=platform, path=FIRST_PATH[platform], count=10)
    before = len(sandbox.world.requests)
    with pytest.raises(TransientError) as caught:
        client.fetch_mentions(None)
    assert not isinstance(caught.value, RateLimited)
    assert len(sandbox.world.requests) - before == client.transport.retries + 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_timeouts_raise_transient(sandbox, platform):
    with httpx.Client(timeout=httpx.Timeout(0.3)) as http:
        client = sandbox.client(platform, http_client=http)
        if platform == "bluesky":
            client.profile()
        sandbox.fault("timeout", platform=platform, path=FIRST_PATH[platform], count=3,
                      seconds=1)
        with pytest.raises(TransientError):
            client.fetch_mentions(None)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_slow_answers_within_the_timeout_are_fine(sandbox, platform):
    items = sandbox.post(platform, demo_account(platform).account_id, count=2)
    sandbox.fault("slow", platform=platform, path=FIRST_PATH[platform], seconds=0.2)
    batch = sandbox.client(platform).fetch_mentions(None)
    assert {m.external_id for m in batch.mentions} == {i["id"] for i in items}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_malformed_json_raises_transient_and_loses_nothing(sandbox, platform):
    account = demo_account(platform)
    items = sandbox.post(platform, account.account_id, count=4)
    client = sandbox.client(platform)
    if platform == "bluesky":
        client.profile()
    sandbox.fault("malformed", platform=platform, path=LIST_PATH[platform])
    with pytest.raises(TransientError):
        client.fetch_mentions(None)
    batch = client.fetch_mentions(None)  # the cursor did not move: the same batch again
    assert {m.external_id for m in batch.mentions} == {i["id"] for i in items}


@pytest.mark.parametrize("platform", PLATFORMS)
def test_empty_pages_and_repeated_items(sandbox, platform):
    account = demo_account(platform)
    sandbox.post(platform, account.account_id, count=2)
    client = small_pages(sandbox.client(platform))
    _, cursor = drain(client)
    new = sandbox.post(platform, account.account_id, count=12)
    sandbox.fault("repeat", platform=platform, path=LIST_PATH[platform], count=3)
    sandbox.fault("truncated", platform=platform, path=LIST_PATH[platform], count=1)
    got, cursor = drain(client, cursor)
    # An empty page may end a poll early (Mastodon reads it as "nothing newer"); the
    # cursor did not pass the unread items, so the next poll brings them.
    more, cursor = drain(client, cursor)
    ids = [m.external_id for m in got + more]
    assert len(ids) == len(set(ids)), "a repeated item came back twice"
    assert set(ids) == {i["id"] for i in new}
    # and the cursor is right: nothing more, nothing again
    assert client.fetch_mentions(cursor).mentions == []


@pytest.mark.parametrize("platform", PLATFORMS)
def test_revoked_token_raises_auth_error(sandbox, platform):
    client = sandbox.client(platform, token="revoked-token")
    with pytest.raises(AuthError):
        client.fetch_mentions(None)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_token_revoked_while_connected_raises_auth_error(sandbox, platform):
    client = sandbox.client(platform)
    if platform == "bluesky":
        client.profile()
    # Bluesky's token is the app password: revoking it ends its sessions and refuses the
    # next login. A single 401 there only refuses a session, which the client renews
    # (test_bluesky_refused_session_is_renewed below).
    kind = "revoke_password" if platform == "bluesky" else "auth"
    sandbox.fault(kind, platform=platform, count=1)
    with pytest.raises(AuthError):
        client.fetch_mentions(None)


@pytest.mark.parametrize("platform", PLATFORMS)
def test_reply_reaches_the_network(sandbox, platform):
    account = demo_account(platform)
    sandbox.post(platform, account.account_id, count=3, label="complaint")
    client = sandbox.client(platform)
    mention = client.fetch_mentions(None).mentions[0]
    text = "Hola, gracias por escribirnos. ¿Nos comparte la dirección exacta por mensaje?"
    published = client.reply(in_reply_to=mention, text=text, idempotency_key="case-1-reply-1")
    assert published.external_id
    replies = sandbox.control("GET", "/replies")["replies"]
    assert len(replies) == 1
    assert replies[0]["id"] == published.external_id
    assert replies[0]["text"].endswith(text)
    expected_parent = mention.external_id
    if platform == "instagram" and mention.raw.get("parent_id"):
        expected_parent = mention.raw["parent_id"]
    if platform == "youtube":
        expected_parent = mention.thread_external_id
    assert replies[0]["in_reply_to"] == expected_parent


def test_mastodon_reply_mentions_the_author_and_is_idempotent(sandbox):
    account = demo_account("mastodon")
    sandbox.post("mastodon", account.account_id, count=1, label="question")
    client = sandbox.client("mastodon")
    mention = client.fetch_mentions(None).mentions[0]
    first = client.reply(in_reply_to=mention, text="Con gusto le ayudamos.",
                         idempotency_key="k-123")
    second = client.reply(in_reply_to=mention, text="Con gusto le ayudamos.",
                          idempotency_key="k-123")
    assert first.external_id == second.external_id
    replies = sandbox.control("GET", "/replies")["replies"]
    assert len(replies) == 1
    assert replies[0]["text"].startswith(f"@{mention.author.handle} ")


@pytest.mark.parametrize("platform", PLATFORMS)
def test_reply_to_a_bare_id(sandbox, platform):
    account = demo_account(platform)
    sandbox.post(platform, account.account_id, count=1)
    client = sandbox.client(platform)
    mention = client.fetch_mentions(None).mentions[0]
    target = mention.thread_external_id if platform == "youtube" else mention.external_id
    published = client.reply(in_reply_to=target, text="Gracias por su mensaje.")
    assert published.external_id


@pytest.mark.parametrize("platform", PLATFORMS)
def test_profile(sandbox, platform):
    account = demo_account(platform)
    profile = sandbox.client(platform).profile()
    assert profile.external_id == account.account_id
    assert profile.name == account.name
    assert profile.followers and profile.followers > 0
    assert profile.url.startswith("https://")


@pytest.mark.parametrize("platform,query", [
    ("x", "hueco"), ("facebook", "hueco"), ("instagram", "hueco"), ("youtube", "hueco"),
    ("mastodon", "hueco"), ("bluesky", "hueco")])
def test_search_finds_the_posts_with_the_words(sandbox, platform, query):
    account = demo_account(platform)
    sandbox.post(platform, account.account_id, text=f"@{account.handle} el hueco de la "
                 "calle 5 sigue ahí", count=2)
    sandbox.post(platform, account.account_id, text=f"@{account.handle} gracias por todo",
                 count=2)
    client = sandbox.client(platform)
    result = client.search(query, None)
    assert len(result.mentions) == 2
    assert all("hueco" in m.text for m in result.mentions)
    assert result.next_cursor is not None
    assert client.search(query, result.next_cursor).mentions == []


def test_bluesky_expired_session_is_refreshed(sandbox):
    account = demo_account("bluesky")
    items = sandbox.post("bluesky", account.account_id, count=2)
    client = sandbox.client("bluesky")
    client.profile()
    sandbox.fault("expire_session", platform="bluesky")
    batch = client.fetch_mentions(None)
    assert {m.external_id for m in batch.mentions} == {i["id"] for i in items}


def test_bluesky_wrong_app_password(sandbox):
    with pytest.raises(AuthError):
        sandbox.client("bluesky", token="xxxx-xxxx-xxxx-xxxx").profile()


def bluesky_calls(sandbox, since: int) -> list[str]:
    """The XRPC methods the sandbox received since request number `since`."""
    return [r["path"].removeprefix("/xrpc/").rsplit(".", 1)[-1]
            for r in list(sandbox.world.requests)[since:] if r["platform"] == "bluesky"]


def connected_bluesky(sandbox, count=2):
    """A Bluesky client with a session, the posts waiting for it, and the request count."""
    items = sandbox.post("bluesky", demo_account("bluesky").account_id, count=count)
    client = sandbox.client("bluesky")
    client.profile()
    return client, {i["id"] for i in items}, len(sandbox.world.requests)


def test_bluesky_refused_session_is_renewed(sandbox):
    # One 401 AuthenticationRequired: the session is refused, not the app password.
    client, expected, before = connected_bluesky(sandbox)
    sandbox.fault("auth", platform="bluesky", count=1)
    assert {m.external_id for m in client.fetch_mentions(None).mentions} == expected
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "listNotifications"]


def test_bluesky_session_dropped_by_the_network_logs_in_again(sandbox):
    # The network forgot every session (access and refresh JWTs): the refresh answers
    # InvalidToken, and the app password gives a new session.
    client, expected, before = connected_bluesky(sandbox)
    sandbox.world.sessions.clear()
    assert {m.external_id for m in client.fetch_mentions(None).mentions} == expected
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "createSession", "listNotifications"]


def test_bluesky_refresh_answer_lost_logs_in_again(sandbox):
    # The refresh JWT was spent but its answer arrived malformed: log in, do not give up.
    client, expected, before = connected_bluesky(sandbox)
    sandbox.fault("expire_session", platform="bluesky")
    sandbox.fault("malformed", platform="bluesky", path="refreshSession")
    assert {m.external_id for m in client.fetch_mentions(None).mentions} == expected
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "createSession", "listNotifications"]
    assert bluesky_calls(sandbox, before).count("createSession") == 1


def test_bluesky_revoked_app_password_tries_one_login_then_auth_error(sandbox):
    client, _expected, before = connected_bluesky(sandbox)
    sandbox.fault("revoke_password", platform="bluesky")
    with pytest.raises(AuthError):
        client.fetch_mentions(None)
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "createSession"]


def test_bluesky_every_session_refused_never_loops(sandbox):
    # The login works but the listing refuses every session: one refresh, one login, then
    # a transient failure (reconnecting the channel would not help).
    client, _expected, before = connected_bluesky(sandbox)
    sandbox.fault("auth", platform="bluesky", path="listNotifications", count=-1)
    with pytest.raises(TransientError) as caught:
        client.fetch_mentions(None)
    assert not isinstance(caught.value, AuthError)
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "listNotifications", "createSession",
        "listNotifications"]


def test_bluesky_fresh_login_refused_session_does_not_log_in_twice(sandbox):
    client = sandbox.client("bluesky")
    sandbox.fault("auth", platform="bluesky", path="listNotifications", count=-1)
    before = len(sandbox.world.requests)
    with pytest.raises(TransientError):
        client.fetch_mentions(None)
    assert bluesky_calls(sandbox, before) == [
        "createSession", "listNotifications", "refreshSession", "listNotifications"]


def test_bluesky_every_request_refused_is_auth_error(sandbox):
    client, _expected, before = connected_bluesky(sandbox)
    sandbox.fault("auth", platform="bluesky", count=-1)
    with pytest.raises(AuthError):
        client.fetch_mentions(None)
    assert bluesky_calls(sandbox, before) == [
        "listNotifications", "refreshSession", "createSession"]


def test_threads_are_linked(sandbox):
    account = demo_account("x")
    [root] = sandbox.post("x", account.account_id, label="complaint")
    [follow] = sandbox.post("x", account.account_id, in_reply_to=root["id"],
                            text="@AlcSanIsidro ¿alguna respuesta?")
    mentions = {m.external_id: m for m in sandbox.client("x").fetch_mentions(None).mentions}
    assert mentions[follow["id"]].in_reply_to_external_id == root["id"]
    assert mentions[follow["id"]].thread_external_id == mentions[root["id"]].thread_external_id


def test_generation_runs_at_the_demo_rate(sandbox):
    clock = {"now": 1_796_000_000.0}
    sandbox.world.clock = lambda: clock["now"]
    try:
        sandbox.world.reset(rate_per_minute=3, history=0)
        client = sandbox.client("mastodon")
        assert client.fetch_mentions(None).mentions == []
        clock["now"] += 60
        assert len(client.fetch_mentions(None).mentions) == 3
    finally:
        import time

        sandbox.world.clock = time.time


def test_youtube_new_replies_beyond_the_five_inline_are_read(sandbox):
    account = demo_account("youtube")
    [top] = sandbox.post("youtube", account.account_id, label="complaint")
    sandbox.post("youtube", account.account_id, in_reply_to=top["id"], count=6,
                 text="@AlcaldiaSanIsidro x2")
    client = sandbox.client("youtube")
    first = client.fetch_mentions(None)
    assert len(first.mentions) == 7
    late = sandbox.post("youtube", account.account_id, in_reply_to=top["id"], count=2,
                        text="@AlcaldiaSanIsidro ¿y entonces?")
    later = client.fetch_mentions(first.next_cursor)
    assert {m.external_id for m in later.mentions} == {i["id"] for i in late}
    assert all(m.in_reply_to_external_id == top["id"] for m in later.mentions)


@pytest.mark.parametrize("platform", ["x", "facebook", "mastodon", "bluesky"])
def test_publish_a_post(sandbox, platform):
    client = sandbox.client(platform)
    text = "Este sábado, jornada de vacunación en el parque principal. #SanIsidroSaludable"
    published = client.publish(text=text, idempotency_key="post-1")
    assert published.external_id and published.url.startswith("https://")
    [recorded] = sandbox.control("GET", "/replies")["replies"]
    assert recorded == {**recorded, "id": published.external_id, "text": text,
                        "in_reply_to": ""}


def test_facebook_publishes_one_image_by_url(sandbox):
    client = sandbox.client("facebook")
    published = client.publish(text="Así quedó el parque", media=(
        {"kind": "image", "url": "https://example.gov.co/parque.jpg", "alt_text": "Parque"},))
    assert published.external_id.startswith(demo_account("facebook").account_id + "_")


@pytest.mark.parametrize("platform", ["instagram", "youtube"])
def test_networks_that_cannot_publish_text_refuse_it_without_a_request(sandbox, platform):
    """YouTube's API has no community posts; Instagram has no text-only posts (its one-image
    container flow is tested with respx in tests/channels_app/test_calendar_publishing.py)."""
    from channels_app.platforms import PermanentError

    client = sandbox.client(platform)
    before = len(sandbox.world.requests)
    with pytest.raises(PermanentError):
        client.publish(text="Jornada de vacunación", idempotency_key="post-1")
    assert len(sandbox.world.requests) == before


@pytest.mark.parametrize("platform,limit", [("x", 280), ("mastodon", 500), ("bluesky", 300)])
def test_text_over_the_network_limit_is_refused_before_sending(sandbox, platform, limit):
    from channels_app.platforms import PermanentError

    client = sandbox.client(platform)
    before = len(sandbox.world.requests)
    with pytest.raises(PermanentError):
        client.publish(text="a" * (limit + 1))
    with pytest.raises(PermanentError):
        client.reply(in_reply_to="1", text="a" * (limit + 1))
    assert len(sandbox.world.requests) == before


def test_instagram_reads_a_mention_announced_by_webhook(sandbox):
    elsewhere = demo_account("instagram", "transito")
    [comment] = sandbox.post("instagram", elsewhere.account_id,
                             text="@alcaldiasanisidro ¿ustedes arreglan esa vía?")
    client = sandbox.client("instagram")
    mention = client.fetch_mention(media_id="ignored", comment_id=comment["id"])
    assert mention.external_id == comment["id"]
    assert mention.text == "@alcaldiasanisidro ¿ustedes arreglan esa vía?"
    assert mention.url.startswith("https://www.instagram.com/p/")
    media = sandbox.world.get("instagram", comment["id"]).container_id
    caption = client.fetch_mention(media_id=media)
    assert caption.external_id == media and caption.text



def test_a_reply_is_never_resent_by_the_transport_after_a_5xx(sandbox):
    """The network may have accepted a POST that answered 5xx: resending it blindly could
    publish the answer twice, so the transport raises and the reply row decides."""
    client = sandbox.client("x")
    sandbox.fault("error_500", platform="x", path="/2/tweets", count=1)
    before = len(sandbox.world.requests)
    with pytest.raises(TransientError):
        client.reply(in_reply_to="1890000000000000001", text="Gracias por escribirnos.")
    assert len(sandbox.world.requests) - before == 1
