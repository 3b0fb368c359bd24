"""Batch PQRSD deadlines: JSON lines in, JSON lines out (the law's default terms).

    echo '{"id": 1, "received": "2026-03-20T10:00:00-05:00", "type": "peticion"}' \
        | python manage.py pqrsd_deadline
    {"id": 1, "due": "2026-04-16"}

A line that cannot be answered gives {"id": …, "error": "…"} and the command goes on;
the exit status is 1 if any line failed.
"""

import datetime
import json
import sys

from django.core.management.base import BaseCommand, CommandError

from protocols.deadlines import DeadlineError, pqrsd_due_date


def _answer(line: str) -> dict:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return {"id": None, "error": f"JSON no válido: {exc.msg}"}
    if not isinstance(item, dict):
        return {"id": None, "error": "Cada línea debe ser un objeto JSON."}
    ident = item.get("id")
    received, kind = item.get("received"), item.get("type")
    if not isinstance(received, str) or not isinstance(kind, str):
        return {"id": ident, "error": "Faltan los campos «received» y «type»."}
    try:
        moment = datetime.datetime.fromisoformat(received)
    except ValueError:
        return {"id": ident, "error": f"Fecha no válida (ISO 8601 con zona): {received!r}"}
    if moment.tzinfo is None:
        return {"id": ident, "error": "La fecha debe indicar su zona horaria (p. ej. -05:00)."}
    try:
        due = pqrsd_due_date(moment, kind)
    except DeadlineError as exc:
        return {"id": ident, "error": str(exc)}
    return {"id": ident, "due": due.isoformat()}


class Command(BaseCommand):
    stealth_options = ("stdin",)
    help = "Lee líneas JSON {id, received, type} y escribe {id, due} con el plazo legal."

    def handle(self, *args, **options):
        stdin = options.get("stdin") or sys.stdin
        failed = 0
        for raw in stdin:
            line = raw.strip()
            if not line:
                continue
            answer = _answer(line)
            failed += "error" in answer
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
        if failed:
            raise CommandError(f"{failed} línea(s) con error.", returncode=1)
