"""Instagram Graph API (Business/Creator account): comments and replies on recent media.

Mentions elsewhere (captions and comments on other accounts' media) only arrive by webhook
(`webhooks.parse_meta_delivery`); polling reads the account's media and their comments.
Comment paging is cursor-only (no `since`), so the cursor is a timestamp watermark with
the ids at that second, as for Facebook. Search is hashtag search
(`ig_hashtag_search` + `/{hashtag-id}/recent_media`), the only keyword search IG offers.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .base import (
    AuthorData,
    FetchResult,
    NormalizedMention,
    PermanentError,
    Profile,
    PublishedReply,
)
from .common import (
    BaseClient,
    Deduper,
    as_dict,
    as_list,
    dig,
    int_or_none,
    load_cursor,
    parse_time,
    require_dict,
    text_of,
)
from .facebook import GRAPH_VERSION, Watermark, after_token, meta_error

MEDIA_FIELDS = "id,caption,permalink,timestamp,comments_count,username"
COMMENT_FIELDS = ("id,text,timestamp,username,from{id,username},like_count,parent_id,hidden,"
                  "replies{id,text,username,timestamp,from{id,username},parent_id}")


def parse_comment(comment: Any, media: dict) -> NormalizedMention | None:
    comment = as_dict(comment)
    comment_id = text_of(comment.get("id"))
    created = parse_time(comment.get("timestamp"))
    if not comment_id or created is None:
        return None
    username = text_of(dig(comment, "from", "username")) or text_of(comment.get("username"))
    author = AuthorData(
        external_id=text_of(dig(comment, "from", "id")) or username, handle=username,
        profile_url=f"https://www.instagram.com/{username}/" if username else "")
    media_id = text_of(media.get("id")) or text_of(dig(comment, "media", "id"))
    parent = text_of(comment.get("parent_id"))
    return NormalizedMention(
        platform="instagram", external_id=comment_id, author=author,
        text=text_of(comment.get("text")), created_at=created,
        url=text_of(media.get("permalink")) or text_of(dig(comment, "media", "permalink")),
        in_reply_to_external_id=parent or media_id, thread_external_id=media_id,
        raw={**comment, "media": {"id": media_id, "permalink": text_of(media.get("permalink"))}})


def parse_media(media: Any) -> NormalizedMention | None:
    media = as_dict(media)
    media_id = text_of(media.get("id"))
    created = parse_time(media.get("timestamp"))
    if not media_id or created is None:
        return None
    username = text_of(media.get("username"))
    return NormalizedMention(
        platform="instagram", external_id=media_id,
        author=AuthorData(external_id=username, handle=username),
        text=text_of(media.get("caption")), created_at=created,
        url=text_of(media.get("permalink")), thread_external_id=media_id, raw=media)


def parse_comments_page(payload: Any, media: dict) -> list[NormalizedMention]:
    """A comments page, replies (nested under `replies.data`) flattened after their parent."""
    payload = require_dict(payload, "Instagram comments page")
    found = []
    for raw in as_list(payload.get("data")):
        comment = parse_comment(raw, media)
        if comment is not None:
            found.append(comment)
        for reply in as_list(dig(raw, "replies", "data")):
            mention = parse_comment(reply, media)
            if mention is not None and not mention.raw.get("parent_id") and comment is not None:
                mention = replace(mention, in_reply_to_external_id=comment.external_id)
            if mention is not None:
                found.append(mention)
    return found


class InstagramClient(BaseClient):
    platform = "instagram"
    official_base_url = f"https://graph.facebook.com/{GRAPH_VERSION}"
    media_pages = 2
    media_per_page = 25
    comments_per_page = 50
    max_post_chars = 2200

    def classify_error(self, response, payload):
        return meta_error(response, payload)

    def _pages(self, path: str, params: dict, limit: int):
        token = ""
        for _page in range(limit):
            query = dict(params)
            if token:
                query["after"] = token
            payload = require_dict(self.get(path, query), "Instagram page")
            yield payload
            token = after_token(payload)
            if not token:
                return

    def _media(self):
        params = {"fields": MEDIA_FIELDS, "limit": self.media_per_page}
        for payload in self._pages(f"/{self.account_id}/media", params, self.media_pages):
            for media in as_list(payload.get("data")):
                if isinstance(media, dict) and text_of(media.get("id")):
                    yield media

    def fetch_mentions(self, cursor: str | None) -> FetchResult:
        mark = Watermark(load_cursor(cursor))
        found = Deduper()
        for media in self._media():
            if int_or_none(media.get("comments_count")) == 0:
                continue
            params = {"fields": COMMENT_FIELDS, "limit": self.comments_per_page}
            for page in self._pages(f"/{media['id']}/comments", params, self.max_pages):
                for mention in parse_comments_page(page, media):
                    if mention.author.handle == self.handle and self.handle:
                        continue  # the account's own replies
                    if mention.external_id not in found.seen and mark.is_new(mention):
                        found.add(mention)
        found.items.sort(key=lambda m: m.created_at)
        return FetchResult(mentions=found.items, next_cursor=mark.cursor(cursor))

    def fetch_mention(self, *, media_id: str, comment_id: str = "") -> NormalizedMention | None:
        """Read a mention announced by a `mentions` webhook (`parse_meta_mention_refs`): the
        comment that mentions the account, or the caption of the media when no comment."""
        if comment_id:
            fields = (f"mentioned_comment.comment_id({comment_id})"
                      "{id,text,timestamp,like_count,username,media{id,permalink}}")
        else:
            fields = (f"mentioned_media.media_id({media_id})"
                      "{id,caption,permalink,timestamp,username,comments_count,like_count}")
        payload = require_dict(self.get(f"/{self.account_id}", {"fields": fields}),
                               "IG mention")
        if comment_id:
            comment = as_dict(payload.get("mentioned_comment"))
            media = as_dict(comment.get("media")) or {"id": media_id}
            return parse_comment(comment, media)
        return parse_media(payload.get("mentioned_media"))

    def search(self, query: str, cursor: str | None) -> FetchResult:
        tag = query.strip().lstrip("#").split()[0] if query.strip() else ""
        if not tag:
            raise PermanentError("Instagram search needs a hashtag")
        lookup = require_dict(self.get("/ig_hashtag_search",
                                       {"user_id": self.account_id, "q": tag}), "hashtag search")
        hashtag_id = text_of(dig(lookup, "data", 0, "id"))
        if not hashtag_id:
            return FetchResult(mentions=[], next_cursor=None)
        mark = Watermark(load_cursor(cursor))
        found = Deduper()
        params = {"user_id": self.account_id, "fields": MEDIA_FIELDS, "limit": 50}
        for page in self._pages(f"/{hashtag_id}/recent_media", params, self.max_pages):
            for raw in as_list(page.get("data")):
                mention = parse_media(raw)
                if mention is not None and mention.external_id not in found.seen \
                        and mark.is_new(mention):
                    found.add(mention)
        found.items.sort(key=lambda m: m.created_at)
        return FetchResult(mentions=found.items, next_cursor=mark.cursor(cursor))

    def reply(self, *, in_reply_to: NormalizedMention | str, text: str,
              idempotency_key: str = "") -> PublishedReply:
        if isinstance(in_reply_to, str):
            target = in_reply_to
        else:
            # Replies are one level deep: a reply to a reply lands on its top-level comment.
            parent = text_of(in_reply_to.raw.get("parent_id"))
            target = parent or in_reply_to.external_id
        self.check_length(text)
        payload, _response = self.transport.request(
            "POST", f"/{target}/replies", params={"message": text})
        reply_id = text_of(dig(payload, "id"))
        if not reply_id:
            raise PermanentError("Instagram answered without the new comment id")
        url = in_reply_to.url if isinstance(in_reply_to, NormalizedMention) else ""
        return PublishedReply(external_id=reply_id, url=url)

    def publish(self, *, text: str, idempotency_key: str = "", media=()) -> PublishedReply:
        """Content publishing: a container for one image (`POST /{ig-user-id}/media`
        with image_url, caption and alt_text), then `POST /{ig-user-id}/media_publish`.
        Instagram has no text-only posts; videos (Reels) need an upload flow not done here."""
        self.check_length(text)
        images = [m for m in media if isinstance(m, dict) and m.get("kind") == "image"]
        if len(images) != 1 or len(images) != len(media):
            raise PermanentError("Instagram posts need exactly one image here: text-only "
                                 "posts do not exist on Instagram and videos are not supported")
        payload, _response = self.transport.request(
            "POST", f"/{self.account_id}/media",
            params={"image_url": images[0].get("url", ""), "caption": text,
                    "alt_text": images[0].get("alt_text", "")})
        container = text_of(dig(payload, "id"))
        if not container:
            raise PermanentError("Instagram answered without the media container id")
        payload, _response = self.transport.request(
            "POST", f"/{self.account_id}/media_publish", params={"creation_id": container})
        media_id = text_of(dig(payload, "id"))
        if not media_id:
            raise PermanentError("Instagram answered without the published media id")
        return PublishedReply(external_id=media_id)

    def profile(self) -> Profile:
        payload = require_dict(self.get(f"/{self.account_id}", {
            "fields": "id,username,name,profile_picture_url,followers_count,media_count,"
                      "biography"}), "IG user")
        user_id = text_of(payload.get("id"))
        if not user_id:
            raise PermanentError("Instagram answered without the account id")
        username = text_of(payload.get("username"))
        return Profile(
            external_id=user_id, handle=username, name=text_of(payload.get("name")),
            followers=int_or_none(payload.get("followers_count")),
            url=f"https://www.instagram.com/{username}/" if username else "",
            bio=text_of(payload.get("biography")),
            avatar_url=text_of(payload.get("profile_picture_url")))
