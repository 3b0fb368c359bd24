"""The main navigation. Each section appears once its app provides the page."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from . import permissions
from .permissions import Action

# (label, url name, action needed). Apps own the URL names; the shell only links them.
SECTIONS = [
    (_("Plan"), "strategy:plan_overview", Action.VIEW_PLAN),
    (_("Channels"), "channels_app:channel_list", Action.VIEW_PLAN),
    (_("Protocols"), "protocols:overview", Action.VIEW_PROTOCOLS),
    (_("Inbox"), "monitoring:inbox", Action.VIEW_CASES),
    (_("Calendar"), "channels_app:calendar", Action.VIEW_PLAN),
    (_("Dashboard"), "monitoring:dashboard", Action.VIEW_DASHBOARD),
    (_("Reports"), "monitoring:reports", Action.VIEW_DASHBOARD),
    (_("Operations"), "monitoring:operations", Action.MANAGE_SETTINGS),
]


def sections_for(request, entity):
    items = []
    for label, url_name, action in SECTIONS:
        if not permissions.can(request.user, entity, action):
            continue
        try:
            url = reverse(url_name, kwargs={"entity_slug": entity.slug})
        except NoReverseMatch:
            continue
        items.append({"label": label, "url": url,
                      "current": request.path.startswith(url)})
    return items
