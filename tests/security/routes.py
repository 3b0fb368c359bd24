"""Route discovery shared by the security tests: every entity-scoped URL of the project (the
same list the cross-tenant matrix walks) and the permission each one declares."""

from django.urls import resolve

from tests.test_cross_tenant import ROUTES, _fill, _url_kwarg_providers

PAGE_ROUTES = [(r, n) for r, n in ROUTES if not r.startswith("api/")]
API_ROUTES = [(r, n) for r, n in ROUTES if r.startswith("api/")]

__all__ = ["API_ROUTES", "PAGE_ROUTES", "ROUTES", "declared_action", "fill", "api_actions"]


def fill(route, entity, memo: dict | None = None):
    """The route with values of `entity`; with `memo`, one object per kwarg is reused."""
    providers = _url_kwarg_providers()
    if memo is not None:
        def once(key, provider):
            def value(e):
                if key not in memo:
                    memo[key] = provider(e)
                return memo[key]
            return value

        providers = {k: once(k, p) for k, p in providers.items()}
    return _fill(route, entity, providers)


def declared_action(func) -> str | None:
    """The Action a page view passes to `strategy.tenancy.entity_view` (read from the closure
    of the decorator's wrapper, following functools.wraps chains)."""
    seen = set()
    while func is not None and id(func) not in seen:
        seen.add(id(func))
        code = getattr(func, "__code__", None)
        if code is not None and "action" in code.co_freevars and func.__closure__:
            value = func.__closure__[code.co_freevars.index("action")].cell_contents
            if isinstance(value, str):
                return value
        func = getattr(func, "__wrapped__", None)
    return None


def api_actions(url) -> tuple[str | None, str | None, set[str]]:
    """(read_action, write_action, allowed HTTP methods) of an API view."""
    match = resolve(url)
    cls = getattr(match.func, "cls", None) or getattr(match.func, "view_class", None)
    read = getattr(cls, "read_action", None)
    write = getattr(cls, "write_action", None) or read
    actions = getattr(match.func, "actions", None)
    if actions:
        methods = {m.upper() for m in actions}
    else:
        methods = {m.upper() for m in getattr(cls, "http_method_names", [])
                   if hasattr(cls, m)} - {"OPTIONS", "HEAD"}
    return read, write, methods
