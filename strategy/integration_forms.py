from django import forms
from django.utils.translation import gettext_lazy as _

from .integration_models import TokenScope, WebhookEvent


class ApiTokenForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("Who will use it, e.g. the document-management system."))
    scopes = forms.MultipleChoiceField(label=_("Scopes"), choices=TokenScope.choices,
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("Valid for (days)"), min_value=1, max_value=366,
                              initial=90)


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(label=_("Address that receives the events"), max_length=500,
                         assume_scheme="https")
    events = forms.MultipleChoiceField(label=_("Events"), choices=WebhookEvent.choices,
                                       widget=forms.CheckboxSelectMultiple)
