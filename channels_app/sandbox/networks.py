"""The six fake APIs: same paths, parameters, JSON, pagination, headers and error bodies
as the real networks (shared/reference/platform-apis.md; checked against the published
specs by tests/channels_app/platforms/test_specs.py).
"""

from __future__ import annotations

import base64
import json
import math
import re
import unicodedata
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import urlencode

from .state import Account, Item, World, digest_chars, stable_int


class ApiError(Exception):
    def __init__(self, response):
        super().__init__(response.status)
        self.response = response


def _resp(body: Any, status: int = 200, headers: dict | None = None):
    from .app import Response  # local import: app imports this module

    return Response(status=status, body=body, headers=dict(headers or {}))


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def query_matches(query: str, text: str) -> bool:
    """A small subset of the networks' query languages: words (and @handles) must appear;
    operators (`-is:retweet`, `lang:es`, OR) are ignored."""
    haystack = fold(text)
    words = [w for w in re.split(r"\s+", fold(query).replace('"', " ").replace("(", " ")
                                  .replace(")", " ")) if w]
    words = [w.lstrip("#") for w in words
             if ":" not in w and not w.startswith("-") and w not in ("or", "and")]
    return bool(words) and all(w in haystack for w in words)


def iso_ms(epoch: float) -> str:
    when = datetime.fromtimestamp(epoch, tz=UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def iso_s(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def graph_time(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def encode_token(state: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(state, separators=(",", ":")).encode()) \
        .decode().rstrip("=")


def decode_token(token: str) -> dict | None:
    if not token:
        return None
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError):
        return None
    return value if isinstance(value, dict) and isinstance(value.get("o"), int) else None


def paginate(world: World, request, items: list[Item], token: str, limit: int,
             bad_token) -> tuple[list[Item], str]:
    """Offset pagination over a list fixed by its newest seq at the first page, so posts
    arriving between pages do not shift it. Faults: `truncated` answers an empty page
    that still points on; `repeat` repeats items inside and across pages."""
    state = decode_token(token)
    if token and state is None:
        raise ApiError(bad_token())
    anchor = state["a"] if state else max((i.seq for i in items), default=0)
    items = [i for i in items if i.seq <= anchor]
    offset = state["o"] if state else 0
    if world.take_fault("truncated", request.platform, request.path):
        more = offset < len(items)
        return [], encode_token({"o": offset, "a": anchor}) if more else ""
    page = items[offset: offset + limit]
    next_offset = offset + limit
    if world.take_fault("repeat", request.platform, request.path) and page:
        page = page + page[: min(2, len(page))]
        next_offset = max(offset + 1, next_offset - 2)
    world.mark_served(page)
    token = encode_token({"o": next_offset, "a": anchor}) if next_offset < len(items) else ""
    return page, token


def graph_fields(spec: str) -> set[str]:
    """Top-level names of a Graph `fields=` value: 'id,from{id,name},message' → {...}."""
    names, depth, current = set(), 0, ""
    for ch in spec:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == "," and depth == 0:
            names.add(current.strip().split(".")[0])
            current = ""
            continue
        if depth == 0 and ch not in "{}":
            current += ch
    if current.strip():
        names.add(current.strip().split(".")[0])
    return names


class Network:
    platform = ""
    limit = 900
    window = 900.0

    def dispatch(self, world: World, request):
        raise NotImplementedError

    def count_call(self, world: World, request) -> tuple[int, int, float]:
        who = request.bearer() or request.arg("access_token") or request.arg("key") or "anon"
        return world.rate_window(self.platform, who, limit=self.limit, window=self.window)

    def server_error(self, request):
        return _resp({"error": "Internal Server Error"}, 500)

    def unauthorised(self, request):
        return _resp({"error": "The access token is invalid"}, 401)

    def rate_limited(self, request, reset_in: float):
        return _resp({"error": "Too many requests"}, 429, {"Retry-After": str(int(reset_in))})


# --------------------------------------------------------------------------------------
# X API v2
# --------------------------------------------------------------------------------------
class XNetwork(Network):
    platform = "x"
    limit = 450

    def problem(self, status: int, title: str, detail: str, kind: str = "invalid-request",
                **extra):
        body = {"title": title, "detail": detail, "type": f"https://api.x.com/2/problems/{kind}",
                **extra}
        if status == 400:
            body = {"errors": [{"message": detail, "parameters": extra.get("parameters", {})}],
                    "title": title, "detail": detail,
                    "type": "https://api.x.com/2/problems/invalid-request"}
        return _resp(body, status)

    def server_error(self, request):
        return self.problem(500, "Internal Server Error", "Something went wrong on our side.",
                            "internal-error")

    def unauthorised(self, request):
        return _resp({"title": "Unauthorized", "type": "about:blank", "status": 401,
                      "detail": "Unauthorized"}, 401)

    def rate_limited(self, request, reset_in: float):
        now = request_now(request)
        return _resp({"errors": [{"code": 88, "message": "Rate limit exceeded"}]}, 429, {
            "x-rate-limit-limit": str(self.limit), "x-rate-limit-remaining": "0",
            "x-rate-limit-reset": str(int(math.ceil(now + reset_in)))})

    def user_id(self, world: World, item: Item) -> str:
        return world.citizen_id("x", item.citizen) if item.citizen else item.account_id

    def render_user(self, world: World, item: Item | None, account: Account | None,
                    fields: set[str]) -> dict:
        if item is not None and item.citizen is not None:
            citizen = item.citizen
            user = {"id": world.citizen_id("x", citizen), "name": citizen.name,
                    "username": citizen.handle}
            created = request_epoch(world) - citizen.account_age_days * 86400
            followers = citizen.followers
        else:
            user = {"id": account.account_id, "name": account.name, "username": account.handle}
            created = request_epoch(world) - 3000 * 86400
            followers = account.followers
        if "created_at" in fields:
            user["created_at"] = iso_ms(created)
        if "public_metrics" in fields:
            user["public_metrics"] = {"followers_count": followers, "following_count": 120,
                                      "tweet_count": 340, "listed_count": 2, "like_count": 80}
        if "profile_image_url" in fields:
            user["profile_image_url"] = "https://pbs.twimg.com/profile_images/0/sandbox.jpg"
        if "description" in fields:
            user["description"] = "Cuenta oficial" if item is None else ""
        return user

    def render_tweet(self, world: World, item: Item, fields: set[str], dialect: str) -> dict:
        history = "edit_history_post_ids" if dialect == "post" else "edit_history_tweet_ids"
        tweet: dict[str, Any] = {"id": item.id, "text": item.text, history: [item.id]}
        if "created_at" in fields:
            tweet["created_at"] = iso_ms(item.created)
        if "author_id" in fields:
            tweet["author_id"] = self.user_id(world, item)
        if "conversation_id" in fields:
            tweet["conversation_id"] = item.root_id or item.id
        if "lang" in fields:
            tweet["lang"] = "es"
        parent = world.get("x", item.parent_id) if item.parent_id else None
        if parent is not None:
            if "in_reply_to_user_id" in fields:
                tweet["in_reply_to_user_id"] = self.user_id(world, parent)
            refs_field = "referenced_posts" if dialect == "post" else "referenced_tweets"
            if refs_field in fields:
                tweet[refs_field] = [{"type": "replied_to", "id": parent.id}]
        if "public_metrics" in fields:
            reposts = "repost_count" if dialect == "post" else "retweet_count"
            tweet["public_metrics"] = {reposts: item.seq % 3, "reply_count": 0,
                                       "like_count": item.seq % 7, "quote_count": 0,
                                       "bookmark_count": 0, "impression_count": 40 + item.seq}
        return tweet

    def timeline(self, world: World, request, items: list[Item], *, min_results: int,
                 token_names: tuple[str, ...]):
        max_results = request.int_arg("max_results", 10)
        if not min_results <= max_results <= 100:
            return self.problem(400, "Invalid Request", "One or more parameters to your request "
                                "was invalid.", parameters={"max_results": [str(max_results)]})
        since_id, until_id = request.arg("since_id"), request.arg("until_id")
        for value in (since_id, until_id):
            if value and not re.fullmatch(r"[0-9]{1,19}", value):
                return self.problem(400, "Invalid Request", "The `since_id` query parameter "
                                    "value is not valid", parameters={"since_id": [value]})
        if since_id:
            items = [i for i in items if int(i.id) > int(since_id)]
        if until_id:
            items = [i for i in items if int(i.id) < int(until_id)]
        items.sort(key=lambda i: int(i.id), reverse=True)
        token = next((request.arg(n) for n in token_names if request.arg(n)), "")
        page, next_token = paginate(world, request, items, token, max_results, lambda: self.problem(
            400, "Invalid Request", "The `pagination_token` query parameter value is not valid"))
        dialect = "post" if request.arg("post.fields") else "tweet"
        fields = set(filter(None, (request.arg("tweet.fields") or request.arg("post.fields"))
                            .split(",")))
        user_fields = set(filter(None, request.arg("user.fields").split(",")))
        expansions = set(filter(None, request.arg("expansions").split(",")))
        meta: dict[str, Any] = {"result_count": len(page)}
        body: dict[str, Any] = {}
        if page:
            body["data"] = [self.render_tweet(world, i, fields, dialect) for i in page]
            ids = sorted((i.id for i in page), key=int)
            meta.update(newest_id=ids[-1], oldest_id=ids[0])
            if "author_id" in expansions:
                users, seen = [], set()
                for item in page:
                    user = self.render_user(world, item, None, user_fields)
                    if user["id"] not in seen:
                        seen.add(user["id"])
                        users.append(user)
                body["includes"] = {"users": users}
        if next_token:
            meta["next_token"] = next_token
        body["meta"] = meta
        return _resp(body)

    def dispatch(self, world: World, request):
        token = request.bearer()
        if not token or token.startswith("revoked"):
            return self.unauthorised(request)
        limit, remaining, reset = self.count_call(world, request)
        response = self._route(world, request, token)
        response.headers.update({"x-rate-limit-limit": str(limit),
                                 "x-rate-limit-remaining": str(remaining),
                                 "x-rate-limit-reset": str(int(reset))})
        return response

    def _route(self, world: World, request, token: str):
        path, method = request.path.rstrip("/"), request.method
        match = re.fullmatch(r"/2/users/([^/]+)/mentions", path)
        if match and method == "GET":
            if not re.fullmatch(r"[0-9]{1,19}", match.group(1)):
                return self.problem(400, "Invalid Request", "The `id` query parameter value "
                                    "is not valid")
            account = world.account("x", match.group(1))
            return self.timeline(world, request, world.list_items(account), min_results=5,
                                 token_names=("pagination_token",))
        if path == "/2/tweets/search/recent" and method == "GET":
            query = request.arg("query")
            if not query:
                return self.problem(400, "Invalid Request", "The `query` parameter is missing")
            for account in [a for a in list(world.accounts.values()) if a.platform == "x"]:
                world.catch_up(account)
            with world.lock:
                items = [i for k, lst in world.items.items() if k[0] == "x" for i in lst
                         if i.kind == "citizen" and query_matches(query, i.text)]
            return self.timeline(world, request, items, min_results=10,
                                 token_names=("next_token", "pagination_token"))
        account = world.account_by_token("x", token)
        if path == "/2/users/me" and method == "GET":
            if account is None:
                return self.unauthorised(request)
            fields = set(filter(None, request.arg("user.fields").split(",")))
            return _resp({"data": self.render_user(world, None, account, fields)})
        if path == "/2/tweets" and method == "POST":
            if account is None:
                return self.problem(403, "Forbidden", "You are not permitted to perform this "
                                    "action.", "client-forbidden")
            body = request.json()
            text = body.get("text") if isinstance(body, dict) else None
            if not isinstance(text, str) or not text:
                return self.problem(400, "Invalid Request", "The `text` field is required")
            if len(text) > 280:
                return self.problem(400, "Invalid Request", "Your Post text is too long.")
            target = str((body.get("reply") or {}).get("in_reply_to_tweet_id") or "")
            parent = world.get("x", target) if target else None
            if target and parent is None:
                return self.problem(400, "Invalid Request", "The parent Post does not exist",
                                    parameters={"reply.in_reply_to_tweet_id": [target]})
            item = world.record_reply(account, parent=parent, text=text)
            return _resp({"data": {"id": item.id, "text": text,
                                   "edit_history_tweet_ids": [item.id]}}, 201)
        return self.problem(404, "Not Found Error", f"No route for {method} {path}",
                            "resource-not-found")


# --------------------------------------------------------------------------------------
# Meta Graph API (Facebook Pages and Instagram)
# --------------------------------------------------------------------------------------
class GraphNetwork(Network):
    limit = 4800

    def error(self, status: int, message: str, code: int, *, subcode: int | None = None,
              kind: str = "OAuthException", transient: bool = False, headers=None):
        error = {"message": message, "type": kind, "code": code,
                 "fbtrace_id": "A" + digest_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ", 10, message)}
        if subcode is not None:
            error["error_subcode"] = subcode
        if transient:
            error["is_transient"] = True
        return _resp({"error": error}, status, headers)

    def server_error(self, request):
        return self.error(500, "An unknown error has occurred.", 1, transient=True)

    def unauthorised(self, request):
        return self.error(400, "Error validating access token: The session has been "
                          "invalidated because the user changed their password.", 190,
                          subcode=460)

    def rate_limited(self, request, reset_in: float):
        minutes = max(1, math.ceil(reset_in / 60))
        usage = {"0": [{"type": "pages", "call_count": 100, "total_cputime": 40,
                        "total_time": 60, "estimated_time_to_regain_access": minutes}]}
        return self.error(400, "There have been too many calls to this Page account. Wait a "
                          "bit and try again.", 80001, headers={
                              "X-Business-Use-Case-Usage": json.dumps(usage),
                              "X-App-Usage": json.dumps({"call_count": 100,
                                                         "total_cputime": 40,
                                                         "total_time": 60})})

    def missing(self, object_id: str):
        return self.error(400, f"Unsupported get request. Object with ID '{object_id}' does "
                          "not exist, cannot be loaded due to missing permissions, or does "
                          "not support this operation.", 100, subcode=33,
                          kind="GraphMethodException")

    def token_of(self, request) -> str:
        return request.arg("access_token") or request.bearer()

    def dispatch(self, world: World, request):
        token = self.token_of(request)
        if not token or token.startswith("revoked"):
            return self.error(400, "Invalid OAuth access token - Cannot parse access token",
                              190)
        limit, remaining, _reset = self.count_call(world, request)
        used = int(100 * (limit - remaining) / limit)
        response = self._route(world, request)
        response.headers["X-App-Usage"] = json.dumps(
            {"call_count": used, "total_cputime": used // 2, "total_time": used // 2})
        return response

    def page_response(self, request, data: list, items: list[Item], next_token: str):
        body: dict[str, Any] = {"data": data}
        if items:
            cursors = {"before": encode_token({"o": 0, "a": items[0].seq}),
                       "after": next_token or encode_token({"o": 0, "a": items[-1].seq})}
            body["paging"] = {"cursors": cursors}
            if next_token:
                query = {k: v[-1] for k, v in request.query.items()
                         if k not in ("after", "before")}
                query["after"] = next_token
                body["paging"]["next"] = f"{request.base_url}{request.path}?{urlencode(query)}"
        elif next_token:  # an empty page that still points on (truncated fault)
            query = {k: v[-1] for k, v in request.query.items() if k != "after"}
            query["after"] = next_token
            body["paging"] = {"cursors": {"after": next_token},
                              "next": f"{request.base_url}{request.path}?{urlencode(query)}"}
        return _resp(body)

    def bad_cursor(self):
        return self.error(400, "Invalid cursor", 100)

    def limit_of(self, request, default: int) -> int:
        return max(1, min(request.int_arg("limit", default), 100))

    def message_of(self, request) -> str:
        return request.arg("message") or str(request.form().get("message") or "")


class FacebookNetwork(GraphNetwork):
    platform = "facebook"

    def author(self, world: World, item: Item, account: Account) -> dict:
        if item.citizen is not None:
            return {"id": world.citizen_id("facebook", item.citizen), "name": item.citizen.name}
        return {"id": account.account_id, "name": account.name}

    def render_post(self, world, item: Item, account: Account, fields: set[str]) -> dict:
        post: dict[str, Any] = {"id": item.id}
        if "message" in fields:
            post["message"] = item.text
        if "created_time" in fields:
            post["created_time"] = graph_time(item.created)
        if "permalink_url" in fields:
            post["permalink_url"] = f"https://www.facebook.com/{item.id.replace('_', '/posts/')}"
        if "from" in fields:
            post["from"] = self.author(world, item, account)
        return post

    def render_comment(self, world, item: Item, account: Account, fields: set[str],
                       replies: int) -> dict:
        comment: dict[str, Any] = {"id": item.id}
        if "message" in fields:
            comment["message"] = item.text
        if "from" in fields:
            comment["from"] = self.author(world, item, account)
        if "created_time" in fields:
            comment["created_time"] = graph_time(item.created)
        if "parent" in fields and item.parent_id and item.parent_id != item.container_id:
            comment["parent"] = {"id": item.parent_id}
        if "permalink_url" in fields:
            post = item.container_id.replace("_", "/posts/")
            comment["permalink_url"] = (f"https://www.facebook.com/{post}"
                                        f"?comment_id={item.id.rsplit('_', 1)[-1]}")
        if "like_count" in fields:
            comment["like_count"] = item.seq % 5
        if "comment_count" in fields:
            comment["comment_count"] = replies
        return comment

    def _route(self, world: World, request):
        parts = [p for p in request.path.split("/") if p]
        fields = graph_fields(request.arg("fields", "id"))
        if len(parts) == 2 and parts[1] == "feed" and request.method == "GET":
            account = world.account("facebook", parts[0])
            since, until = request.int_arg("since", 0), request.int_arg("until", 0)
            items = world.list_items(account, kinds=("own", "citizen"))
            items = [i for i in items if i.kind == "own" or i.extra.get("visitor_post")]
            items = [i for i in items if i.created >= since and (not until or i.created <= until)]
            items.sort(key=lambda i: i.created, reverse=True)
            page, token = paginate(world, request, items, request.arg("after"),
                                   self.limit_of(request, 25), self.bad_cursor)
            return self.page_response(request, [self.render_post(world, i, account, fields)
                                                for i in page], page, token)
        if len(parts) == 2 and parts[1] in ("feed", "photos") and request.method == "POST":
            account = world.account("facebook", parts[0])
            form = {**{k: v[-1] for k, v in request.query.items()}, **request.form()}
            message = str(form.get("message") or "")
            if parts[1] == "feed" and not message:
                return self.error(400, "(#100) Missing message or attachment", 100)
            if parts[1] == "photos" and not form.get("url"):
                return self.error(400, "(#100) Missing url or source", 100)
            item = world.record_reply(account, parent=None, text=message)
            if parts[1] == "photos":
                return _resp({"id": str(10**14 + item.seq), "post_id": item.id})
            return _resp({"id": item.id})
        if len(parts) == 2 and parts[1] == "comments":
            target = world.get("facebook", parts[0])
            if target is None:
                return self.missing(parts[0])
            account = world.account("facebook", target.account_id)
            if request.method == "POST":
                message = self.message_of(request)
                if not message:
                    return self.error(400, "(#100) Missing message or attachment", 100)
                item = world.record_reply(account, parent=target, text=message)
                return _resp({"id": item.id})
            if request.method != "GET":
                return self.missing(parts[0])
            world.catch_up(account)
            since = request.int_arg("since", 0)
            stream = request.arg("filter", "toplevel") == "stream"
            with world.lock:
                everything = [i for i in world.items[account.key] if i.kind in ("citizen",
                                                                                "reply")]
            if target.kind == "own" or target.extra.get("visitor_post"):
                comments = [i for i in everything if i.container_id == target.id and
                            (stream or i.parent_id == target.id)]
            else:
                comments = [i for i in everything if i.parent_id == target.id]
            comments = [i for i in comments if i.created >= since]
            reverse = request.arg("order", "chronological") == "reverse_chronological"
            comments.sort(key=lambda i: (i.created, i.seq), reverse=reverse)
            page, token = paginate(world, request, comments, request.arg("after"),
                                   self.limit_of(request, 25), self.bad_cursor)
            counts = {i.id: sum(1 for j in everything if j.parent_id == i.id) for i in page}
            data = [self.render_comment(world, i, account, fields, counts[i.id]) for i in page]
            response = self.page_response(request, data, page, token)
            if request.arg("summary") == "true":
                response.body["summary"] = {"order": "chronological",
                                            "total_count": len(comments), "can_comment": True}
            return response
        if len(parts) == 1 and request.method == "GET":
            account = world.account("facebook", parts[0], create=False)
            if account is None:
                item = world.get("facebook", parts[0])
                if item is None:
                    return self.missing(parts[0])
                account = world.account("facebook", item.account_id)
                return _resp(self.render_post(world, item, account, fields | {"id"}))
            page = {"id": account.account_id}
            values = {"name": account.name, "username": account.handle,
                      "link": f"https://www.facebook.com/{account.handle}",
                      "fan_count": account.followers, "about": f"Cuenta oficial de {account.name}",
                      "picture": {"data": {"height": 50, "width": 50, "is_silhouette": False,
                                           "url": "https://scontent.xx.fbcdn.net/sandbox.jpg"}}}
            page.update({k: v for k, v in values.items() if k in fields})
            return _resp(page)
        return self.error(400, f"Unknown path components: /{'/'.join(parts[1:])}", 2500)


class InstagramNetwork(GraphNetwork):
    platform = "instagram"

    def render_media(self, world, item: Item, account: Account | None, fields: set[str],
                     comments: int = 0) -> dict:
        media: dict[str, Any] = {"id": item.id}
        if "caption" in fields:
            media["caption"] = item.text
        if "permalink" in fields:
            media["permalink"] = f"https://www.instagram.com/p/{digest_chars('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789', 11, item.id)}/"  # noqa: E501
        if "timestamp" in fields:
            media["timestamp"] = graph_time(item.created)
        if "comments_count" in fields:
            media["comments_count"] = comments
        if "like_count" in fields:
            media["like_count"] = 10 + item.seq % 40
        if "username" in fields:
            media["username"] = item.citizen.handle if item.citizen else account.handle
        if "media_type" in fields:
            media["media_type"] = "IMAGE"
        if "media_product_type" in fields:
            media["media_product_type"] = "FEED"
        return media

    def render_comment(self, world, item: Item, fields: set[str], replies: list[Item],
                       sub_fields: set[str]) -> dict:
        comment: dict[str, Any] = {"id": item.id}
        username = item.citizen.handle if item.citizen else \
            world.account("instagram", item.account_id).handle
        user_id = world.citizen_id("instagram", item.citizen) if item.citizen else item.account_id
        if "text" in fields:
            comment["text"] = item.text
        if "timestamp" in fields:
            comment["timestamp"] = graph_time(item.created)
        if "username" in fields:
            comment["username"] = username
        if "from" in fields:
            comment["from"] = {"id": user_id, "username": username}
        if "like_count" in fields:
            comment["like_count"] = item.seq % 4
        if "hidden" in fields:
            comment["hidden"] = False
        if "parent_id" in fields and item.parent_id:
            comment["parent_id"] = item.parent_id
        if "media" in fields:
            comment["media"] = {"id": item.container_id}
        if "replies" in fields and replies:
            comment["replies"] = {"data": [self.render_comment(world, r, sub_fields, [], set())
                                           for r in replies]}
        return comment

    def _route(self, world: World, request):
        parts = [p for p in request.path.split("/") if p]
        spec = request.arg("fields", "id")
        fields = graph_fields(spec)
        replies_match = re.search(r"replies\{([^}]*)\}", spec)
        reply_fields = graph_fields(replies_match.group(1)) if replies_match else {"id", "text",
                                                                                   "timestamp"}
        if parts == ["ig_hashtag_search"]:
            tag = fold(request.arg("q")).lstrip("#")
            if not tag or not request.arg("user_id"):
                return self.error(400, "(#100) The parameter q is required", 100)
            tag_id = str(17843000000000000 + stable_int(tag) % 10**12)
            with world.lock:
                world.sessions[f"ig-tag:{tag_id}"] = {"tag": tag}
            return _resp({"data": [{"id": tag_id}]})
        if len(parts) == 2 and parts[1] == "recent_media":
            tag = world.sessions.get(f"ig-tag:{parts[0]}", {}).get("tag")
            if tag is None:
                return self.missing(parts[0])
            for account in [a for a in list(world.accounts.values())
                            if a.platform == "instagram"]:
                world.catch_up(account)
            with world.lock:
                items = [i for k, lst in world.items.items() if k[0] == "instagram"
                         for i in lst if i.kind == "citizen" and query_matches(tag, i.text)]
            items.sort(key=lambda i: i.created, reverse=True)
            page, token = paginate(world, request, items, request.arg("after"),
                                   self.limit_of(request, 25), self.bad_cursor)
            return self.page_response(request, [self.render_media(world, i, None, fields)
                                                for i in page], page, token)
        if len(parts) == 2 and parts[1] == "media" and request.method == "GET":
            account = world.account("instagram", parts[0])
            items = [i for i in world.list_items(account, kinds=("own",))]
            items.sort(key=lambda i: i.created, reverse=True)
            page, token = paginate(world, request, items, request.arg("after"),
                                   self.limit_of(request, 25), self.bad_cursor)
            with world.lock:
                all_items = list(world.items[account.key])
            counts = {m.id: sum(1 for i in all_items if i.container_id == m.id and
                                i.kind != "own") for m in page}
            return self.page_response(request, [self.render_media(world, m, account, fields,
                                                                  counts[m.id]) for m in page],
                                      page, token)
        if len(parts) == 2 and parts[1] in ("comments", "replies"):
            target = world.get("instagram", parts[0])
            if target is None:
                return self.missing(parts[0])
            account = world.account("instagram", target.account_id)
            if request.method == "POST":
                message = self.message_of(request)
                if not message:
                    return self.error(400, "(#100) The parameter message is required", 100)
                if parts[1] == "replies" and target.parent_id:
                    target = world.get("instagram", target.root_id) or target
                item = world.record_reply(account, parent=target, text=message)
                return _resp({"id": item.id})
            world.catch_up(account)
            with world.lock:
                everything = [i for i in world.items[account.key] if i.kind != "own"]
            if parts[1] == "comments":
                comments = [i for i in everything if i.container_id == target.id and
                            not i.parent_id]
                comments.sort(key=lambda i: (i.created, i.seq), reverse=True)
            else:
                comments = [i for i in everything if i.parent_id == target.id]
                comments.sort(key=lambda i: (i.created, i.seq))
            page, token = paginate(world, request, comments, request.arg("after"),
                                   self.limit_of(request, 25), self.bad_cursor)
            data = [self.render_comment(world, c, fields,
                                        sorted((i for i in everything if i.parent_id == c.id),
                                               key=lambda i: i.seq), reply_fields)
                    for c in page]
            return self.page_response(request, data, page, token)
        if len(parts) == 2 and parts[1] == "mentions" and request.method == "POST":
            account = world.account("instagram", parts[0])
            form = {**{k: v[-1] for k, v in request.query.items()}, **request.form()}
            target = world.get("instagram", str(form.get("comment_id") or form.get("media_id")
                                                or ""))
            if target is None or not form.get("message"):
                return self.error(400, "(#100) media_id and message are required", 100)
            item = world.record_reply(account, parent=target, text=str(form["message"]))
            return _resp({"id": item.id})
        mentioned = re.match(r"mentioned_(comment|media)\.(?:comment|media)_id\((\w+)\)"
                             r"\{(.*)\}$", spec)
        if len(parts) == 1 and request.method == "GET" and mentioned:
            kind, object_id, sub = mentioned.groups()
            item = world.get("instagram", object_id)
            if item is None:
                return self.missing(object_id)
            sub_fields = graph_fields(sub)
            if kind == "comment":
                rendered = self.render_comment(world, item, sub_fields, [], set())
                if "media" in sub_fields:
                    media = world.get("instagram", item.container_id)
                    rendered["media"] = {"id": item.container_id, **(
                        {"permalink": self.render_media(world, media, None, {"permalink"})
                         ["permalink"]} if media else {})}
            else:
                rendered = self.render_media(world, item, world.account(
                    "instagram", item.account_id), sub_fields)
            return _resp({f"mentioned_{kind}": rendered, "id": parts[0]})
        if len(parts) == 1 and request.method == "GET":
            account = world.account("instagram", parts[0], create=False)
            if account is None:
                item = world.get("instagram", parts[0])
                if item is None:
                    return self.missing(parts[0])
                if item.kind == "own":
                    return _resp(self.render_media(world, item, world.account(
                        "instagram", item.account_id), fields | {"id"}))
                return _resp(self.render_comment(world, item, fields | {"id"}, [], set()))
            values = {"username": account.handle, "name": account.name,
                      "profile_picture_url": "https://scontent.cdninstagram.com/sandbox.jpg",
                      "followers_count": account.followers, "media_count": len(account.own),
                      "biography": f"Cuenta oficial de {account.name}"}
            return _resp({"id": account.account_id,
                          **{k: v for k, v in values.items() if k in fields}})
        return self.error(400, f"Unknown path components: /{'/'.join(parts[1:])}", 2500)


# --------------------------------------------------------------------------------------
# YouTube Data API v3
# --------------------------------------------------------------------------------------
class YouTubeNetwork(Network):
    platform = "youtube"
    limit = 10000
    window = 86400.0

    def error(self, status: int, message: str, reason: str, *, domain: str = "youtube.api",
              headers=None, grpc: str = ""):
        body = {"error": {"code": status, "message": message,
                          "errors": [{"message": message, "domain": domain, "reason": reason}]}}
        if grpc:
            body["error"]["status"] = grpc
        return _resp(body, status, headers)

    def server_error(self, request):
        return self.error(500, "Backend Error", "backendError", domain="global",
                          grpc="INTERNAL")

    def unauthorised(self, request):
        return self.error(401, "Request had invalid authentication credentials.", "authError",
                          domain="global", grpc="UNAUTHENTICATED")

    def rate_limited(self, request, reset_in: float):
        return self.error(403, "The request cannot be completed because you have exceeded "
                          "your rate limit.", "rateLimitExceeded", domain="youtube.quota",
                          headers={"Retry-After": str(int(math.ceil(reset_in)))})

    def etag(self, *parts) -> str:
        return digest_chars("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-",
                            27, *parts)

    def render_comment(self, world, item: Item, account: Account, text_format: str) -> dict:
        citizen = item.citizen
        if citizen is not None:
            name, channel = f"@{citizen.handle}", world.citizen_id("youtube", citizen)
        else:
            name, channel = f"@{account.handle}", account.account_id
        display = item.text if text_format == "plainText" else \
            item.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        snippet = {
            "channelId": account.account_id, "videoId": item.container_id,
            "textDisplay": display, "textOriginal": item.text,
            "authorDisplayName": name,
            "authorProfileImageUrl": "https://yt3.ggpht.com/sandbox=s48-c-k-c0x00ffffff-no-rj",
            "authorChannelUrl": f"http://www.youtube.com/{name}",
            "authorChannelId": {"value": channel}, "canRate": True, "viewerRating": "none",
            "likeCount": item.seq % 6, "publishedAt": iso_s(item.created),
            "updatedAt": iso_s(item.created)}
        if item.parent_id and item.parent_id != item.container_id:
            snippet["parentId"] = item.parent_id
        return {"kind": "youtube#comment", "etag": self.etag(item.id), "id": item.id,
                "snippet": snippet}

    def dispatch(self, world: World, request):
        if not (request.bearer() or request.arg("key")) or request.bearer().startswith("revoked"):
            return self.unauthorised(request)
        self.count_call(world, request)
        path = request.path.rstrip("/")
        if path == "/commentThreads" and request.method == "GET":
            return self.comment_threads(world, request)
        if path == "/comments" and request.method == "POST":
            return self.insert_comment(world, request)
        if path == "/comments" and request.method == "GET":
            return self.list_comments(world, request)
        if path == "/channels" and request.method == "GET":
            return self.channels(world, request)
        return self.error(404, "Not Found", "notFound", domain="global")

    def comment_threads(self, world: World, request):
        if not request.arg("part"):
            return self.error(400, "No filter selected. Expected one of: part",
                              "missingRequiredParameter")
        max_results = request.int_arg("maxResults", 20)
        if not 1 <= max_results <= 100:
            return self.error(400, "Invalid value for parameter maxResults", "invalidParameter")
        channel_id = request.arg("allThreadsRelatedToChannelId") or request.arg("channelId")
        video_id = request.arg("videoId")
        if channel_id:
            account = world.account("youtube", channel_id)
        elif video_id:
            item = world.get("youtube", video_id)
            if item is None:
                return self.error(404, "The video identified by the videoId parameter could not "
                                  "be found.", "videoNotFound")
            account = world.account("youtube", item.account_id)
        else:
            return self.error(400, "No filter selected. Expected one of: "
                              "allThreadsRelatedToChannelId, videoId, id, channelId",
                              "missingRequiredParameter")
        items = world.list_items(account, kinds=("citizen", "reply"))
        with world.lock:
            everything = list(items)
        threads = [i for i in everything if i.kind == "citizen" and not
                   (i.parent_id and i.parent_id != i.container_id)]
        if video_id:
            threads = [i for i in threads if i.container_id == video_id]
        terms = request.arg("searchTerms")
        if terms:
            threads = [i for i in threads if query_matches(terms, i.text)]
        if request.arg("order", "time") == "time":
            threads.sort(key=lambda i: (i.created, i.seq), reverse=True)
        page, token = paginate(world, request, threads, request.arg("pageToken"), max_results,
                               lambda: self.error(400, "The request specifies an invalid page "
                                                  "token.", "invalidPageToken"))
        text_format = request.arg("textFormat", "html")
        parts = set(request.arg("part").split(","))
        rendered = []
        for top in page:
            replies = sorted((i for i in everything if i.parent_id == top.id),
                             key=lambda i: i.seq)
            thread: dict[str, Any] = {
                "kind": "youtube#commentThread", "etag": self.etag("t", top.id), "id": top.id,
                "snippet": {"channelId": account.account_id, "videoId": top.container_id,
                            "topLevelComment": self.render_comment(world, top, account,
                                                                   text_format),
                            "canReply": True, "totalReplyCount": len(replies),
                            "isPublic": True}}
            if "replies" in parts and replies:
                world.mark_served(replies)
                thread["replies"] = {"comments": [
                    self.render_comment(world, r, account, text_format) for r in replies[:5]]}
            rendered.append(thread)
        body: dict[str, Any] = {"kind": "youtube#commentThreadListResponse",
                                "etag": self.etag("l", len(threads), request.arg("pageToken"))}
        if token:
            body["nextPageToken"] = token
        body["pageInfo"] = {"totalResults": len(rendered), "resultsPerPage": max_results}
        body["items"] = rendered
        return _resp(body)

    def list_comments(self, world: World, request):
        parent_id = request.arg("parentId")
        if not request.arg("part") or not (parent_id or request.arg("id")):
            return self.error(400, "No filter selected. Expected one of: id, parentId",
                              "missingRequiredParameter")
        max_results = request.int_arg("maxResults", 20)
        if not 1 <= max_results <= 100:
            return self.error(400, "Invalid value for parameter maxResults", "invalidParameter")
        parent = world.get("youtube", parent_id)
        if parent is None:
            return self.error(404, "The comment identified by the parentId parameter could "
                              "not be found.", "commentNotFound")
        account = world.account("youtube", parent.account_id)
        with world.lock:
            replies = sorted((i for i in world.items[account.key] if i.parent_id == parent_id),
                             key=lambda i: i.seq)
        page, token = paginate(world, request, replies, request.arg("pageToken"), max_results,
                               lambda: self.error(400, "The request specifies an invalid page "
                                                  "token.", "invalidPageToken"))
        body: dict[str, Any] = {"kind": "youtube#commentListResponse",
                                "etag": self.etag("r", parent_id, request.arg("pageToken"))}
        if token:
            body["nextPageToken"] = token
        body["pageInfo"] = {"totalResults": len(page), "resultsPerPage": max_results}
        body["items"] = [self.render_comment(world, i, account, request.arg("textFormat",
                                                                            "html"))
                         for i in page]
        return _resp(body)

    def insert_comment(self, world: World, request):
        body = request.json()
        snippet = body.get("snippet") if isinstance(body, dict) else None
        if not isinstance(snippet, dict) or not snippet.get("parentId") or \
                not snippet.get("textOriginal"):
            return self.error(400, "The request is missing a required parameter.",
                              "missingRequiredParameter")
        parent = world.get("youtube", str(snippet["parentId"]))
        if parent is None or parent.kind == "own":
            return self.error(404, "The comment identified by the parentId parameter could "
                              "not be found.", "parentCommentNotFound")
        if parent.parent_id and parent.parent_id != parent.container_id:
            return self.error(400, "The comment's parent must be a top-level comment.",
                              "operationNotSupported")
        account = world.account_by_token("youtube", request.bearer()) or \
            world.account("youtube", parent.account_id)
        item = world.record_reply(account, parent=parent, text=str(snippet["textOriginal"]))
        return _resp(self.render_comment(world, item, account, "html"))

    def channels(self, world: World, request):
        if request.arg("mine") == "true":
            account = world.account_by_token("youtube", request.bearer())
            if account is None:
                return self.error(403, "The request is not properly authorized.", "forbidden")
        else:
            account = world.account("youtube", request.arg("id"), create=False)
        items = []
        if account is not None:
            items.append({
                "kind": "youtube#channel", "etag": self.etag("c", account.account_id),
                "id": account.account_id,
                "snippet": {"title": account.name,
                            "description": f"Canal oficial de {account.name}",
                            "customUrl": f"@{account.handle.lower()}",
                            "publishedAt": "2015-03-02T15:00:00Z",
                            "thumbnails": {"default": {"url": "https://yt3.ggpht.com/sandbox",
                                                       "width": 88, "height": 88}}},
                "statistics": {"viewCount": str(account.followers * 37),
                               "subscriberCount": str(account.followers),
                               "hiddenSubscriberCount": False,
                               "videoCount": str(len(account.own))}})
        return _resp({"kind": "youtube#channelListResponse", "etag": self.etag("cl"),
                      "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                      "items": items})


# --------------------------------------------------------------------------------------
# Mastodon
# --------------------------------------------------------------------------------------
class MastodonNetwork(Network):
    platform = "mastodon"
    limit = 300
    window = 300.0
    instance = "sanisidro.social"

    def rate_limited(self, request, reset_in: float):
        reset = datetime.fromtimestamp(request_now(request) + reset_in, tz=UTC)
        return _resp({"error": "Too many requests"}, 429, {
            "X-RateLimit-Limit": str(self.limit), "X-RateLimit-Remaining": "0",
            "X-RateLimit-Reset": reset.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"})

    def server_error(self, request):
        return _resp({"error": "We're sorry, but something went wrong on our end."}, 500)

    def render_account(self, world, item: Item | None, account: Account) -> dict:
        if item is not None and item.citizen is not None:
            citizen = item.citizen
            account_id = world.citizen_id("mastodon", citizen)
            remote = stable_int(citizen.key) % 3 == 0
            acct = f"{citizen.handle}@otra.instancia.co" if remote else citizen.handle
            username, display = citizen.handle, citizen.name
            followers = citizen.followers
            created = request_epoch(world) - citizen.account_age_days * 86400
            host = "otra.instancia.co" if remote else self.instance
        else:
            account_id, acct, username = account.account_id, account.handle, account.handle
            display, followers = account.name, account.followers
            created = request_epoch(world) - 2000 * 86400
            host = self.instance
        day = datetime.fromtimestamp(created, tz=UTC).strftime("%Y-%m-%dT00:00:00.000Z")
        return {
            "id": account_id, "username": username, "acct": acct, "display_name": display,
            "locked": False, "bot": False, "discoverable": True, "indexable": True,
            "group": False, "created_at": day, "note": "", "url": f"https://{host}/@{username}",
            "uri": f"https://{host}/users/{username}",
            "avatar": f"https://{host}/avatars/original/missing.png",
            "avatar_static": f"https://{host}/avatars/original/missing.png",
            "header": f"https://{host}/headers/original/missing.png",
            "header_static": f"https://{host}/headers/original/missing.png",
            "followers_count": followers, "following_count": 50, "statuses_count": 120,
            "last_status_at": datetime.fromtimestamp(request_epoch(world), tz=UTC)
            .strftime("%Y-%m-%d"),
            "hide_collections": False, "noindex": False, "emojis": [], "roles": [],
            "fields": []}

    def render_status(self, world, item: Item, account: Account) -> dict:
        author = self.render_account(world, item, account)
        parent = world.get("mastodon", item.parent_id) if item.parent_id else None
        text = (item.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"))
        mention_html = (f'<span class="h-card" translate="no"><a href="https://{self.instance}/'
                        f'@{account.handle}" class="u-url mention">@<span>{account.handle}'
                        f'</span></a></span>')
        text = text.replace(f"@{account.handle}", mention_html, 1)
        host = author["url"].split("/")[2]
        return {
            "id": item.id, "created_at": iso_ms(item.created),
            "in_reply_to_id": parent.id if parent else None,
            "in_reply_to_account_id": (self.render_account(world, parent, account)["id"]
                                       if parent else None),
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "es",
            "uri": f"https://{host}/users/{author['username']}/statuses/{item.id}",
            "url": f"https://{host}/@{author['username']}/{item.id}",
            "replies_count": 0, "reblogs_count": 0, "favourites_count": item.seq % 4,
            "quotes_count": 0, "edited_at": None, "content": f"<p>{text}</p>",
            "reblog": None, "application": None, "account": author, "media_attachments": [],
            "mentions": [{"id": account.account_id, "username": account.handle,
                          "acct": account.handle,
                          "url": f"https://{self.instance}/@{account.handle}"}],
            "tags": [], "emojis": [], "card": None, "poll": None, "quote": None,
            "favourited": False, "reblogged": False, "muted": False, "bookmarked": False,
            "pinned": False, "filtered": []}

    def dispatch(self, world: World, request):
        token = request.bearer()
        if not token or token.startswith("revoked"):
            return _resp({"error": "The access token is invalid"}, 401)
        limit, remaining, reset = self.count_call(world, request)
        response = self._route(world, request, token)
        reset_iso = datetime.fromtimestamp(reset, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")
        response.headers.update({"X-RateLimit-Limit": str(limit),
                                 "X-RateLimit-Remaining": str(remaining),
                                 "X-RateLimit-Reset": reset_iso[:-3] + "Z"})
        return response

    def window_of(self, request, items: list[Item], id_of, limit: int) -> list[Item]:
        """min_id: the `limit` items just above it; else the newest below max_id/since_id."""
        min_id, max_id, since_id = (request.arg("min_id"), request.arg("max_id"),
                                    request.arg("since_id"))
        items = sorted(items, key=lambda i: int(id_of(i)))
        if max_id.isdigit():
            items = [i for i in items if int(id_of(i)) < int(max_id)]
        if since_id.isdigit():
            items = [i for i in items if int(id_of(i)) > int(since_id)]
        if min_id.isdigit():
            items = [i for i in items if int(id_of(i)) > int(min_id)][:limit]
        else:
            items = items[-limit:]
        return list(reversed(items))

    def _route(self, world: World, request, token: str):
        account = world.account_by_token("mastodon", token)
        path = request.path.rstrip("/")
        if account is None:
            return _resp({"error": "The access token is invalid"}, 401)
        if path == "/api/v1/notifications" and request.method == "GET":
            types = request.args("types[]")
            limit = max(1, min(request.int_arg("limit", 40), 80))
            items = world.list_items(account)
            if types and "mention" not in types:
                items = []
            if "mention" in request.args("exclude_types[]"):
                items = []
            page = self.window_of(request, items, lambda i: i.extra["notification_id"], limit)
            if world.take_fault("truncated", "mastodon", path):
                page = []
            if world.take_fault("repeat", "mastodon", path) and page:
                page = page + page[:2]
            world.mark_served(page)
            body = [{"id": i.extra["notification_id"], "type": "mention",
                     "created_at": iso_ms(i.created), "group_key": f"ungrouped-{i.seq}",
                     "account": self.render_account(world, i, account),
                     "status": self.render_status(world, i, account)} for i in page]
            headers = {}
            if page:
                ids = [int(i.extra["notification_id"]) for i in page]
                url = f"{request.base_url}/api/v1/notifications"
                kinds = "".join(f"&types%5B%5D={t}" for t in types)
                headers["Link"] = (f'<{url}?limit={limit}{kinds}&max_id={min(ids)}>; rel="next", '
                                   f'<{url}?limit={limit}{kinds}&min_id={max(ids)}>; rel="prev"')
            return _resp(body, 200, headers)
        if path == "/api/v2/search" and request.method == "GET":
            query = request.arg("q")
            limit = max(1, min(request.int_arg("limit", 20), 40))
            statuses = []
            if request.arg("type", "statuses") == "statuses" and query:
                for other in [a for a in list(world.accounts.values())
                              if a.platform == "mastodon"]:
                    world.catch_up(other)
                with world.lock:
                    found = [i for k, lst in world.items.items() if k[0] == "mastodon"
                             for i in lst if i.kind == "citizen" and query_matches(query, i.text)]
                page = self.window_of(request, found, lambda i: i.id, limit)
                offset = request.int_arg("offset", 0)
                page = page[offset:] if offset else page
                world.mark_served(page)
                statuses = [self.render_status(world, i, world.account("mastodon", i.account_id))
                            for i in page]
            return _resp({"accounts": [], "statuses": statuses, "hashtags": []})
        if path == "/api/v1/statuses" and request.method == "POST":
            key = request.headers.get("idempotency-key", "")
            if key and (account.account_id, key) in world.idempotency:
                return _resp(world.idempotency[(account.account_id, key)])
            form = request.form()
            text = str(form.get("status") or "")
            if not text.strip():
                return _resp({"error": "Validation failed: Text can't be blank"}, 422)
            if len(text) > 500:
                return _resp({"error": "Validation failed: Text character limit of 500 "
                                       "exceeded"}, 422)
            parent = None
            if form.get("in_reply_to_id"):
                parent = world.get("mastodon", str(form["in_reply_to_id"]))
                if parent is None:
                    return _resp({"error": "Record not found"}, 404)
            item = world.record_reply(account, parent=parent, text=text, idempotency_key=key)
            status = self.render_status(world, item, account)
            status["visibility"] = str(form.get("visibility") or "public")
            if key:
                world.idempotency[(account.account_id, key)] = status
            return _resp(status)
        if path == "/api/v1/accounts/verify_credentials" and request.method == "GET":
            rendered = self.render_account(world, None, account)
            rendered["note"] = f"<p>Cuenta oficial de {account.name}</p>"
            rendered["source"] = {"privacy": "public", "sensitive": False, "language": "es",
                                  "note": f"Cuenta oficial de {account.name}", "fields": [],
                                  "follow_requests_count": 0, "indexable": True}
            rendered["role"] = {"id": "-99", "name": "", "color": "", "permissions": "0",
                                "highlighted": False}
            return _resp(rendered)
        return _resp({"error": "Record not found"}, 404)


# --------------------------------------------------------------------------------------
# Bluesky (AT Protocol XRPC)
# --------------------------------------------------------------------------------------
class BlueskyNetwork(Network):
    platform = "bluesky"
    limit = 3000
    window = 300.0

    def xrpc_error(self, status: int, name: str, message: str, headers=None):
        return _resp({"error": name, "message": message}, status, headers)

    def server_error(self, request):
        return self.xrpc_error(500, "InternalServerError", "Internal Server Error")

    def unauthorised(self, request):
        return self.xrpc_error(401, "AuthenticationRequired", "Authentication Required")

    def rate_limited(self, request, reset_in: float):
        return self.xrpc_error(429, "RateLimitExceeded", "Rate Limit Exceeded", {
            "RateLimit-Limit": str(self.limit), "RateLimit-Remaining": "0",
            "RateLimit-Reset": str(int(math.ceil(request_now(request) + reset_in))),
            "RateLimit-Policy": f"{self.limit};w={int(self.window)}"})

    def jwt(self, world: World, account: Account, kind: str) -> str:
        world.seq += 1
        header = base64.urlsafe_b64encode(b'{"typ":"at+jwt","alg":"ES256K"}').decode().rstrip("=")
        claims = {"scope": "com.atproto.access" if kind == "access" else "com.atproto.refresh",
                  "sub": account.account_id, "iat": int(request_epoch(world)),
                  "jti": world.seq}
        payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
        token = f"{header}.{payload}.{digest_chars(B64, 43, world.seed, world.seq)}"
        world.sessions[token] = {"account": account.key, "kind": kind}
        return token

    def session(self, world: World, account: Account) -> dict:
        return {"accessJwt": self.jwt(world, account, "access"),
                "refreshJwt": self.jwt(world, account, "refresh"),
                "handle": account.handle, "did": account.account_id,
                "email": f"redes@{account.handle.split('.')[0]}.gov.co",
                "emailConfirmed": True, "active": True}

    def author(self, world, item: Item | None, account: Account, detailed: bool = False) -> dict:
        if item is not None and item.citizen is not None:
            citizen = item.citizen
            view = {"did": world.citizen_id("bluesky", citizen),
                    "handle": f"{citizen.handle}.bsky.social", "displayName": citizen.name,
                    "avatar": "https://cdn.bsky.app/img/avatar/plain/sandbox@jpeg",
                    "labels": [],
                    "createdAt": iso_ms(request_epoch(world) - citizen.account_age_days * 86400)}
            followers = citizen.followers
        else:
            view = {"did": account.account_id, "handle": account.handle,
                    "displayName": account.name,
                    "avatar": "https://cdn.bsky.app/img/avatar/plain/official@jpeg",
                    "labels": [], "createdAt": "2023-05-01T12:00:00.000Z"}
            followers = account.followers
        if detailed:
            view.update(description=f"Cuenta oficial de {account.name}",
                        followersCount=followers, followsCount=40, postsCount=200,
                        indexedAt=iso_ms(request_epoch(world)))
        return view

    def record(self, world, item: Item, account: Account) -> dict:
        record: dict[str, Any] = {"$type": "app.bsky.feed.post", "text": item.text,
                                  "createdAt": iso_ms(item.created), "langs": ["es"]}
        mention = f"@{account.handle}"
        start = item.text.find(mention)
        if start >= 0:
            byte_start = len(item.text[:start].encode())
            record["facets"] = [{"index": {"byteStart": byte_start,
                                           "byteEnd": byte_start + len(mention.encode())},
                                 "features": [{"$type": "app.bsky.richtext.facet#mention",
                                               "did": account.account_id}]}]
        parent = world.get("bluesky", item.parent_id) if item.parent_id else None
        if parent is not None:
            root = world.get("bluesky", item.root_id) or parent
            record["reply"] = {"root": {"uri": root.id, "cid": root.extra["cid"]},
                               "parent": {"uri": parent.id, "cid": parent.extra["cid"]}}
        return record

    def post_view(self, world, item: Item, account: Account) -> dict:
        return {"uri": item.id, "cid": item.extra["cid"],
                "author": self.author(world, item, account),
                "record": self.record(world, item, account), "replyCount": 0,
                "repostCount": 0, "likeCount": item.seq % 5, "quoteCount": 0,
                "indexedAt": iso_ms(item.extra.get("indexed", item.created)), "labels": []}

    def dispatch(self, world: World, request):
        limit, remaining, reset = self.count_call(world, request)
        response = self._route(world, request)
        response.headers.update({"RateLimit-Limit": str(limit),
                                 "RateLimit-Remaining": str(remaining),
                                 "RateLimit-Reset": str(int(reset)),
                                 "RateLimit-Policy": f"{limit};w={int(self.window)}"})
        return response

    def revoke_password(self, world: World, request) -> None:
        """The account making this request revokes its app password (Bluesky settings):
        the password no longer logs in and every session created with it ends."""
        with world.lock:
            session = world.sessions.get(request.bearer())
            body = request.json() if isinstance(request.json(), dict) else {}
            account = world.accounts.get(session["account"]) if session else \
                world.account_by_handle("bluesky", str(body.get("identifier") or ""))
            if account is None:
                return
            account.token = f"revoked-{account.token}"
            for token, other in list(world.sessions.items()):
                if other.get("account") == account.key:
                    world.sessions.pop(token)

    def _route(self, world: World, request):
        nsid = request.path.removeprefix("/xrpc/").rstrip("/")
        if world.take_fault("revoke_password", "bluesky", request.path):
            self.revoke_password(world, request)
        if nsid == "com.atproto.server.createSession" and request.method == "POST":
            body = request.json() if isinstance(request.json(), dict) else {}
            account = world.account_by_handle("bluesky", str(body.get("identifier") or ""))
            if account is None or body.get("password") != account.token:
                return self.xrpc_error(401, "AuthenticationRequired",
                                       "Invalid identifier or password")
            return _resp(self.session(world, account))
        token = request.bearer()
        session = world.sessions.get(token)
        if nsid == "com.atproto.server.refreshSession" and request.method == "POST":
            if session is None or session["kind"] != "refresh":
                return self.xrpc_error(400, "InvalidToken", "Token could not be verified")
            account = world.accounts[session["account"]]
            world.sessions.pop(token, None)
            return _resp({k: v for k, v in self.session(world, account).items()
                          if k in ("accessJwt", "refreshJwt", "handle", "did", "active")})
        if session is None or session["kind"] != "access":
            return self.xrpc_error(401, "AuthenticationRequired", "Authentication Required")
        if world.take_fault("expire_session", "bluesky", request.path):
            world.sessions.pop(token, None)
            return self.xrpc_error(400, "ExpiredToken", "Token has expired")
        account = world.accounts[session["account"]]
        if nsid == "app.bsky.notification.listNotifications" and request.method == "GET":
            limit = request.int_arg("limit", 50)
            if not 1 <= limit <= 100:
                return self.xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
            reasons = set(request.args("reasons"))
            items = world.list_items(account)
            rendered_reasons = {}
            for item in items:
                parent = world.get("bluesky", item.parent_id) if item.parent_id else None
                rendered_reasons[item.id] = "reply" if parent is not None and \
                    parent.kind == "own" else "mention"
            if reasons:
                items = [i for i in items if rendered_reasons[i.id] in reasons]
            items.sort(key=lambda i: (i.extra["indexed"], i.seq), reverse=True)
            page, token_out = paginate(world, request, items, request.arg("cursor"), limit,
                                       lambda: self.xrpc_error(400, "InvalidRequest",
                                                               "Malformed cursor"))
            notifications = []
            for item in page:
                note = {"uri": item.id, "cid": item.extra["cid"],
                        "author": self.author(world, item, account),
                        "reason": rendered_reasons[item.id],
                        "record": self.record(world, item, account), "isRead": False,
                        "indexedAt": iso_ms(item.extra["indexed"]), "labels": []}
                if note["reason"] == "reply":
                    note["reasonSubject"] = item.parent_id
                notifications.append(note)
            body: dict[str, Any] = {"notifications": notifications}
            if token_out:
                body["cursor"] = token_out
            body["seenAt"] = iso_ms(request_epoch(world) - 3600)
            return _resp(body)
        if nsid == "app.bsky.feed.searchPosts" and request.method == "GET":
            query = request.arg("q")
            if not query:
                return self.xrpc_error(400, "InvalidRequest", 'Error: Params must have the '
                                       'property "q"')
            limit = request.int_arg("limit", 25)
            if not 1 <= limit <= 100:
                return self.xrpc_error(400, "InvalidRequest", "limit must be between 1 and 100")
            for other in [a for a in list(world.accounts.values()) if a.platform == "bluesky"]:
                world.catch_up(other)
            author = request.arg("author")
            with world.lock:
                if author:
                    # `author=` (DID or handle): that account's own posts, as the real API
                    # does; the calendar uses it to check whether a post already went out.
                    own = world.account_by_handle("bluesky", author) or \
                        world.account("bluesky", author)
                    found = [i for i in (world.items.get(own.key, []) if own else [])
                             if i.kind in ("own", "reply") and query_matches(query, i.text)]
                else:
                    found = [i for k, lst in world.items.items() if k[0] == "bluesky"
                             for i in lst
                             if i.kind == "citizen" and query_matches(query, i.text)]
            since = request.arg("since")
            if since:
                found = [i for i in found if iso_ms(i.created) >= since]
            found.sort(key=lambda i: (i.extra.get("indexed", i.created), i.seq), reverse=True)
            page, token_out = paginate(world, request, found, request.arg("cursor"), limit,
                                       lambda: self.xrpc_error(400, "InvalidRequest",
                                                               "Malformed cursor"))
            body = {"posts": [self.post_view(world, i, world.account("bluesky", i.account_id))
                              for i in page], "hitsTotal": len(found)}
            if token_out:
                body["cursor"] = token_out
            return _resp(body)
        if nsid == "app.bsky.feed.getPosts" and request.method == "GET":
            posts = []
            for uri in request.args("uris")[:25]:
                item = world.get("bluesky", uri)
                if item is not None:
                    posts.append(self.post_view(world, item, world.account("bluesky",
                                                                           item.account_id)))
            return _resp({"posts": posts})
        if nsid == "com.atproto.repo.createRecord" and request.method == "POST":
            body = request.json()
            if not isinstance(body, dict) or not isinstance(body.get("record"), dict):
                return self.xrpc_error(400, "InvalidRequest", "Input must have the property "
                                       '"record"')
            if body.get("repo") not in (account.account_id, account.handle):
                return self.xrpc_error(400, "InvalidRequest", "Invalid repo")
            record = body["record"]
            text = record.get("text")
            if not isinstance(text, str) or len(text) > 300 or len(text.encode()) > 3000:
                return self.xrpc_error(400, "InvalidRequest", "Invalid app.bsky.feed.post "
                                       "record: Record/text must not be longer than 300 "
                                       "graphemes")
            parent_uri = str(((record.get("reply") or {}).get("parent") or {}).get("uri") or "")
            parent = world.get("bluesky", parent_uri) if parent_uri else None
            if parent_uri and parent is None:
                return self.xrpc_error(400, "InvalidRequest", "Could not locate record: "
                                       f"{parent_uri}")
            item = world.record_reply(account, parent=parent, text=text)
            return _resp({"uri": item.id, "cid": item.extra["cid"],
                          "commit": {"cid": "bafyrei" + digest_chars(B32, 52, "c", item.seq),
                                     "rev": digest_chars(TID, 13, "r", item.seq)},
                          "validationStatus": "valid"})
        if nsid == "app.bsky.actor.getProfile" and request.method == "GET":
            actor = request.arg("actor")
            target = world.account_by_handle("bluesky", actor)
            if target is None:
                return self.xrpc_error(400, "InvalidRequest", "Profile not found")
            return _resp(self.author(world, None, target, detailed=True))
        return self.xrpc_error(501, "MethodNotImplemented", "Method Not Implemented")


B32 = "abcdefghijklmnopqrstuvwxyz234567"
B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
TID = "234567abcdefghijklmnopqrstuvwxyz"

_NOW: dict[str, Any] = {}


def request_epoch(world: World) -> float:
    return world.clock()


def request_now(request) -> float:
    clock = _NOW.get("clock")
    return clock() if clock else datetime.now(tz=UTC).timestamp()


HANDLERS: dict[str, Network] = {
    "x": XNetwork(), "facebook": FacebookNetwork(), "instagram": InstagramNetwork(),
    "youtube": YouTubeNetwork(), "mastodon": MastodonNetwork(), "bluesky": BlueskyNetwork(),
}


# --------------------------------------------------------------------------------------
# Webhook deliveries
# --------------------------------------------------------------------------------------
def webhook_payload(world: World, account: Account, items: list[Item]) -> dict:
    now = int(world.clock())
    if account.platform == "x":
        events = []
        for item in items:
            citizen = item.citizen
            created = datetime.fromtimestamp(item.created, tz=UTC)
            events.append({
                "created_at": created.strftime("%a %b %d %H:%M:%S +0000 %Y"),
                "id": int(item.id), "id_str": item.id, "text": item.text,
                "in_reply_to_status_id_str": item.parent_id or None,
                "timestamp_ms": str(int(item.created * 1000)),
                "user": {"id": int(world.citizen_id("x", citizen)),
                         "id_str": world.citizen_id("x", citizen), "name": citizen.name,
                         "screen_name": citizen.handle, "followers_count": citizen.followers,
                         "created_at": format_datetime(datetime.fromtimestamp(
                             now - citizen.account_age_days * 86400, tz=UTC))}})
        return {"for_user_id": account.account_id, "tweet_create_events": events}
    if account.platform == "instagram":
        changes = [{"field": "comments", "value": {
            "id": item.id, "text": item.text,
            "from": {"id": world.citizen_id("instagram", item.citizen),
                     "username": item.citizen.handle},
            "media": {"id": item.container_id, "media_product_type": "FEED"},
            **({"parent_id": item.parent_id} if item.parent_id else {})}} for item in items]
        return {"object": "instagram", "entry": [{"id": account.account_id, "time": now,
                                                  "changes": changes}]}
    changes = []
    for item in items:
        visitor = bool(item.extra.get("visitor_post"))
        value = {"item": "status" if visitor else "comment", "verb": "add",
                 "post_id": item.id if visitor else item.container_id,
                 "from": {"id": world.citizen_id("facebook", item.citizen),
                          "name": item.citizen.name},
                 "message": item.text, "created_time": int(item.created)}
        if not visitor:
            value.update(comment_id=item.id, parent_id=item.parent_id or item.container_id)
        changes.append({"field": "feed", "value": value})
    return {"object": "page", "entry": [{"id": account.account_id, "time": now,
                                         "changes": changes}]}
