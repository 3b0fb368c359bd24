"""`{% plan_nav %}`: the eight steps of the plan, each linked where its page exists."""

from django import template

from strategy.plan_selectors import STEPS, step_url

register = template.Library()


@register.inclusion_tag("strategy/plan/_nav.html", takes_context=True)
def plan_nav(context):
    request = context["request"]
    entity = context.get("current_entity") or getattr(request, "entity", None)
    current = request.resolver_match.view_name if request.resolver_match else ""
    overview = step_url("strategy:plan_overview", entity)
    items = [{"label": None, "number": None, "url": overview,
              "current": current == "strategy:plan_overview"}]
    for number, title, url_name in STEPS:
        items.append({"number": number, "label": title, "url": step_url(url_name, entity),
                      "current": current == url_name})
    return {"items": items}
