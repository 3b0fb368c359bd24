from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.choices import Platform
from strategy.choices import Role
from strategy.models import User

from .choices import HANDOVER_ITEMS, MentionCategory, PqrsdType, Urgency
from .models import (
    AccountCustody,
    ApprovalRule,
    Area,
    ChannelPqrsdPolicy,
    CrisisLevel,
    EscalationRule,
    NonWorkingDay,
    ProtocolSettings,
    RaciActivity,
    ResponseSla,
    ResponseTemplate,
    Risk,
)


class ListField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, *, choices, label, **kwargs):
        super().__init__(choices=choices, label=label, required=False, **kwargs)


class KeywordsField(forms.CharField):
    """Comma-separated words or phrases, stored as a list."""

    def prepare_value(self, value):
        if isinstance(value, list):
            return ", ".join(value)
        return value

    def to_python(self, value):
        value = super().to_python(value)
        return [w.strip() for w in (value or "").split(",") if w.strip()]


class EntityModelForm(forms.ModelForm):
    """A ModelForm whose choices of related rows are limited to the entity's."""

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity = entity
        from channels_app.models import Channel

        for _name, field in self.fields.items():
            if not isinstance(field, forms.ModelChoiceField):
                continue
            model = field.queryset.model
            if model is Area:
                field.queryset = Area.objects.filter(entity=entity)
            elif model is Channel:
                field.queryset = Channel.objects.filter(entity=entity)
            elif model is User:
                field.queryset = User.objects.filter(
                    memberships__entity=entity, memberships__is_active=True).distinct()
            elif model is EscalationRule:
                field.queryset = EscalationRule.objects.filter(entity=entity)


class AreaForm(EntityModelForm):
    class Meta:
        model = Area
        fields = ["name", "kind", "contact", "position"]


class RaciActivityForm(EntityModelForm):
    class Meta:
        model = RaciActivity
        fields = ["name", "position"]


PLATFORM_CHOICES = [(p.value, p.label) for p in Platform]


class ResponseSlaForm(EntityModelForm):
    platform = forms.ChoiceField(label=_("network"), required=False,
                                 choices=[("", _("Every network")), *PLATFORM_CHOICES])

    class Meta:
        model = ResponseSla
        fields = ["platform", "category", "urgency", "target_hours", "clock"]
        widgets = {"target_hours": forms.NumberInput(attrs={"step": "0.25", "min": "0.25"})}


class NonWorkingDayForm(EntityModelForm):
    class Meta:
        model = NonWorkingDay
        fields = ["date", "reason"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


class EscalationRuleForm(EntityModelForm):
    categories = ListField(label=_("Category is one of"), choices=MentionCategory.choices)
    pqrsd_types = ListField(label=_("PQRSD type is one of"), choices=PqrsdType.choices)
    urgencies = ListField(label=_("Urgency is one of"), choices=Urgency.choices)
    keywords = KeywordsField(label=_("Text contains any of (comma-separated)"), required=False)
    platforms = ListField(label=_("Network is one of"), choices=PLATFORM_CHOICES)
    notify_roles = ListField(label=_("Notify"), choices=Role.choices)

    class Meta:
        model = EscalationRule
        fields = ["name", "position", "is_active", "categories", "pqrsd_types", "urgencies",
                  "keywords", "min_followers", "platforms", "channel", "assign_area",
                  "assign_user", "require_approval_role", "notify_roles", "crisis_candidate",
                  "stop_processing"]


class ApprovalRuleForm(EntityModelForm):
    categories = ListField(label=_("Category is one of"), choices=MentionCategory.choices)
    urgencies = ListField(label=_("Urgency is one of"), choices=Urgency.choices)

    class Meta:
        model = ApprovalRule
        fields = ["name", "position", "categories", "urgencies", "min_followers",
                  "escalation_rule", "required_role"]


class RiskForm(EntityModelForm):
    class Meta:
        model = Risk
        fields = ["kind", "title", "likelihood", "impact", "owner", "mitigation", "status"]


class CrisisLevelForm(EntityModelForm):
    class Meta:
        model = CrisisLevel
        fields = ["level", "name", "trigger", "who_is_called", "call_digital_task_force",
                  "holding_statement", "checklist"]


class ChannelPqrsdPolicyForm(EntityModelForm):
    class Meta:
        model = ChannelPqrsdPolicy
        fields = ["channel", "accepts_pqrsd", "notes"]


class AccountCustodyForm(EntityModelForm):
    handover = forms.MultipleChoiceField(
        label=_("Hand-over checklist (done)"), required=False,
        widget=forms.CheckboxSelectMultiple, choices=HANDOVER_ITEMS)

    class Meta:
        model = AccountCustody
        fields = ["channel", "custodian", "custodian_name", "recovery_email",
                  "two_factor_enabled", "last_rotation", "handover", "notes"]
        widgets = {"last_rotation": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and isinstance(self.instance.handover, dict):
            self.initial["handover"] = [k for k, v in self.instance.handover.items() if v]

    def clean_handover(self):
        done = set(self.cleaned_data.get("handover") or [])
        return {key: key in done for key, _label in HANDOVER_ITEMS}


class ProtocolSettingsForm(forms.ModelForm):
    class Meta:
        model = ProtocolSettings
        fields = ["service_start", "service_end", "queja_days", "reclamo_days",
                  "sugerencia_days", "denuncia_days", "petition_criteria",
                  "pqrsd_channels_notice", "out_of_competence_message",
                  "digital_task_force_contact"]
        widgets = {"service_start": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                   "service_end": forms.TimeInput(attrs={"type": "time"}, format="%H:%M")}

    def clean(self):
        data = super().clean()
        start, end = data.get("service_start"), data.get("service_end")
        if start and end and start >= end:
            self.add_error("service_end", _("Service hours must end after they start."))
        return data


class DeadlineForm(forms.Form):
    received = forms.DateTimeField(
        label=_("Received"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%d/%m/%Y %H:%M"])
    pqrsd_type = forms.ChoiceField(label=_("Type"), choices=PqrsdType.choices)


class TryMentionForm(forms.Form):
    text = forms.CharField(label=_("Text of the mention"), widget=forms.Textarea(attrs={"rows": 3}))
    category = forms.ChoiceField(label=_("Category"), choices=MentionCategory.choices)
    pqrsd_type = forms.ChoiceField(label=_("PQRSD type"), required=False,
                                   choices=[("", _("None")), *PqrsdType.choices])
    urgency = forms.ChoiceField(label=_("Urgency"), choices=Urgency.choices,
                                initial=Urgency.NORMAL)
    author_followers = forms.IntegerField(label=_("Author's followers"), required=False,
                                          min_value=0)
    platform = forms.ChoiceField(label=_("Network"), choices=PLATFORM_CHOICES)


class ResponseTemplateForm(EntityModelForm):
    class Meta:
        model = ResponseTemplate
        fields = ["title", "category", "pqrsd_type", "is_active"]


class TemplateVersionForm(forms.Form):
    body = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=_("Placeholders: {nombre}, {radicado}, {plazo}, {enlace}."))
    short_body = forms.CharField(label=_("Short text for length-limited networks"),
                                 required=False, max_length=280,
                                 widget=forms.Textarea(attrs={"rows": 3}))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
