"""The application's URLconf plus two bench-only views: the framework's ceiling (a minimal
view) and a prototype of the inbox fix measured beside the real inbox (a page cache keyed
on the queue's marker). Neither is part of the product."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from config.urls import urlpatterns as app_urlpatterns
from strategy.permissions import Action
from strategy.tenancy import entity_view

# The inbox polls every 10 s; a cached page is never older than one poll.
CACHED_INBOX_SECONDS = 10


def minimal(request):
    """Same middleware stack (session, auth, CSP…) as the inbox, no query and no template."""
    return HttpResponse("ok", content_type="text/plain")


@require_GET
@entity_view(Action.VIEW_CASES)
def inbox_cached(request):
    """Prototype: the real inbox view, its HTML reused while the queue's marker (one
    aggregate query, the same one the 10 s poll runs) and the request are unchanged.

    A production version would also leave flash messages out of the cached part and key on
    the member's channel scope; the key here includes the user, so the scope is implied.
    """
    from monitoring import inbox_selectors, inbox_views

    marker = inbox_selectors.newest_case_marker(request.user, request.entity)
    parts = [str(request.user.pk), str(request.entity.pk), request.GET.urlencode(), marker,
             get_language() or "", request.COOKIES.get(settings.CSRF_COOKIE_NAME, ""),
             request.headers.get("HX-Target", "")]
    key = "bench:inbox:" + hashlib.sha256("|".join(parts).encode()).hexdigest()
    html = cache.get(key)
    if html is not None:
        return HttpResponse(html)
    response = inbox_views.inbox.__wrapped__.__wrapped__(request)  # below require_GET, tenancy
    if response.status_code == 200:
        cache.set(key, response.content, CACHED_INBOX_SECONDS)
    return response


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/e/<slug:entity_slug>/bandeja-en-cache/", inbox_cached, name="bench_inbox_cached"),
    *app_urlpatterns,
]
