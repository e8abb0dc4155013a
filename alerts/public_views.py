"""The public pages of alerts and their Atom feed: no account, no JavaScript, nothing from another
origin, in the language of the URL. What they may show is decided in alerts/public_selectors.py."""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import linebreaks
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from protect.public.pages import DEFAULT_LANGUAGE, language_links, public_page, public_url

from .public_selectors import PublicAlert, public_alert, public_alerts, public_feed_alerts


def _links(url_lang: str | None) -> dict[str, str]:
    return {"list": public_url(name="alerts-public", url_lang=url_lang),
            "feed": public_url(name="alerts-feed", url_lang=url_lang)}


def _context(url_lang: str | None) -> dict[str, Any]:
    return {"languages": language_links(page="alerts-public", url_lang=url_lang), "urls": _links(url_lang)}


alerts_public_page = public_page(csrf_failed_context=_context)


def _alert_url(alert: PublicAlert, url_lang: str | None) -> str:
    return public_url(name="alerts-public-alert", url_lang=url_lang, kwargs={"slug": alert.slug})


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    if not raw.isascii() or not raw.isdigit() or not 1 <= int(raw) <= 10_000:
        raise Http404("no such page")
    return int(raw)


@alerts_public_page
@require_safe
def alert_list(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    page = _page_number(request)
    alerts, more = public_alerts(language=url_lang or DEFAULT_LANGUAGE, page=page)
    if page > 1 and not alerts and not more:
        raise Http404("no such page")
    return render(request, "alerts/public/list.html", _context(url_lang) | {
        "alerts": [(alert, _alert_url(alert, url_lang)) for alert in alerts],
        "page": page, "previous_page": page - 1 if page > 1 else None, "next_page": page + 1 if more else None,
    })


@alerts_public_page
@require_safe
def alert_detail(request: HttpRequest, *, url_lang: str | None, slug: str) -> HttpResponse:
    language = url_lang or DEFAULT_LANGUAGE
    alert, went_out = public_alert(slug=slug, language=language)
    context = _context(url_lang) | {
        "languages": language_links(page="alerts-public-alert", url_lang=url_lang, kwargs={"slug": slug})}
    if alert is None:
        if not went_out:
            raise Http404("no such alert")
        # Taken down (consent revoked or expired, withdrawn, erased): say so, and nothing more.
        return render(request, "alerts/public/gone.html", context, status=410)
    return render(request, "alerts/public/alert.html", context | {"alert": alert, "reader_language": language})


class _Atom(Atom1Feed):
    """Atom with each entry's own xml:lang: an entry falls back to the source language when the
    reader's has no reviewed translation, and a feed reader should know it."""

    def item_attributes(self, item: dict[str, Any]) -> dict[str, str]:
        return {"xml:lang": item["language"]}


def _html(text: str) -> str:
    return linebreaks(text, autoescape=True)


@alerts_public_page
@require_safe
def alert_feed(request: HttpRequest, *, url_lang: str | None) -> HttpResponse:
    language = url_lang or DEFAULT_LANGUAGE
    alerts = public_feed_alerts(language=language)
    links = _links(url_lang)
    host = request.get_host().split(":")[0]
    feed = _Atom(title=_("Urgent alerts"), link=request.build_absolute_uri(links["list"]),
                 description=_("Urgent alerts on behalf of human rights defenders at risk."),
                 feed_url=request.build_absolute_uri(links["feed"]), language=language, author_name="Protect",
                 feed_guid=f"tag:{host},2026:alerts/feed/{language}")
    for alert in alerts:
        url = request.build_absolute_uri(_alert_url(alert, url_lang))
        parts = [alert.summary, alert.facts, alert.requested_actions]
        if alert.outcome:
            parts.insert(0, _("Outcome: %(outcome)s") % {"outcome": alert.outcome})
        feed.add_item(title=alert.title, link=url, description="".join(_html(p) for p in parts if p),
                      pubdate=alert.published_at, updateddate=alert.updated_at,
                      unique_id=f"tag:{host},{alert.published_at:%Y-%m-%d}:alerts/{alert.slug}",
                      language=alert.language)
        for update in alert.updates:
            feed.add_item(title=_("Update: %(title)s") % {"title": alert.title}, link=f"{url}#update-{update.number}",
                          description=_html(update.news), pubdate=update.at, updateddate=update.at,
                          unique_id=f"tag:{host},{alert.published_at:%Y-%m-%d}:alerts/{alert.slug}/updates/"
                                    f"{update.number}",
                          language=update.language)
    response = HttpResponse(content_type=feed.content_type)
    feed.write(response, "utf-8")
    return response
