"""One error format for the whole API, with messages in the user's language (Spanish first).

    {"error": {"code": "not_found", "message": "No encontrado.", "fields": {...}}}
"""

from rest_framework.views import exception_handler


def api_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    code = getattr(exc, "default_code", "error")
    fields = None
    if isinstance(data, dict) and "detail" in data and len(data) == 1:
        message = str(data["detail"])
        code = getattr(data["detail"], "code", code)
    elif isinstance(data, dict):
        fields = {key: [str(m) for m in (value if isinstance(value, list) else [value])]
                  for key, value in data.items()}
        message = str(exc.default_detail) if hasattr(exc, "default_detail") else ""
    else:
        message = " ".join(str(item) for item in data)
    response.data = {"error": {"code": str(code), "message": message, "fields": fields}}
    return response


def not_found(request, exception=None):
    """404 for URLs no view matched: JSON in the API's error format, the HTML page elsewhere."""
    from django.http import JsonResponse
    from django.utils.translation import gettext as _
    from django.views.defaults import page_not_found

    if request.path.startswith("/api/"):
        return JsonResponse({"error": {"code": "not_found", "message": _("Not found."),
                                       "fields": None}}, status=404)
    return page_not_found(request, exception)
