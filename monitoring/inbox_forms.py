"""Forms of the complaint inbox. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Category, PqrsdType, Urgency
from .inbox_models import InboxSettings, NotificationPreference


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 6}),
                           max_length=10000, required=False)
    template = forms.UUIDField(required=False, widget=forms.HiddenInput)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Internal note"), max_length=5000,
                           widget=forms.Textarea(attrs={"rows": 3}))


class TagForm(forms.Form):
    add = forms.CharField(label=_("Add tags (separated by commas)"), max_length=300,
                          required=False)
    remove = forms.CharField(required=False, widget=forms.HiddenInput)

    def names(self, field):
        return [t for t in (self.cleaned_data.get(field) or "").split(",") if t.strip()]


class AssignForm(forms.Form):
    assignee = forms.UUIDField(label=_("Assign to"))


class ClassifyForm(forms.Form):
    category = forms.ChoiceField(label=_("Category"), choices=Category.choices)
    pqrsd_type = forms.ChoiceField(label=_("PQRSD type"), choices=PqrsdType.choices)
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices)


def _legal_pqrsd_choices():
    from protocols.choices import PqrsdType as LegalPqrsdType

    return LegalPqrsdType.choices


class RegisterPqrsdForm(forms.Form):
    pqrsd_type = forms.ChoiceField(label=_("PQRSD type"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pqrsd_type"].choices = _legal_pqrsd_choices()


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class SpamForm(forms.Form):
    kind = forms.ChoiceField(label=_("Mark as"), choices=[("spam", _("Spam")),
                                                          ("troll", _("Troll"))])
    reason = forms.CharField(label=_("Reason"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    resolution = forms.CharField(label=_("Resolution"), max_length=5000,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class EscalateForm(forms.Form):
    area = forms.UUIDField(label=_("Area"))
    note = forms.CharField(label=_("What the area must do"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))


class TransferForm(forms.Form):
    target = forms.CharField(label=_("Competent entity"), max_length=300)
    message = forms.CharField(label=_("Message to the citizen"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class ExtendForm(forms.Form):
    new_due = forms.DateField(label=_("New deadline"),
                              widget=forms.DateInput(attrs={"type": "date"}))
    reasons = forms.CharField(label=_("Reasons"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 2}))
    message = forms.CharField(label=_("Message to the citizen"), max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 3}))


class MergeForm(forms.Form):
    into = forms.UUIDField(label=_("Case this one duplicates (its id)"))


class BulkForm(forms.Form):
    ACTIONS = [("assign", _("Assign")), ("tag", _("Tag")), ("spam", _("Close as spam"))]

    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    cases = forms.CharField(widget=forms.MultipleHiddenInput, required=False)
    assignee = forms.UUIDField(label=_("Assign to"), required=False)
    tag = forms.CharField(label=_("Tag"), max_length=50, required=False)
    reason = forms.CharField(label=_("Reason"), max_length=2000, required=False)

    def clean(self):
        data = super().clean()
        action = data.get("action")
        if action == "assign" and not data.get("assignee"):
            self.add_error("assignee", _("Choose the person."))
        if action == "tag" and not (data.get("tag") or "").strip():
            self.add_error("tag", _("Write the tag."))
        if action == "spam" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why."))
        return data


class InboxSettingsForm(forms.ModelForm):
    class Meta:
        model = InboxSettings
        fields = ["only_assignee_replies", "claim_timeout_minutes", "warn_before_minutes"]

    def clean_claim_timeout_minutes(self):
        value = self.cleaned_data["claim_timeout_minutes"]
        if value < 5:
            raise forms.ValidationError(_("At least 5 minutes."))
        return value

    def clean_warn_before_minutes(self):
        value = self.cleaned_data["warn_before_minutes"]
        if value < 5:
            raise forms.ValidationError(_("At least 5 minutes."))
        return value


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = ["email_deadline_warnings", "email_escalations"]
