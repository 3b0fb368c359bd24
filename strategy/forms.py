from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import Role
from .models import Entity, Membership
from .validators import normalize_nit


class EntityForm(forms.ModelForm):
    class Meta:
        model = Entity
        fields = ["name", "nit", "kind", "sector", "slug", "timezone", "website",
                  "require_two_factor"]

    def clean_nit(self):
        return normalize_nit(self.cleaned_data["nit"])


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    agency = forms.CharField(label=_("Agency (outsourced staff only)"), max_length=200,
                             required=False)


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["role", "agency", "is_active"]


class EntitySettingsForm(forms.Form):
    require_two_factor = forms.BooleanField(
        label=_("Make two-factor authentication mandatory for every member"), required=False)
