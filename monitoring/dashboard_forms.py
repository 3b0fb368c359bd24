"""Forms of the dashboard and reports (issue 7)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .dashboard_choices import ReportKind


class ReportRequestForm(forms.Form):
    """What report, for which month (monthly PDF) or which dates (the rest)."""

    kind = forms.ChoiceField(label=_("Report"), choices=ReportKind.choices)
    month = forms.CharField(label=_("Month (monthly report)"), required=False,
                            widget=forms.TextInput(attrs={"type": "month"}),
                            help_text=_("For the monthly report, e.g. 2026-10."))
    start = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end = forms.DateField(label=_("To"), required=False,
                          widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def params(self) -> dict:
        data = self.cleaned_data
        if data["kind"] == ReportKind.MONTHLY_PDF:
            return {"month": data.get("month") or ""}
        return {"start": data["start"].isoformat() if data.get("start") else "",
                "end": data["end"].isoformat() if data.get("end") else ""}
