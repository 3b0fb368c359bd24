"""The application's URLconf plus two bench-only views, neither part of the product: the
framework's ceiling (a minimal view) and the real inbox with its page cache turned off (what
every request costs right after the queue changed), measured beside the real inbox."""

from django.http import HttpResponse
from django.test.utils import override_settings
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def minimal(request):
    """Same middleware stack (session, auth, CSP…) as the inbox, no query and no template."""
    return HttpResponse("ok", content_type="text/plain")


def inbox_uncached(request, entity_slug):
    """The product's inbox view, unchanged, with INBOX_PAGE_CACHE_SECONDS = 0: the page,
    its counts and its search are built on every request (the "cold" figure). gunicorn's
    sync workers serve one request at a time, so the override stays within this request."""
    from monitoring import inbox_views

    with override_settings(INBOX_PAGE_CACHE_SECONDS=0):
        return inbox_views.inbox(request, entity_slug=entity_slug)


urlpatterns = [
    path("bench/minimal/", minimal, name="bench_minimal"),
    path("bench/e/<slug:entity_slug>/bandeja-sin-cache/", inbox_uncached,
         name="bench_inbox_uncached"),
    *app_urlpatterns,
]
