"""The application's URLconf plus one minimal view: the framework's ceiling for requests/s."""

from django.http import HttpResponse
from django.urls import path

from config.urls import urlpatterns as app_urlpatterns


def minimal(request):
    """Same middleware stack (session, auth, CSP…) as the inbox, no query and no template."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/minimal/", minimal, name="bench_minimal"), *app_urlpatterns]
