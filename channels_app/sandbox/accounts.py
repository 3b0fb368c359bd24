"""The sandbox's official accounts: one per network for each demo entity.

`channels_app.demo_data` creates the demo channels from this table, so the channels and
the fake networks agree on account ids, handles and tokens. Any other account id a client
asks for is created on the fly with the `alcaldia` theme, so tests can use their own.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFIXES = ("x", "facebook", "instagram", "youtube", "mastodon", "bluesky")

# Path suffix after the network prefix that matches each client's official base URL
# (Graph is versioned; the others are not).
BASE_PATHS = {
    "x": "/x", "facebook": "/facebook/v25.0", "instagram": "/instagram/v25.0",
    "youtube": "/youtube", "mastodon": "/mastodon", "bluesky": "/bluesky",
}


@dataclass(frozen=True)
class DemoAccount:
    platform: str
    theme: str           # which generator vocabulary: "alcaldia" or "transito"
    account_id: str
    handle: str
    name: str
    token: str           # the access token (Bluesky: the app password) the sandbox accepts
    entity_slug: str


_ALCALDIA = ("alcaldia", "alcaldia-san-isidro", "Alcaldía de San Isidro del Valle")
_TRANSITO = ("transito", "transito-departamental", "Instituto Departamental de Tránsito")

DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("x", _ALCALDIA[0], "1500000000000000001", "AlcSanIsidro", _ALCALDIA[2],
                "sandbox-x-alcaldia", _ALCALDIA[1]),
    DemoAccount("facebook", _ALCALDIA[0], "104500000000001", "AlcaldiaSanIsidroDelValle",
                _ALCALDIA[2], "sandbox-facebook-alcaldia", _ALCALDIA[1]),
    DemoAccount("instagram", _ALCALDIA[0], "17841400000000101", "alcaldiasanisidro",
                _ALCALDIA[2], "sandbox-instagram-alcaldia", _ALCALDIA[1]),
    DemoAccount("youtube", _ALCALDIA[0], "UCsanIsidroDelValle0001a", "AlcaldiaSanIsidro",
                _ALCALDIA[2], "sandbox-youtube-alcaldia", _ALCALDIA[1]),
    DemoAccount("mastodon", _ALCALDIA[0], "109000000000000101", "alcaldia_sanisidro",
                _ALCALDIA[2], "sandbox-mastodon-alcaldia", _ALCALDIA[1]),
    DemoAccount("bluesky", _ALCALDIA[0], "did:plc:alcsanisidro0000000000a",
                "alcaldiasanisidro.bsky.social", _ALCALDIA[2], "sbx1-alca-ldia-0001",
                _ALCALDIA[1]),
    DemoAccount("x", _TRANSITO[0], "1500000000000000002", "TransitoDepto", _TRANSITO[2],
                "sandbox-x-transito", _TRANSITO[1]),
    DemoAccount("facebook", _TRANSITO[0], "104500000000002", "TransitoDepartamental",
                _TRANSITO[2], "sandbox-facebook-transito", _TRANSITO[1]),
    DemoAccount("instagram", _TRANSITO[0], "17841400000000102", "transitodepartamental",
                _TRANSITO[2], "sandbox-instagram-transito", _TRANSITO[1]),
    DemoAccount("youtube", _TRANSITO[0], "UCtransitoDepartamental2b", "TransitoDepartamental",
                _TRANSITO[2], "sandbox-youtube-transito", _TRANSITO[1]),
    DemoAccount("mastodon", _TRANSITO[0], "109000000000000102", "transito_depto",
                _TRANSITO[2], "sandbox-mastodon-transito", _TRANSITO[1]),
    DemoAccount("bluesky", _TRANSITO[0], "did:plc:transitodepto00000000000b",
                "transitodepto.bsky.social", _TRANSITO[2], "sbx2-tran-sito-0002",
                _TRANSITO[1]),
)


def demo_accounts_for(entity_slug: str) -> list[DemoAccount]:
    return [account for account in DEMO_ACCOUNTS if account.entity_slug == entity_slug]
