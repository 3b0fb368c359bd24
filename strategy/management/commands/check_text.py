"""Batch language check: JSON lines in, JSON lines out.

    echo '{"id": 1, "text": "hola q tal", "network": "x"}' | python manage.py check_text

Each input line ``{"id": …, "text": …, "network": "x|facebook|instagram|youtube|mastodon|
bluesky"}`` (optionally ``"citizen_name"`` and ``"is_reply"``) gives one output line
``{"id": …, "findings": [{"kind", "start", "end", "message", "suggestion"}]}``. A line
that is not valid gives ``{"id": …, "error": "…"}`` and the batch goes on. Spans are
offsets in Unicode code points (Python string indices) of ``text``.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand
from django.utils import translation

from strategy.language import NETWORK_LIMITS, check_text, findings_as_dicts

NETWORKS = ("x", "facebook", "instagram", "youtube", "mastodon", "bluesky")


def check_line(line: str) -> dict[str, object]:
    """The output object for one input line."""
    try:
        item = json.loads(line)
    except ValueError as exc:
        return {"id": None, "error": f"invalid JSON: {exc}"}
    if not isinstance(item, dict):
        return {"id": None, "error": "each line must be a JSON object"}
    item_id = item.get("id")
    text, network = item.get("text"), item.get("network")
    if not isinstance(text, str):
        return {"id": item_id, "error": "'text' must be a string"}
    if network not in NETWORKS and network not in NETWORK_LIMITS:
        return {"id": item_id, "error": f"'network' must be one of {', '.join(NETWORKS)}"}
    citizen_name = item.get("citizen_name") or ""
    is_reply = item.get("is_reply", True)
    if not isinstance(citizen_name, str) or not isinstance(is_reply, bool):
        return {"id": item_id, "error": "'citizen_name' must be a string, 'is_reply' a boolean"}
    findings = check_text(text, network, citizen_name=citizen_name, is_reply=is_reply)
    return {"id": item_id, "findings": findings_as_dicts(findings)}


class Command(BaseCommand):
    help = "Check Spanish texts read as JSON lines on standard input; write JSON lines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            default="es",
            help="Language of the messages (default: es).",
        )

    def handle(self, *args, **options):
        stdin = getattr(self, "stdin", None) or sys.stdin
        with translation.override(options["language"]):
            for line in stdin:
                if not line.strip():
                    continue
                result = check_line(line)
                self.stdout.write(json.dumps(result, ensure_ascii=False))
