import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from strategy.models import Audience, Objective, Plan, PlanPerson
from strategy.plan_forms import DateInput

from .choices import Platform
from .models import Channel, LaunchItem
from .selectors import PLATFORM_HOSTS

HANDLE_RE = re.compile(r"^@?[A-Za-z0-9_.\-]{1,60}(@[A-Za-z0-9.\-]{1,200})?$")


class ChannelForm(forms.ModelForm):
    m2m_fields = ("objectives", "audiences", "community_managers")

    class Meta:
        model = Channel
        fields = ["platform", "handle", "name", "url", "objectives", "audiences",
                  "community_managers", "has_avatar", "has_banner", "has_bio",
                  "links_official_site", "is_verified", "show_on_public_page"]
        widgets = {"objectives": forms.CheckboxSelectMultiple,
                   "audiences": forms.CheckboxSelectMultiple,
                   "community_managers": forms.CheckboxSelectMultiple}

    def __init__(self, *args, entity, **kwargs):
        super().__init__(*args, **kwargs)
        self.entity = entity
        self.instance.entity = entity
        self.fields["objectives"].queryset = Objective.objects.filter(entity=entity)
        self.fields["audiences"].queryset = Audience.objects.filter(entity=entity)
        self.fields["community_managers"].queryset = PlanPerson.objects.filter(
            entity=entity, role="community_manager")
        self.fields["handle"].help_text = _(
            "As on the network, for example @AlcaldiaSanIsidro; on Mastodon "
            "@user@instance; on Bluesky user.bsky.social.")

    def clean_handle(self):
        handle = self.cleaned_data["handle"].strip()
        if not HANDLE_RE.match(handle):
            raise ValidationError(_("A handle has only letters, digits, dots, dashes and "
                                    "underscores, with no spaces (for example "
                                    "@AlcaldiaSanIsidro)."))
        return handle.lstrip("@")

    def clean(self):
        data = super().clean()
        url, platform = data.get("url"), data.get("platform")
        hosts = PLATFORM_HOSTS.get(platform)
        if url and hosts:
            host = (urlsplit(url).hostname or "").lower()
            for prefix in ("www.", "m."):
                host = host.removeprefix(prefix)
            if host not in hosts:
                self.add_error("url", _("This address is not on %(network)s (%(hosts)s).") % {
                    "network": Platform(platform).label, "hosts": ", ".join(sorted(hosts))})
        return data

    def split_data(self):
        data = dict(self.cleaned_data)
        m2m = {name: data.pop(name) for name in self.m2m_fields if name in data}
        return data, m2m


class OfficialHandleForm(forms.ModelForm):
    class Meta:
        model = Plan
        fields = ["official_handle"]


class LaunchItemForm(forms.ModelForm):
    class Meta:
        model = LaunchItem
        fields = ["done_on", "evidence_url", "notes"]
        widgets = {"done_on": DateInput(), "notes": forms.Textarea(attrs={"rows": 2})}

    def clean(self):
        data = super().clean()
        if data.get("evidence_url") and not data.get("done_on"):
            self.add_error("done_on", _("Give the date it was done."))
        return data


class LookupForm(forms.Form):
    q = forms.CharField(label=_("Handle or link of the account"), max_length=300,
                        help_text=_("For example @AlcaldiaSanIsidro or "
                                    "https://x.com/AlcaldiaSanIsidro"))
