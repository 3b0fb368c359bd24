"""The whole plan as one document: Markdown and a PDF in Spanish ("Plan de gestión de redes
sociales"). Both are built from the same sections so they never disagree.

A section is (heading, lines); a line starting with "- " is a bullet, "## " a sub-heading.
"""

from __future__ import annotations

import logging

from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from . import plan_selectors
from .choices import Horizon, ResourceKind
from .models import Entity, ToneGuide
from .plan_registry import export_provider

TITLE = "Plan de gestión de redes sociales"

# fontTools logs every font subset at INFO; the PDF export does not need that noise.
logging.getLogger("fontTools").setLevel(logging.WARNING)


def _d(value) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else "—"


def _n(value) -> str:
    if value is None:
        return "—"
    return number_format(value, decimal_pos=0 if value == int(value) else 2, force_grouping=True)


def _owner_section(entity: Entity) -> list[str]:
    lines = []
    people = list(plan_selectors.people_of(entity))
    owner = next((p for p in people if p.role == "owner"), None)
    lines.append(_("Strategy owner: %(name)s") % {
        "name": f"{owner.name} ({owner.position})" if owner and owner.position
        else (owner.name if owner else "—")})
    for role, label in [("formulation", _("Took part in formulating the strategy")),
                        ("team", _("Team")), ("community_manager", _("Community managers"))]:
        group = [p for p in people if p.role == role]
        if not group:
            continue
        lines.append(f"## {label}")
        for p in group:
            text = p.name + (f", {p.position}" if p.position else "")
            if p.is_outsourced:
                text += " · " + _("outsourced to %(agency)s, contract %(start)s – %(end)s") % {
                    "agency": p.agency, "start": _d(p.contract_start), "end": _d(p.contract_end)}
            channels = ", ".join(str(c) for c in p.channels_covered.all())
            if channels:
                text += " · " + _("channels: %(channels)s") % {"channels": channels}
            lines.append(f"- {text}")
    return lines


def _objectives_section(entity: Entity) -> list[str]:
    plan = plan_selectors.plan_of(entity)
    lines = []
    for label, value in [
        (_("Why be on social networks?"), plan.why_be_there),
        (_("What does the entity seek there?"), plan.what_it_seeks),
        (_("What are the characteristics of its target audience?"),
         plan.audience_characteristics),
        (_("What does it want to achieve with that audience?"), plan.what_to_achieve),
    ]:
        lines += [f"## {label}", value.strip() or "—"]
    lines.append(f"## {_('Objectives')}")
    for general in plan_selectors.objectives_tree(entity):
        lines.append(f"- {_('General objective')}: {general.title}")
        for kpi in general.kpis.all():
            lines.append("  - " + _kpi_line(kpi))
        for specific in general.specific_objectives.all():
            lines.append(f"  - {_('Specific objective')}: {specific.title}")
            for kpi in specific.kpis.all():
                lines.append("    - " + _kpi_line(kpi))
    lines.append(f"## {_('Audiences')}")
    for audience in plan_selectors.audiences_of(entity):
        lines.append(f"- {audience.name}" + (f": {audience.description}"
                                             if audience.description else ""))
    return lines


def _kpi_line(kpi) -> str:
    last = next(iter(kpi.measurements.all()), None)
    text = _("KPI %(metric)s (%(unit)s): baseline %(baseline)s, target %(target)s by "
             "%(due)s") % {"metric": kpi.metric, "unit": kpi.unit, "baseline": _n(kpi.baseline),
                           "target": _n(kpi.target), "due": _d(kpi.due_date)}
    if last:
        text += "; " + _("last measured %(value)s on %(date)s") % {
            "value": _n(last.value), "date": _d(last.measured_on)}
    return text


def _tone_section(entity: Entity) -> list[str]:
    guide = plan_selectors.tone_guide_of(entity)
    lines = []
    for label, value in [
        (_("Voice attributes"), guide.voice_attributes),
        (_("Examples to follow"), guide.do_examples),
        (_("Examples to avoid"), guide.dont_examples),
        (_("Greeting rules"), guide.greeting_rules),
        (_("Signature rules"), guide.signature_rules),
        (_("Forbidden words"), ", ".join(ToneGuide.lines(guide.forbidden_words))),
    ]:
        lines += [f"## {label}", value.strip() or "—"]
    lines += [f"## {_('Emoji policy')}", guide.get_emoji_policy_display()
              + (f". {guide.emoji_notes}" if guide.emoji_notes else "")]
    return lines


def _sustainability_section(entity: Entity) -> list[str]:
    lines = [f"## {_('Resources')}"]
    for r in plan_selectors.resources_of(entity):
        if r.kind == ResourceKind.PEOPLE:
            detail = _("%(people)s people, %(hours)s hours a week each") % {
                "people": r.people, "hours": _n(r.weekly_hours)}
        elif r.kind == ResourceKind.BUDGET:
            detail = f"$ {_n(r.amount)} COP"
        else:
            detail = r.notes
        lines.append(f"- {r.get_kind_display()}: {r.name}" + (f" · {detail}" if detail else ""))
    activities = list(plan_selectors.activities_of(entity))
    for value, label in Horizon.choices:
        group = [a for a in activities if a.horizon == value]
        if not group:
            continue
        lines.append(f"## {label}")
        for a in group:
            lines.append(f"- {a.title} · {a.channel or _('every channel')} · "
                         f"{a.owner.name if a.owner else '—'} · {_d(a.start_date)} – "
                         f"{_d(a.end_date)} · {a.get_status_display()}")
    return lines


_LOCAL = {1: _owner_section, 2: _objectives_section, 4: _tone_section,
          8: _sustainability_section}


def plan_sections(entity: Entity) -> list[tuple[str, list[str]]]:
    steps, readiness = plan_selectors.plan_completeness(entity)
    summary = [_("Readiness: %(percent)s %%") % {"percent": readiness}]
    for step in steps:
        percent = "—" if step.percent is None else f"{step.percent} %"
        summary.append(f"- {step.number}. {step.title}: {percent}")
        summary += [f"  - {_('Missing')}: {m}" for m in step.missing[:5]]
    sections = [(_("Summary"), summary)]
    for step in steps:
        builder = _LOCAL.get(step.number) or export_provider(step.number)
        if builder is None:
            lines = [_("This step is managed in its own module.")]
        else:
            lines = builder(entity)
        sections.append((f"{step.number}. {step.title}", lines))
    return sections


def plan_markdown(entity: Entity) -> str:
    out = [f"# {TITLE}", "", f"**{entity.name}** · NIT {entity.nit}",
           "", _("Generated on %(date)s") % {"date": date_format(timezone.localtime(),
                                                                  "SHORT_DATETIME_FORMAT")}, ""]
    for heading, lines in plan_sections(entity):
        out += [f"## {heading}", ""]
        for line in lines:
            if line.startswith("## "):
                out += ["", f"### {line[3:]}", ""]
            else:
                out.append(line)
        out.append("")
    return "\n".join(out).rstrip() + "\n"


def _font_paths() -> tuple[str, str]:
    import font_roboto

    return font_roboto.font_files["Roboto"], font_roboto.font_files["RobotoBold"]


def plan_pdf(entity: Entity) -> bytes:
    """The plan as a PDF with a Unicode font (Roboto, shipped by the font-roboto package)."""
    from fpdf import FPDF

    regular, bold = _font_paths()
    pdf = FPDF(format="A4")
    pdf.set_title(f"{TITLE} · {entity.name}")
    pdf.set_lang("es-CO")
    pdf.set_creator("Redes Estado")
    pdf.add_font("Roboto", "", regular)
    pdf.add_font("Roboto", "B", bold)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_margins(18, 18, 18)

    footer_text = f"{TITLE} · {entity.name}"

    def footer():
        pdf.set_y(-12)
        pdf.set_font("Roboto", "", 8)
        pdf.set_text_color(90, 90, 90)
        pdf.cell(0, 6, f"{footer_text} · {pdf.page_no()}", align="C")

    pdf.footer = footer
    pdf.add_page()
    pdf.set_text_color(11, 79, 138)
    pdf.set_font("Roboto", "B", 22)
    pdf.multi_cell(0, 11, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(27, 31, 36)
    pdf.set_font("Roboto", "", 13)
    pdf.multi_cell(0, 8, f"{entity.name} · NIT {entity.nit}", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Roboto", "", 9)
    pdf.multi_cell(0, 6, _("Generated on %(date)s") % {
        "date": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")},
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    width = pdf.epw
    for heading, lines in plan_sections(entity):
        pdf.ln(3)
        pdf.set_font("Roboto", "B", 15)
        pdf.set_text_color(11, 79, 138)
        pdf.multi_cell(width, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_draw_color(201, 208, 217)
        pdf.line(pdf.l_margin, pdf.get_y(), pdf.l_margin + width, pdf.get_y())
        pdf.ln(2)
        pdf.set_text_color(27, 31, 36)
        for line in lines:
            if line.startswith("## "):
                pdf.ln(1)
                pdf.set_font("Roboto", "B", 11)
                pdf.multi_cell(width, 6, line[3:], new_x="LMARGIN", new_y="NEXT")
            elif line.lstrip().startswith("- "):
                depth = (len(line) - len(line.lstrip())) // 2  # two spaces per level
                indent = 4 + 6 * depth
                pdf.set_font("Roboto", "", 10 if depth == 0 else 9.5)
                pdf.set_x(pdf.l_margin + indent)
                pdf.multi_cell(width - indent, 5.5, ("• ", "– ", "· ")[min(depth, 2)]
                               + line.lstrip()[2:], align="L", new_x="LMARGIN",
                               new_y="NEXT")
            else:
                pdf.set_font("Roboto", "", 10)
                pdf.multi_cell(width, 5.5, line, align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
