"""Reads for step 3 (channels) and step 7 (launch): checks, consistency and the public lookup."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.db.models import Count
from django.utils.translation import gettext as _

from strategy.models import Objective, Plan
from strategy.plan_registry import Check

from .choices import LaunchStep, Platform
from .models import Channel, LaunchItem

# Host names (without "www." / "m.") of each network's profile pages.
PLATFORM_HOSTS = {
    Platform.X: {"x.com", "twitter.com"},
    Platform.FACEBOOK: {"facebook.com", "fb.com"},
    Platform.INSTAGRAM: {"instagram.com"},
    Platform.YOUTUBE: {"youtube.com", "youtu.be"},
    Platform.BLUESKY: {"bsky.app"},
    Platform.LINKEDIN: {"linkedin.com"},
    Platform.TIKTOK: {"tiktok.com"},
}
HOST_PLATFORM = {host: platform for platform, hosts in PLATFORM_HOSTS.items() for host in hosts}


def channels_of(entity):
    return (Channel.objects.filter(entity=entity)
            .prefetch_related("objectives", "audiences", "community_managers"))


def handle_core(handle: str, platform: str = "") -> str:
    """The part of a handle that should be the same on every network, lower-cased:
    "@AlcaldiaSanIsidro" → "alcaldiasanisidro"; Mastodon "@user@instance" → "user";
    Bluesky "user.bsky.social" → "user"."""
    value = (handle or "").strip().lstrip("@").lower()
    if "@" in value:  # Mastodon: user@instance
        value = value.split("@", 1)[0]
    if platform == Platform.BLUESKY or value.endswith(".bsky.social"):
        value = value.split(".", 1)[0]
    return value


def chosen_handle(entity) -> str:
    plan = Plan.objects.filter(entity=entity).only("official_handle").first()
    return plan.official_handle.strip().lstrip("@") if plan else ""


@dataclass
class HandleConsistency:
    reference: str  # the handle every channel should use (chosen, or the most common)
    chosen: bool  # True when the entity chose it explicitly
    odd_ones: list = field(default_factory=list)


def handle_consistency(entity, channels=None) -> HandleConsistency:
    """Compare every channel's handle with the entity's chosen handle; flag the odd ones."""
    channels = list(channels if channels is not None else Channel.objects.filter(entity=entity))
    reference = chosen_handle(entity)
    chosen = bool(reference)
    if not reference and channels:
        reference = Counter(handle_core(c.handle, c.platform) for c in channels
                            ).most_common(1)[0][0]
    core = handle_core(reference)
    odd = [c for c in channels if c.platform != Platform.OTHER
           and handle_core(c.handle, c.platform) != core]
    return HandleConsistency(reference=reference, chosen=chosen, odd_ones=odd)


def objectives_without_channel(entity) -> list:
    """Objectives no channel reaches. A channel serving a general objective reaches its
    specific objectives too, and one serving a specific objective reaches its general one."""
    objectives = list(Objective.objects.filter(entity=entity).annotate(n=Count("channels"))
                      .only("id", "parent_id", "title", "public_id"))
    served = {o.pk for o in objectives if o.n}
    served_parents = {o.parent_id for o in objectives if o.n and o.parent_id}
    return [o for o in objectives
            if o.pk not in served and o.parent_id not in served and o.pk not in served_parents]


def channels_without_objective(entity):
    return Channel.objects.filter(entity=entity).annotate(n=Count("objectives")).filter(n=0)


def identity_gaps(channel) -> list[str]:
    return [str(channel._meta.get_field(name).verbose_name)
            for name in Channel.IDENTITY_FIELDS if not getattr(channel, name)]


def channel_checks(entity) -> list[Check]:
    channels = list(Channel.objects.filter(entity=entity))
    checks = [Check(bool(channels), _("Register at least one official channel.")),
              Check(bool(chosen_handle(entity)),
                    _("Choose the handle the entity uses on every network."))]
    for objective in objectives_without_channel(entity):
        checks.append(Check(False, _("No channel serves the objective “%(title)s”.")
                            % {"title": objective.title}))
    for channel in channels_without_objective(entity):
        checks.append(Check(False, _("The channel %(channel)s serves no objective.")
                            % {"channel": channel}))
    consistency = handle_consistency(entity, channels)
    for channel in consistency.odd_ones:
        checks.append(Check(False, _("The handle of %(channel)s differs from @%(handle)s.")
                            % {"channel": channel, "handle": consistency.reference}))
    for channel in channels:
        gaps = identity_gaps(channel)
        checks.append(Check(not gaps, _("Visual identity of %(channel)s: missing %(gaps)s.")
                            % {"channel": channel, "gaps": ", ".join(gaps)}))
    return checks


def launch_items_of(entity) -> list[LaunchItem]:
    """The four launch items in order; the ones never saved come back unsaved."""
    saved = {item.step: item for item in LaunchItem.objects.filter(entity=entity)}
    return [saved.get(step) or LaunchItem(entity=entity, step=step)
            for step in LaunchStep.values]


def launch_checks(entity) -> list[Check]:
    checks = [Check(item.is_done, _("Launch: %(item)s (pending).")
                    % {"item": item.get_step_display()}) for item in launch_items_of(entity)]
    checks.append(Check(official_channels(entity).exists(),
                        _("Show at least one channel on the public page of official channels.")))
    return checks


# --- The public page and the impostor lookup ------------------------------------------------


def official_channels(entity):
    """What the public page shows: only the entity's official channels, only public fields."""
    return (Channel.objects.filter(entity=entity, show_on_public_page=True)
            .only("public_id", "platform", "handle", "name", "url", "is_verified")
            .order_by("platform", "handle"))


@dataclass
class Lookup:
    query: str
    platform: str = ""  # the network the query names, if any
    handle: str = ""  # the handle the query names
    matches: list = field(default_factory=list)
    error: str = ""

    @property
    def is_official(self) -> bool:
        return bool(self.matches)


_HANDLE_RE = re.compile(r"^@?[\w.\-]{1,100}(@[\w.\-]{1,200})?$")


def parse_profile_reference(query: str) -> tuple[str, str]:
    """(platform, handle) from a pasted link or handle; platform "" for a bare handle."""
    text = query.strip()
    if "://" in text or re.match(r"^(www\.)?[\w\-]+\.[a-z]{2,}/", text, re.I):
        parts = urlsplit(text if "://" in text else "https://" + text)
        host = (parts.hostname or "").lower()
        for prefix in ("www.", "m.", "mobile.", "web."):
            if host.startswith(prefix):
                host = host[len(prefix):]
        segments = [s for s in parts.path.split("/") if s]
        platform = HOST_PLATFORM.get(host, "")
        if platform == Platform.BLUESKY and len(segments) >= 2 and segments[0] == "profile":
            return platform, segments[1]
        if platform in (Platform.LINKEDIN,) and len(segments) >= 2:
            return platform, segments[1]
        if platform == Platform.YOUTUBE and segments:
            if segments[0] in ("c", "user", "channel") and len(segments) >= 2:
                return platform, segments[1]
            return platform, segments[0].lstrip("@")
        if platform and segments:
            return platform, segments[0].lstrip("@")
        if not platform and segments and segments[0].startswith("@"):
            # Any other host with /@user is a Mastodon-style profile: user@instance.
            return Platform.MASTODON, f"{segments[0].lstrip('@')}@{host}"
        return platform, ""
    return "", text.lstrip("@")


def _same_handle(channel, platform: str, handle: str) -> bool:
    mine = channel.handle.strip().lstrip("@").lower()
    theirs = handle.lower()
    if channel.platform == Platform.MASTODON and "@" in mine and "@" not in theirs:
        return False  # a Mastodon handle without its instance could be anyone's
    if channel.platform == Platform.MASTODON and "@" in theirs and "@" not in mine:
        return channel.url and urlsplit(channel.url).hostname == theirs.split("@", 1)[1] \
            and mine == theirs.split("@", 1)[0]
    return mine == theirs


def lookup_official(entity, query: str) -> Lookup:
    """Is the account the citizen pasted (a handle or a link) an official channel?

    Matches exactly (case-insensitively) on the network and handle: a look-alike such as
    @Alcaldia_SanIsidro against the official @AlcaldiaSanIsidro is *not* official.
    """
    result = Lookup(query=query[:300])
    text = query.strip()[:300]
    if not text:
        result.error = _("Paste a handle (for example @AlcaldiaSanIsidro) or a profile link.")
        return result
    platform, handle = parse_profile_reference(text)
    result.platform, result.handle = platform, handle
    if not handle or not _HANDLE_RE.match(handle):
        result.error = _("That does not look like a handle or a profile link.")
        return result
    for channel in official_channels(entity):
        if platform and channel.platform != platform:
            continue
        if _same_handle(channel, platform, handle):
            result.matches.append(channel)
    return result


# --- Export sections of the plan (registered with strategy.plan_registry) -------------------


def channels_export(entity) -> list[str]:
    lines = []
    consistency = handle_consistency(entity)
    lines.append(_("Handle chosen for every network: %(handle)s")
                 % {"handle": f"@{consistency.reference}" if consistency.chosen else "—"})
    for c in channels_of(entity):
        objectives = ", ".join(o.title for o in c.objectives.all()) or "—"
        audiences = ", ".join(a.name for a in c.audiences.all()) or "—"
        gaps = identity_gaps(c)
        lines.append(f"## {c}")
        lines.append(f"- {_('Address')}: {c.url or '—'}")
        lines.append(f"- {_('Objectives')}: {objectives}")
        lines.append(f"- {_('Audiences')}: {audiences}")
        lines.append(f"- {_('Visual identity')}: "
                     + (_("complete") if not gaps else _("missing %(gaps)s")
                        % {"gaps": ", ".join(gaps)}))
    return lines


def launch_export(entity) -> list[str]:
    lines = []
    for item in launch_items_of(entity):
        if item.is_done:
            text = _("done on %(date)s") % {"date": item.done_on.strftime("%d/%m/%Y")}
            if item.evidence_url:
                text += f" · {item.evidence_url}"
        else:
            text = _("pending")
        lines.append(f"- {item.get_step_display()}: {text}")
    return lines
