"""Forms of the plan. Every queryset is scoped to the entity; every text has a length limit."""

from django import forms
from django.apps import apps
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .choices import PlanPersonRole
from .models import (
    Audience,
    Kpi,
    KpiMeasurement,
    Objective,
    Plan,
    PlanActivity,
    PlanPerson,
    Resource,
    ToneGuide,
)


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


def language_check_attrs(entity, field_name: str, network: str = "facebook") -> dict:
    """htmx attributes that send a textarea to the language checker as the user types."""
    url = reverse("strategy:language_check", kwargs={"entity_slug": entity.slug})
    return {
        "hx-post": url,
        "hx-trigger": "input changed delay:700ms, load",
        "hx-target": f"#{field_name}-findings",
        "hx-swap": "innerHTML",
        "hx-vals": f'{{"field": "{field_name}", "network": "{network}"}}',
        "aria-describedby": f"{field_name}-findings",
        "data-language-check": "1",
    }


class EntityScopedModelForm(forms.ModelForm):
    """A ModelForm bound to the entity: its instance belongs to it, its choices too."""

    m2m_fields: tuple[str, ...] = ()

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity = entity
        self.instance.entity = entity
        for field in self.fields.values():
            if isinstance(field.widget, forms.Textarea):
                field.widget.attrs.setdefault("rows", 4)

    def split_data(self) -> tuple[dict, dict]:
        """(plain fields, many-to-many fields) of the cleaned data, for the services."""
        data = dict(self.cleaned_data)
        m2m = {name: data.pop(name) for name in self.m2m_fields if name in data}
        return data, m2m


class PlanPersonForm(EntityScopedModelForm):
    m2m_fields = ("channels_covered",)
    channels_covered = forms.ModelMultipleChoiceField(
        label=_("Channels covered"), required=False, queryset=None,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("For community managers: the channels they work on."))

    class Meta:
        model = PlanPerson
        fields = ["role", "name", "position", "email", "phone", "user", "is_outsourced",
                  "agency", "contract_start", "contract_end", "contact"]
        widgets = {"contract_start": DateInput(), "contract_end": DateInput()}

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, entity=entity, **kwargs)
        channel_model = apps.get_model("channels_app", "Channel")
        self.fields["channels_covered"].queryset = channel_model.objects.filter(entity=entity)
        if self.instance.pk:
            self.fields["channels_covered"].initial = list(
                self.instance.channels_covered.values_list("pk", flat=True))
        user_model = apps.get_model("strategy", "User")
        self.fields["user"].queryset = user_model.objects.filter(
            memberships__entity=entity, memberships__is_active=True).order_by("email")
        self.fields["user"].help_text = _("Optional: the person's account in this workspace.")
        self.fields["role"].choices = PlanPersonRole.choices


class GuidingAnswersForm(EntityScopedModelForm):
    class Meta:
        model = Plan
        fields = ["why_be_there", "what_it_seeks", "audience_characteristics",
                  "what_to_achieve"]


class ObjectiveForm(EntityScopedModelForm):
    class Meta:
        model = Objective
        fields = ["title", "description", "parent", "order"]

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, entity=entity, **kwargs)
        parents = Objective.objects.filter(entity=entity, parent__isnull=True)
        if self.instance.pk:
            parents = parents.exclude(pk=self.instance.pk)
        self.fields["parent"].queryset = parents
        self.fields["parent"].empty_label = _("(none: this is a general objective)")


class AudienceForm(EntityScopedModelForm):
    class Meta:
        model = Audience
        fields = ["name", "description"]


class KpiForm(EntityScopedModelForm):
    class Meta:
        model = Kpi
        fields = ["objective", "metric", "unit", "baseline", "baseline_date", "target",
                  "due_date"]
        widgets = {"baseline_date": DateInput(), "due_date": DateInput()}

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, entity=entity, **kwargs)
        self.fields["objective"].queryset = Objective.objects.filter(entity=entity)


class KpiMeasurementForm(forms.ModelForm):
    class Meta:
        model = KpiMeasurement
        fields = ["measured_on", "value", "note"]
        widgets = {"measured_on": DateInput()}


class ToneGuideForm(EntityScopedModelForm):
    # Only example replies are checked as replies; the rules are instructions, not replies.
    CHECKED_FIELDS = ("do_examples",)

    class Meta:
        model = ToneGuide
        fields = ["voice_attributes", "do_examples", "dont_examples", "greeting_rules",
                  "signature_rules", "forbidden_words", "glossary", "emoji_policy",
                  "emoji_notes"]

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, entity=entity, **kwargs)
        for name in self.CHECKED_FIELDS:
            self.fields[name].widget.attrs.update(language_check_attrs(entity, name))
            self.fields[name].language_check = True


class LanguageTryForm(forms.Form):
    text = forms.CharField(label=_("Text to check"), max_length=5000, required=False,
                           widget=forms.Textarea(attrs={"rows": 4}))
    network = forms.ChoiceField(label=_("Network"), choices=[
        ("x", "X"), ("facebook", "Facebook"), ("instagram", "Instagram"),
        ("youtube", "YouTube"), ("mastodon", "Mastodon"), ("bluesky", "Bluesky")])


class ResourceForm(EntityScopedModelForm):
    class Meta:
        model = Resource
        fields = ["kind", "name", "people", "weekly_hours", "amount", "notes"]


class PlanActivityForm(EntityScopedModelForm):
    class Meta:
        model = PlanActivity
        fields = ["horizon", "title", "description", "channel", "owner", "start_date",
                  "end_date", "status"]
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, entity=entity, **kwargs)
        channel_model = apps.get_model("channels_app", "Channel")
        self.fields["channel"].queryset = channel_model.objects.filter(entity=entity)
        self.fields["channel"].empty_label = _("(every channel)")
        self.fields["owner"].queryset = PlanPerson.objects.filter(entity=entity)
