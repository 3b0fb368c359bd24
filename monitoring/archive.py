"""Archival export of a case (Ley 594 de 2000: social-media interactions with a citizen-service
function are archival documents).

A self-contained ZIP package for the entity's document-management system:
`caso.json` (case, thread, replies, decisions, notes, timeline), `caso.pdf` (the same, for
people), `manifest.json` and `SHA256SUMS` with the SHA-256 of each file.
"""

import hashlib
import io
import json
import unicodedata
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone
from django.utils.translation import gettext as _

from strategy.selectors import audit_events_of

from .inbox_models import CaseNote, CaseOutcome, PqrsdRegistration, Reply
from .models import Mention


def _person(user) -> str:
    return user.email if user is not None else ""


def case_record(case) -> dict:
    """Everything the archive keeps about a case, as plain JSON-ready data."""
    mentions = (Mention.objects.filter(case=case).select_related("author")
                .order_by("created_at", "pk"))
    replies = Reply.objects.filter(case=case).select_related("author").order_by("created_at")
    outcomes = CaseOutcome.objects.filter(case=case).select_related("actor").order_by("created_at")
    notes = CaseNote.objects.filter(case=case).select_related("author").order_by("created_at")
    registration = PqrsdRegistration.objects.filter(case=case).first()
    events = audit_events_of(case.entity, object_type=case._meta.label_lower,
                             object_id=str(case.public_id)).order_by("at", "pk")
    return {
        "entity": {"name": case.entity.name, "nit": case.entity.nit, "slug": case.entity.slug},
        "case": {
            "id": str(case.public_id), "status": case.status, "platform": case.platform,
            "channel": case.channel.handle if case.channel_id else "",
            "category": case.category, "pqrsd_type": case.pqrsd_type, "urgency": case.urgency,
            "opened_at": case.opened_at, "first_response_due": case.first_response_due,
            "first_response_at": case.first_response_at, "legal_due": case.legal_due,
            "closed_at": case.closed_at, "assignee": _person(case.assignee),
            "author": {"handle": case.author.handle, "name": case.author.name,
                       "platform": case.author.platform},
        },
        "pqrsd_registration": None if registration is None else {
            "radicado": registration.radicado, "type": registration.pqrsd_type,
            "received_at": registration.received_at, "legal_due": registration.legal_due,
            "original_due": registration.original_due,
            "extended_at": registration.extended_at,
            "extension_reason": registration.extension_reason,
        },
        "thread": [{"id": m.external_id, "author": m.author.handle, "text": m.text,
                    "url": m.url, "created_at": m.created_at} for m in mentions],
        "replies": [{"text": r.text, "status": r.status, "author": _person(r.author),
                     "network_id": r.external_id, "url": r.url,
                     "published_at": r.published_at} for r in replies],
        "decisions": [{"kind": o.kind, "note": o.note, "target": o.target,
                       "by": _person(o.actor), "at": o.created_at} for o in outcomes],
        "notes": [{"text": n.text, "by": _person(n.author), "at": n.created_at} for n in notes],
        "timeline": [{"at": e.at, "by": _person(e.actor), "action": e.action,
                      "before": e.before, "after": e.after} for e in events],
    }


def _printable(text: str) -> str:
    """Keep what the embedded font can draw; emojis and control characters are dropped."""
    return "".join(ch for ch in str(text or "")
                   if ord(ch) <= 0xFFFF and unicodedata.category(ch) not in ("Cc", "Cs", "So")
                   or ch == "\n")


def _when(value) -> str:
    if not value:
        return "—"
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def case_pdf(record: dict) -> bytes:
    from font_roboto import font_files
    from fpdf import FPDF
    from fpdf.enums import WrapMode

    pdf = FPDF(format="A4")
    pdf.set_title(_("Case file %(id)s") % {"id": record["case"]["id"]})
    pdf.set_lang("es-CO")
    pdf.set_creator("Redes Estado")
    pdf.add_font("Roboto", "", font_files["Roboto"])
    pdf.add_font("Roboto", "B", font_files["RobotoBold"])
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()

    def heading(text, size=13):
        pdf.ln(2)
        pdf.set_font("Roboto", "B", size)
        pdf.multi_cell(0, 7, _printable(text), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Roboto", "", 10)

    def line(text):
        pdf.multi_cell(0, 5, _printable(text), new_x="LMARGIN", new_y="NEXT",
                       wrapmode=WrapMode.CHAR)

    case = record["case"]
    heading(_("Case file"), 18)
    line(f"{record['entity']['name']} · NIT {record['entity']['nit']}")
    line(_("Case %(id)s") % {"id": case["id"]})
    heading(_("Summary"))
    for label, value in [
        (_("Network and channel"), f"{case['platform']} {case['channel']}"),
        (_("Citizen"), f"{case['author']['name']} (@{case['author']['handle']})"),
        (_("Category"), f"{case['category']} · {case['pqrsd_type']} · {case['urgency']}"),
        (_("Status"), case["status"]),
        (_("Opened"), _when(case["opened_at"])),
        (_("First response due"), _when(case["first_response_due"])),
        (_("First response"), _when(case["first_response_at"])),
        (_("Legal deadline"), _when(case["legal_due"])),
        (_("Closed"), _when(case["closed_at"])),
        (_("Assigned to"), case["assignee"] or "—"),
    ]:
        line(f"{label}: {value}")
    registration = record["pqrsd_registration"]
    if registration:
        line(_("Radicado %(number)s, received %(received)s, due %(due)s")
             % {"number": registration["radicado"], "received": _when(registration["received_at"]),
                "due": _when(registration["legal_due"])})
    heading(_("Conversation"))
    for item in record["thread"]:
        line(f"[{_when(item['created_at'])}] @{item['author']}: {item['text']}")
    for reply in record["replies"]:
        line(f"[{_when(reply['published_at'])}] {_('Reply')} ({reply['status']}, "
             f"{reply['author']}): {reply['text']}")
    if record["decisions"]:
        heading(_("Decisions"))
        for item in record["decisions"]:
            line(f"[{_when(item['at'])}] {item['kind']} · {item['by']}: {item['note']}")
    if record["notes"]:
        heading(_("Internal notes"))
        for item in record["notes"]:
            line(f"[{_when(item['at'])}] {item['by']}: {item['text']}")
    heading(_("Timeline"))
    for item in record["timeline"]:
        line(f"[{_when(item['at'])}] {item['by'] or _('System')}: {item['action']}")
    return bytes(pdf.output())


def case_archive_package(case) -> bytes:
    """The ZIP package; its manifest lets the receiving system verify every file."""
    record = case_record(case)
    files = {
        "caso.json": json.dumps(record, cls=DjangoJSONEncoder, ensure_ascii=False,
                                indent=2).encode(),
        "caso.pdf": case_pdf(record),
    }
    checksums = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    manifest = {"case": record["case"]["id"], "entity": record["entity"]["nit"],
                "generated_at": timezone.now().isoformat(), "algorithm": "SHA-256",
                "files": checksums}
    files["manifest.json"] = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    files["SHA256SUMS"] = "".join(f"{digest}  {name}\n"
                                  for name, digest in checksums.items()).encode()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()
