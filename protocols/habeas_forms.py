from django import forms
from django.utils.translation import gettext_lazy as _

from channels_app.choices import Platform

from .habeas_models import DataProtectionSettings, HabeasKind, ReclamoType


class HabeasRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=HabeasKind.choices,
                             widget=forms.RadioSelect)
    reclamo_type = forms.ChoiceField(
        label=_("what the claim asks"), required=False,
        choices=[("", _("Not a claim"))] + list(ReclamoType.choices))
    handle = forms.CharField(label=_("handle on the networks"), max_length=200,
                             help_text=_("With or without @, for example @juana_perez."))
    platform = forms.ChoiceField(label=_("network"), required=False,
                                 choices=[("", _("Every network"))] + list(Platform.choices))
    requester_name = forms.CharField(label=_("name of the person asking"), max_length=200)
    contact = forms.CharField(label=_("where to answer (e-mail or address)"), max_length=300)
    description = forms.CharField(label=_("what the citizen asks"), required=False,
                                  max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    received_at = forms.DateTimeField(
        label=_("received"), required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                   format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty for now."))

    def clean(self):
        data = super().clean()
        if data.get("kind") == HabeasKind.RECLAMO and not data.get("reclamo_type"):
            self.add_error("reclamo_type", _("Say whether the claim asks for a correction or "
                                             "for the suppression of the data."))
        return data


class HabeasExtendForm(forms.Form):
    extension_reason = forms.CharField(label=_("reason for the extension"), max_length=2000,
                                       widget=forms.Textarea(attrs={"rows": 2}))


class HabeasAnswerForm(forms.Form):
    resolution = forms.CharField(label=_("answer given"), max_length=4000,
                                 widget=forms.Textarea(attrs={"rows": 3}))
    suppress = forms.BooleanField(
        label=_("Delete the citizen's data now (suppression claims only)"), required=False)


class DataProtectionSettingsForm(forms.ModelForm):
    class Meta:
        model = DataProtectionSettings
        fields = ["retention_months", "retention_action"]
