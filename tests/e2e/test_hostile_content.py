"""Citizens' hostile HTML and JavaScript, shown in the inbox and on the case page, is inert.

The server escapes it (checked on the HTML), and in a real Chromium no script runs: no dialog,
no console message, no global set, no element injected. The check does not lean on the CSP:
the injected markup must not even become elements.
"""

import pytest
from django.test import Client
from django.urls import reverse

from strategy.choices import Role
from tests.monitoring.factories import AuthorFactory, CaseFactory, ChannelFactory, MentionFactory

HOSTILE_TEXTS = [
    '<img src=x onerror="window.__pwned=1;alert(1)">',
    "<script>window.__pwned=2;alert(2)</script>",
    '"><svg onload="window.__pwned=3;alert(3)"><a href="javascript:alert(4)">clic</a>',
    "{{ 7*7 }} {% now 'Y' %} ${alert(5)}",
]
HOSTILE_NAME = '<b onmouseover="alert(6)">Rosa</b><script>alert(7)</script>'


def hostile_case(entity):
    channel = ChannelFactory(entity=entity, api_base_url="http://sandbox.invalid/x")
    author = AuthorFactory(entity=entity, name=HOSTILE_NAME, handle="rosa<script>",
                           profile_url="https://x.com/rosa")
    case = CaseFactory(entity=entity, channel=channel, author=author)
    for n, text in enumerate(HOSTILE_TEXTS):
        MentionFactory(entity=entity, author=author, channel=channel, case=case, text=text,
                       thread_key=case.thread_key, url=f"https://x.com/i/status/9{n}")
    return case


def _urls(entity, case):
    return [reverse("monitoring:inbox", kwargs={"entity_slug": entity.slug}),
            reverse("monitoring:case_detail", kwargs={"entity_slug": entity.slug,
                                                      "case_id": case.public_id})]


@pytest.mark.django_db
def test_hostile_text_is_escaped_in_the_html(entity, member_factory):
    case = hostile_case(entity)
    client = Client()
    client.force_login(member_factory(entity, Role.COMMUNITY_MANAGER))
    for url in _urls(entity, case):
        html = client.get(url).content.decode()
        assert "window.__pwned" in html or "&lt;" in html  # the text is shown
        for raw in ("<script>window.__pwned", "<img src=x", "<svg onload", "<b onmouseover",
                    'href="javascript:'):
            assert raw not in html, f"{raw!r} unescaped in {url}"
        assert "{{ 7*7 }}" in html  # shown literally, never evaluated


@pytest.mark.e2e
@pytest.mark.django_db(transaction=True)
def test_no_script_runs_in_the_browser(page, login, entity, member_factory):  # noqa: F811
    case = hostile_case(entity)
    user = member_factory(entity, Role.COMMUNITY_MANAGER)
    dialogs, console = [], []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.on("console", lambda m: console.append(m.text))
    login(page, user)
    for url in _urls(entity, case):
        page.goto(url)
        page.wait_for_load_state("networkidle")
        page.mouse.move(10, 10)
        for element in page.locator("main b, main a").all()[:30]:
            element.hover()  # would fire an injected onmouseover
        assert page.evaluate("window.__pwned") is None
        injected = page.evaluate("""() => ({
            img: document.querySelectorAll('img[src="x"]').length,
            svg: document.querySelectorAll('svg[onload]').length,
            b: document.querySelectorAll('b[onmouseover]').length,
            js: document.querySelectorAll('a[href^="javascript:"]').length,
            scripts: [...document.scripts].filter(s => s.text.includes('__pwned')).length,
        })""")
        assert injected == {"img": 0, "svg": 0, "b": 0, "js": 0, "scripts": 0}, url
        assert "window.__pwned" in page.content() or "&lt;" in page.content()
    assert dialogs == []
    assert not [m for m in console if "alert" in m or "__pwned" in m]
