from django.db import models
from django.utils.translation import gettext_lazy as _


class Platform(models.TextChoices):
    X = "x", "X"
    FACEBOOK = "facebook", "Facebook"
    INSTAGRAM = "instagram", "Instagram"
    YOUTUBE = "youtube", "YouTube"
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"
    LINKEDIN = "linkedin", "LinkedIn"
    TIKTOK = "tiktok", "TikTok"
    OTHER = "other", _("Other")


# The networks this product polls and answers through an API client.
CONNECTED_PLATFORMS = (
    Platform.X, Platform.FACEBOOK, Platform.INSTAGRAM, Platform.YOUTUBE, Platform.MASTODON,
    Platform.BLUESKY,
)


class ChannelStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    PAUSED = "paused", _("Paused")
    NEEDS_RECONNECTION = "needs_reconnection", _("Needs reconnection")


class LaunchStep(models.TextChoices):
    """Step 7: what must happen for the launch of the entity's presence."""

    WEBSITE = "website", _("Presence announced on the official website")
    STAFF = "staff", _("Announced to all staff")
    FIRST_CONTENT = "first_content", _("First content published")
    LISTENING = "listening", _("Listening queries defined")
