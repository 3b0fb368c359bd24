"""Template helpers of the inbox."""

import datetime

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def get_item(mapping, key):
    """{{ counts.status|get_item:value }}: a dict lookup with a variable key."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def countdown(deadline):
    """"in 3 h 20 min" / "2 h 5 min overdue" from a datetime (or a date: end of that day)."""
    if deadline is None:
        return ""
    now = timezone.now()
    if isinstance(deadline, datetime.date) and not isinstance(deadline, datetime.datetime):
        deadline = timezone.make_aware(datetime.datetime.combine(deadline, datetime.time(23, 59)))
    delta = deadline - now
    overdue = delta.total_seconds() < 0
    minutes = int(abs(delta.total_seconds()) // 60)
    days, rest = divmod(minutes, 60 * 24)
    hours, mins = divmod(rest, 60)
    if days:
        text = ngettext("%(n)s day", "%(n)s days", days) % {"n": days}
        if hours:
            text += " " + _("%(n)s h") % {"n": hours}
    elif hours:
        text = _("%(h)s h %(m)s min") % {"h": hours, "m": mins}
    else:
        text = _("%(m)s min") % {"m": mins}
    return _("%(time)s overdue") % {"time": text} if overdue else _("in %(time)s") % {"time": text}
