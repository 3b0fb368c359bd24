from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.throttling import SimpleRateThrottle

from strategy.integration_models import ApiToken
from strategy.integrations import api_token_lookup, api_token_touch


class ApiTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer re_…`: the request acts as the token's user, in its entity only."""

    def authenticate(self, request):
        header = get_authorization_header(request).decode("latin-1")
        scheme, _sep, value = header.partition(" ")
        if scheme.lower() != "bearer":
            return None
        token = api_token_lookup(value.strip())
        if token is None:
            raise AuthenticationFailed(_("The token is invalid, expired or revoked."))
        api_token_touch(token)
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenRateThrottle(SimpleRateThrottle):
    """Each token has its own limit per minute; over it the API answers 429 with Retry-After."""

    scope = "api_token"

    def allow_request(self, request, view):
        if not isinstance(request.auth, ApiToken):
            return True
        self.num_requests = request.auth.rate_limit_per_minute
        self.duration = 60
        self.key = f"throttle_api_token_{request.auth.pk}"
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_rate(self):
        return None

    def get_cache_key(self, request, view):
        return None


class ApiTokenAuthenticationScheme(OpenApiAuthenticationExtension):
    """Describes the bearer tokens in the OpenAPI schema."""

    target_class = "strategy.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer",
                "description": "Token de API de la entidad: `Authorization: Bearer re_…`."}
