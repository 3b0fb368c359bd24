"""Forms of the editorial calendar. Dates and times are entered in the entity's time zone."""

import json

from django import forms
from django.utils.translation import gettext_lazy as _

from strategy.models import Objective, PlanActivity
from strategy.plan_forms import DateInput, language_check_attrs

from .calendar_models import WEEKDAYS, MediaKind
from .choices import ChannelStatus
from .models import Channel


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")


def _channels(entity, membership=None):
    queryset = Channel.objects.filter(entity=entity).exclude(
        status=ChannelStatus.PAUSED).order_by("platform", "handle")
    scope = getattr(membership, "channel_scope", None)
    if scope:
        queryset = queryset.filter(public_id__in=scope)
    return queryset


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_platform_display()} @{obj.handle}"


class CampaignChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.get_horizon_display()}: {obj.title}"


class WhenForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DateInput())
    time = forms.TimeField(label=_("Time"), widget=TimeInput(),
                           help_text=_("In the entity's time zone."))


class PostForm(WhenForm):
    channel = ChannelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    text = forms.CharField(label=_("Text"), max_length=63206,
                           widget=forms.Textarea(attrs={"rows": 6}))
    link = forms.URLField(label=_("Link"), max_length=500, required=False,
                          assume_scheme="https")
    objective = forms.ModelChoiceField(label=_("Objective it serves"), required=False,
                                       queryset=Objective.objects.none())
    campaign = CampaignChoiceField(
        label=_("Campaign or plan activity"), required=False,
        queryset=PlanActivity.objects.none(),
        help_text=_("The medium-term plan's campaigns and the other plan activities."))

    field_order = ["channel", "text", "link", "date", "time", "objective", "campaign"]

    def __init__(self, *args, entity, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        channels = _channels(entity, membership)
        self.fields["channel"].queryset = channels
        self.fields["objective"].queryset = Objective.objects.filter(entity=entity)
        self.fields["campaign"].queryset = PlanActivity.objects.filter(
            entity=entity).order_by("horizon", "start_date")
        platforms = {str(c.pk): c.platform for c in channels}
        self.fields["channel"].widget.attrs["data-platforms"] = json.dumps(platforms)
        self.fields["channel"].widget.attrs["data-calendar-channel"] = "1"
        self.fields["text"].widget.attrs.update(language_check_attrs(entity, "text", "x"))
        self.fields["text"].language_check = True


class MoveForm(WhenForm):
    """The keyboard and no-JavaScript way to reschedule: "move to" a date and time."""


class MediaForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=MediaKind.choices)
    url = forms.URLField(label=_("File address"), max_length=500, assume_scheme="https")
    alt_text = forms.CharField(
        label=_("Alternative text"), max_length=1500, required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Required for images: describe what the image shows."))
    captions_url = forms.URLField(
        label=_("Captions file (WebVTT or SRT)"), max_length=500, required=False,
        assume_scheme="https", help_text=_("Required for videos."))


class DecisionForm(forms.Form):
    note = forms.CharField(label=_("Note for the author"), max_length=2000, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("Required when you reject the post."))


class RecurringForm(forms.Form):
    title = forms.CharField(label=_("Name of the series"), max_length=200)
    channel = ChannelChoiceField(label=_("Channel"), queryset=Channel.objects.none())
    text = forms.CharField(label=_("Text"), max_length=63206,
                           widget=forms.Textarea(attrs={"rows": 4}))
    link = forms.URLField(label=_("Link"), max_length=500, required=False,
                          assume_scheme="https")
    weekdays = forms.TypedMultipleChoiceField(
        label=_("Days of the week"), choices=WEEKDAYS, coerce=int,
        widget=forms.CheckboxSelectMultiple)
    every_weeks = forms.IntegerField(label=_("Every how many weeks"), min_value=1,
                                     max_value=12, initial=1)
    time_of_day = forms.TimeField(label=_("Time"), widget=TimeInput(),
                                  help_text=_("In the entity's time zone."))
    start_date = forms.DateField(label=_("First day"), widget=DateInput())
    end_date = forms.DateField(label=_("Last day"), widget=DateInput(), required=False)
    objective = forms.ModelChoiceField(label=_("Objective it serves"), required=False,
                                       queryset=Objective.objects.none())

    def __init__(self, *args, entity, membership=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = _channels(entity, membership)
        self.fields["objective"].queryset = Objective.objects.filter(entity=entity)


class TargetForm(forms.Form):
    posts_per_week = forms.IntegerField(label=_("Posts per week"), min_value=0,
                                        max_value=100)
