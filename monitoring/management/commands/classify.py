"""Batch classification: JSON lines in on standard input, JSON lines out on standard output.

    echo '{"id": 1, "text": "Hay un hueco en la 15", "platform": "x"}' | python manage.py classify

Each output line: ``{"id", "label", "pqrsd", "urgency", "sentiment", "confidence", "reasons"}``,
in input order. A line that is not a JSON object with a string "text" yields
``{"id": ..., "error": ...}`` so the output still has one line per input.
"""

from __future__ import annotations

import json
import sys

from django.core.management.base import BaseCommand

from monitoring.classifier import classify_batch


class Command(BaseCommand):
    help = "Classify mentions given as JSON lines on standard input (one JSON line out per input)."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500,
                            help="Texts classified per vectorised pass.")

    def handle(self, *args, batch_size: int, **options):
        batch_size = max(1, batch_size)
        batch: list[dict] = []
        errors = 0
        for raw in sys.stdin:
            if not raw.strip():
                continue
            item = self._parse(raw)
            errors += "error" in item
            batch.append(item)
            if len(batch) >= batch_size:
                self._write(batch)
                batch = []
        self._write(batch)
        if errors:
            self.stderr.write(f"{errors} line(s) could not be classified (see their 'error').")

    def _parse(self, raw: str) -> dict:
        try:
            item = json.loads(raw)
        except json.JSONDecodeError as exc:
            return {"id": None, "error": f"invalid JSON: {exc.msg}"}
        if not isinstance(item, dict):
            return {"id": None, "error": "each line must be a JSON object"}
        text = item.get("text")
        if not isinstance(text, str):
            return {"id": item.get("id"), "error": "missing or non-string 'text'"}
        platform = item.get("platform") or ""
        return {"id": item.get("id"), "text": text,
                "platform": platform if isinstance(platform, str) else ""}

    def _write(self, batch: list[dict]) -> None:
        """Classify the batch (one vectorised pass per platform) and write it in input order."""
        by_platform: dict[str, list[int]] = {}
        for i, item in enumerate(batch):
            if "error" not in item:
                by_platform.setdefault(item["platform"], []).append(i)
        out: list[dict] = list(batch)
        for platform, positions in by_platform.items():
            results = classify_batch([batch[i]["text"] for i in positions], platform=platform)
            for i, result in zip(positions, results, strict=True):
                out[i] = {"id": batch[i]["id"], **result.as_dict()}
        for line in out:
            self.stdout.write(json.dumps(line, ensure_ascii=False))
        self.stdout.flush()
