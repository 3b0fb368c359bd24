from django.shortcuts import redirect
from django.urls import reverse

from .tenancy import memberships_of

# The pages a member without two-factor may still reach: the account area, to set it up.
_TWO_FACTOR_EXEMPT_PREFIXES = ("/cuentas/", "/static/", "/salud/", "/idioma/")

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    # Inline style attributes (SVG charts, htmx indicators) are allowed; inline scripts never.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def user_needs_two_factor(user, memberships) -> bool:
    """True when one of the user's entities (`memberships`: the request's list from
    tenancy.memberships_of, no query of its own) makes two-factor mandatory and the user has
    no TOTP authenticator."""
    from allauth.mfa.models import Authenticator

    if not any(m.entity.require_two_factor for m in memberships):
        return False
    return not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()


class MandatoryTwoFactorMiddleware:
    """Members of an entity that makes two-factor mandatory must set it up before working."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and not request.path.startswith(_TWO_FACTOR_EXEMPT_PREFIXES)
            and user_needs_two_factor(user, memberships_of(request))
        ):
            return redirect(reverse("mfa_activate_totp"))
        return self.get_response(request)


class ContentSecurityPolicyMiddleware:
    """A strict CSP on every response that does not set its own (e.g. an embeddable page)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        return response
