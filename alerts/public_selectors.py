"""Reads for the public pages and the Atom feed: which alerts anyone may read, and only what the
defender consented to, in the reader's language when a reviewed translation exists.

An alert is public while it is published (or closed with its outcome), the latest consent recorded
for it allows a public page and is in force (not revoked, not expired), and its defender is not
erased. That is decided in the query itself on every request, and no page is cached anywhere
(protect.core.middleware.NoStoreMiddleware): revoking the consent, its expiry, a withdrawal or an
erasure takes the page and the feed entry down with the very next request, with no worker in between.

What is shown is built here and nowhere else: the defender's name only when naming is consented; the
facts only when the consent allows them on the public page; translations only once reviewed and in a
language the consent names. When naming is not consented, an alert whose text still contains the
defender's name (or an alias, or a part of the name) is not shown at all: a slip of the pen must not
become the one thing that identifies them.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from protect.crypto.errors import DataKeyDestroyed

from .models import CONSENT_ORDER, PUBLIC, Alert, AlertConsent, AlertUpdate, AlertUpdateTranslation
from .services.translations import alert_text_consented, alert_update_text_consented

PAGE_SIZE = 20
FEED_SIZE = 50  # alerts in the feed, each with its updates
NAME_PART_MIN_LENGTH = 3  # shorter parts ("Al", "de", "la") are words of the text too often to be a signal


@dataclass(frozen=True)
class PublicUpdate:
    number: int  # 1, 2, … in the order they went out: the anchor of the update on the alert's page
    at: datetime
    language: str
    news: str


@dataclass(frozen=True)
class PublicAlert:
    slug: str
    language: str  # the language of the texts below (the reader's, or the source language)
    title: str
    summary: str
    facts: str  # "" unless the consent allows the facts on the public page
    requested_actions: str
    name: str  # "" unless naming is consented
    published_at: datetime
    updated_at: datetime
    outcome: str  # the outcome's label once closed, else ""
    closed_at: datetime | None
    updates: list[PublicUpdate] = field(default_factory=list)


def _consent_in_force_allows_a_page() -> Exists:
    """The latest consent recorded for the alert (Alert.consent_in_force's rule) allows a public page
    and is in force today: not revoked, not past its last day (ConsentRecord.is_valid's rule)."""
    latest = AlertConsent.objects.filter(alert=OuterRef(OuterRef("pk"))).order_by(*CONSENT_ORDER).values("pk")[:1]
    today = timezone.localdate()
    return Exists(AlertConsent.objects.filter(pk=Subquery(latest), public_page_allowed=True,
                                              consent__revoked_at__isnull=True)
                  .filter(Q(consent__valid_until__isnull=True) | Q(consent__valid_until__gte=today)))


def _public() -> QuerySet[Alert]:
    return (
        Alert.objects.filter(status__in=PUBLIC, published_at__isnull=False, defender__erased_at__isnull=True)
        .filter(_consent_in_force_allows_a_page())
        .annotate(news_at=Greatest("published_at", Coalesce("last_update_at", "published_at"),
                                   Coalesce("closed_at", "published_at")))
    )


def _loaded(alerts: QuerySet[Alert]) -> list[Alert]:
    updates = AlertUpdate.objects.order_by("created_at", "pk").prefetch_related(
        Prefetch("translations", queryset=AlertUpdateTranslation.objects.order_by("pk")))
    return list(alerts.select_related("defender__data_key").prefetch_related(
        "translations", Prefetch("updates", queryset=updates),
        Prefetch("consents", queryset=AlertConsent.objects.select_related("consent").order_by(*CONSENT_ORDER),
                 to_attr="consents_latest_first"),
    ))


def _normalised(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _names_of(defender: Any) -> list[str]:
    """The defender's legal name, its aliases and each part of them long enough to mean something."""
    names = [str(defender.legal_name or ""), *(str(alias) for alias in (defender.aliases or []))]
    found = set()
    for name in names:
        name = _normalised(name)
        if name:
            found.add(name)
            found.update(part for part in re.split(r"[\s\-‐'’.,]+", name) if len(part) >= NAME_PART_MIN_LENGTH)
    return sorted(found)


def _names_in(texts: list[str], names: list[str]) -> bool:
    haystack = "\n".join(_normalised(text) for text in texts)
    return any(re.search(rf"(?<!\w){re.escape(name)}(?!\w)", haystack) for name in names)


def _build(alert: Alert, language: str) -> PublicAlert | None:
    scope = alert.consents_latest_first[0]  # type: ignore[attr-defined]  # the query kept only those in force
    if not (scope.public_page_allowed and scope.consent.is_valid()):
        return None  # revoked between the two queries
    try:
        text_language, texts = alert_text_consented(alert, scope, language)
        updates = [
            PublicUpdate(number=number, at=update.created_at, language=lang, news=news)
            for number, update in enumerate(alert.updates.all(), start=1)
            for lang, news in [alert_update_text_consented(update, scope, language)]
        ]
        name = str(alert.defender.legal_name or "") if scope.may_name else ""
        facts = texts["facts"] if scope.public_facts_allowed else ""
        shown = [texts["title"], texts["summary"], facts, texts["requested_actions"], *(u.news for u in updates)]
        if not scope.may_name and _names_in(shown, _names_of(alert.defender)):
            return None
    except DataKeyDestroyed:
        return None  # erased while we read: gone
    return PublicAlert(
        slug=alert.public_slug, language=text_language, title=texts["title"], summary=texts["summary"],
        facts=facts, requested_actions=texts["requested_actions"], name=name,
        published_at=alert.published_at,  # type: ignore[arg-type]  # the query kept only published ones
        updated_at=alert.news_at,  # type: ignore[attr-defined]
        outcome=str(alert.get_outcome_display()) if alert.status == Alert.Status.CLOSED else "",
        closed_at=alert.closed_at if alert.status == Alert.Status.CLOSED else None, updates=updates,
    )


def public_alerts(*, language: str, page: int = 1, size: int | None = None) -> tuple[list[PublicAlert], bool]:
    """One page of public alerts, latest news first, and whether another page follows."""
    size = size or PAGE_SIZE
    start = (page - 1) * size
    newest_first = _public().order_by("-news_at", "-pk")  # type: ignore[misc]  # news_at is annotated
    alerts = _loaded(newest_first[start:start + size + 1])
    shown = [built for alert in alerts[:size] if (built := _build(alert, language)) is not None]
    return shown, len(alerts) > size


def public_alert(*, slug: str, language: str) -> tuple[PublicAlert | None, bool]:
    """The alert at `slug` if anyone may read it now; else (None, whether it once went out), so that
    a page taken down answers 410 Gone and an address that never led anywhere 404."""
    alerts = _loaded(_public().filter(public_slug=slug))
    built = _build(alerts[0], language) if alerts else None
    if built is not None:
        return built, False
    return None, Alert.objects.filter(public_slug=slug, published_at__isnull=False).exists()


def public_feed_alerts(*, language: str) -> list[PublicAlert]:
    return public_alerts(language=language, size=FEED_SIZE)[0]
