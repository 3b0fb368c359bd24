"""Webhook signature helpers and delivery parsers."""

import base64
import hashlib
import hmac
import json

import pytest

from channels_app.platforms.signatures import (
    meta_signature,
    verify_meta_signature,
    verify_x_signature,
    x_crc_response,
    x_signature,
)
from channels_app.platforms.webhooks import (
    parse_meta_delivery,
    parse_meta_mention_refs,
    parse_x_delivery,
)

SECRET = b"app-secret"
# Meta escapes non-ASCII as \uXXXX: the signature covers those bytes, not re-serialised JSON.
BODY = json.dumps({"object": "page", "entry": [{"id": "1", "changes": [{"field": "feed", "value": {
    "item": "comment", "verb": "add", "message": "¿Cuándo arreglan la vía?"}}]}]}).encode()


def test_meta_signature_is_hex_hmac_sha256_of_the_raw_body():
    expected = "sha256=" + hmac.new(SECRET, BODY, hashlib.sha256).hexdigest()
    assert meta_signature(SECRET, BODY) == expected
    assert verify_meta_signature(SECRET, BODY, expected)


@pytest.mark.parametrize("header", [
    None, "", "sha256=", "sha1=abc", "sha256=" + "0" * 64,
    meta_signature(b"other-secret", BODY)])
def test_meta_signature_rejects_missing_and_forged(header):
    assert not verify_meta_signature(SECRET, BODY, header)


def test_meta_signature_rejects_a_reserialised_body():
    reserialised = json.dumps(json.loads(BODY), ensure_ascii=False).encode()
    assert reserialised != BODY
    assert not verify_meta_signature(SECRET, reserialised, meta_signature(SECRET, BODY))


def test_x_signature_and_crc_are_base64():
    digest = hmac.new(SECRET, BODY, hashlib.sha256).digest()
    assert x_signature(SECRET, BODY) == "sha256=" + base64.b64encode(digest).decode()
    assert verify_x_signature(SECRET, BODY, x_signature(SECRET, BODY))
    assert not verify_x_signature(SECRET, BODY, None)
    assert not verify_x_signature(SECRET, BODY + b" ", x_signature(SECRET, BODY))
    assert not verify_x_signature(SECRET, BODY, meta_signature(SECRET, BODY))
    crc = hmac.new(SECRET, b"challenge-123", hashlib.sha256).digest()
    assert x_crc_response(SECRET, "challenge-123") == {
        "response_token": "sha256=" + base64.b64encode(crc).decode()}


def test_verification_needs_a_secret():
    assert not verify_meta_signature(b"", BODY, meta_signature(b"", BODY))
    assert not verify_x_signature("", BODY, x_signature("", BODY))


PAGE_DELIVERY = {"object": "page", "entry": [{"id": "123456789012345", "time": 1787234591,
  "changes": [
    {"field": "feed", "value": {"item": "comment", "verb": "add",
     "post_id": "123456789012345_222222222222222", "comment_id": "222222222222222_987654321098765",
     "parent_id": "123456789012345_222222222222222",
     "from": {"id": "6543210987654321", "name": "Jane Doe"},
     "message": "¿Hasta cuándo sin agua?", "created_time": 1787234590}},
    {"field": "feed", "value": {"item": "comment", "verb": "add",
     "post_id": "123456789012345_222222222222222", "comment_id": "222222222222222_1",
     "from": {"id": "123456789012345", "name": "La Página"}, "message": "respuesta propia",
     "created_time": 1787234599}},
    {"field": "feed", "value": {"item": "reaction", "verb": "add", "reaction_type": "like",
     "from": {"id": "6543210987654321"}, "post_id": "123456789012345_222222222222222"}},
    {"field": "feed", "value": {"item": "comment", "verb": "remove",
     "comment_id": "222222222222222_987654321098765", "post_id": "x"}}]}]}


def test_parse_meta_page_delivery():
    [mention] = parse_meta_delivery(PAGE_DELIVERY)  # own comment, reaction, removal skipped
    assert mention.platform == "facebook"
    assert mention.external_id == "222222222222222_987654321098765"
    assert mention.thread_external_id == "123456789012345_222222222222222"
    assert mention.in_reply_to_external_id == "123456789012345_222222222222222"
    assert mention.author.name == "Jane Doe"
    assert mention.created_at.timestamp() == 1787234590


def test_parse_meta_instagram_delivery_and_mention_refs():
    payload = {"object": "instagram", "entry": [{"id": "17841400000000000", "time": 1787234591,
        "changes": [
            {"field": "comments", "value": {"id": "17870913679156914", "text": "@acme precio?",
             "from": {"id": "17841400000000001", "username": "jane_doe"},
             "media": {"id": "17918195224117851", "media_product_type": "FEED"}}},
            {"field": "mentions", "value": {"media_id": "17918195224117999",
                                            "comment_id": "17870913679150000"}}]}]}
    [mention] = parse_meta_delivery(payload)
    assert mention.platform == "instagram"
    assert mention.author.handle == "jane_doe"
    assert mention.thread_external_id == "17918195224117851"
    assert mention.created_at.timestamp() == 1787234591
    assert parse_meta_mention_refs(payload) == [{
        "account_id": "17841400000000000", "media_id": "17918195224117999",
        "comment_id": "17870913679150000"}]


def test_parse_x_delivery():
    payload = {"for_user_id": "1500000000000000001", "tweet_create_events": [
        {"created_at": "Thu Aug 20 14:03:11 +0000 2026", "id": 1890123456789012345,
         "id_str": "1890123456789012345", "text": "@AlcSanIsidro no hay luz",
         "in_reply_to_status_id_str": "1890120000000000000",
         "user": {"id_str": "1600000000000000001", "screen_name": "jane", "name": "Jane",
                  "followers_count": 12, "created_at": "Wed Oct 10 20:19:24 +0000 2018"}},
        {"created_at": "Thu Aug 20 14:04:00 +0000 2026", "id_str": "1890123456789012999",
         "text": "respuesta", "user": {"id_str": "1500000000000000001",
                                       "screen_name": "AlcSanIsidro"}},
        {"created_at": "Thu Aug 20 14:03:11 +0000 2026", "id_str": "1890123456789012345",
         "text": "@AlcSanIsidro no hay luz", "user": {"id_str": "1600000000000000001"}}]}
    [mention] = parse_x_delivery(payload)  # own post and the repeat are skipped
    assert mention.external_id == "1890123456789012345"
    assert mention.in_reply_to_external_id == "1890120000000000000"
    assert mention.author.account_created_at.year == 2018
    assert mention.url == "https://x.com/jane/status/1890123456789012345"
