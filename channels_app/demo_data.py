"""Demo channels: each demo entity gets one account per connected network, on the sandbox.

Called by `python manage.py seed_demo` with the context described in docs/development.md.
Idempotent: get_or_create on (entity, platform, handle); existing channels are pointed at
the current SANDBOX_URL again.
"""

import os

from channels_app.models import Channel
from channels_app.sandbox.accounts import BASE_PATHS, demo_accounts_for


def sandbox_url() -> str:
    return os.environ.get("SANDBOX_URL", "http://127.0.0.1:8765").rstrip("/")


def seed_demo(context) -> list[Channel]:
    channels = []
    base = sandbox_url()
    for entity in context["entities"]:
        for account in demo_accounts_for(entity.slug):
            channel, created = Channel.objects.get_or_create(
                entity=entity, platform=account.platform, handle=account.handle,
                defaults={"name": account.name, "account_id": account.account_id,
                          "api_base_url": base + BASE_PATHS[account.platform],
                          "access_token": account.token})
            if not created:
                changed = {"account_id": account.account_id,
                           "api_base_url": base + BASE_PATHS[account.platform]}
                if any(getattr(channel, k) != v for k, v in changed.items()):
                    for key, value in changed.items():
                        setattr(channel, key, value)
                    channel.save(update_fields=list(changed))
            channels.append(channel)
    return channels
