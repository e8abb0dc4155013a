"""Translations of an alert: written by one person, reviewed by another before any use."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.utils import timezone

from protect.audit.services import log_event
from protect.core.errors import clean_or_refuse

from ..errors import AlertError
from ..models import Alert, AlertTranslation
from ..workflow import ALERT_WORKFLOW
from .drafting import TEXTS, _texts

LANGUAGES = {code for code, _name in settings.LANGUAGES}


def alert_translation_save(*, alert: Alert, by: Any, language: str, **texts: str) -> AlertTranslation:
    """Write or rewrite the alert in `language`. A rewritten translation needs a new review."""
    if language not in LANGUAGES:
        raise AlertError("Choose one of the supported languages.", code="language", field="language")
    if language == alert.language:
        raise AlertError("That is the alert's source language.", code="source_language", field="language")
    cleaned = _texts(texts)
    with ALERT_WORKFLOW.acting(alert, "translate", by=by) as locked:
        translation = AlertTranslation.objects.filter(alert=locked, language=language).first()
        if translation is None:
            translation = AlertTranslation(alert=locked, language=language, written_by=by, **cleaned)
        else:
            for name, value in cleaned.items():
                setattr(translation, name, value)
            translation.written_by, translation.reviewed_by, translation.reviewed_at = by, None, None
        translation.alert = locked
        clean_or_refuse(translation)
        translation.save()
        log_event("alerts.translation.saved", actor=by, target=locked, data={"language": language})
    return translation


def alert_translation_review(*, translation: AlertTranslation, by: Any) -> AlertTranslation:
    """A second person confirms the translation says what the source says. Reviewing twice changes nothing."""
    with ALERT_WORKFLOW.acting(translation.alert, "review_translation", by=by) as locked:
        current = AlertTranslation.objects.select_for_update().get(pk=translation.pk)
        if current.is_reviewed:
            return current
        if current.written_by_id == by.pk:
            raise AlertError("You wrote this translation: someone else must review it.", code="four_eyes")
        current.reviewed_by, current.reviewed_at = by, timezone.now()
        current.save(update_fields=["reviewed_by", "reviewed_at"])
        log_event("alerts.translation.reviewed", actor=by, target=locked, data={"language": current.language})
    return current


def alert_translation_review_in(*, alert: Alert, by: Any, language: str) -> AlertTranslation:
    """Review the alert's translation into `language` (the desk names it by language)."""
    translation = alert.translations.filter(language=language).first()
    if translation is None:
        raise AlertError("There is no translation into that language.", code="no_translation", field="language")
    return alert_translation_review(translation=translation, by=by)


def alert_text_in(alert: Alert, language: str) -> tuple[str, dict[str, str]]:
    """The alert's texts in `language` when a reviewed translation exists, else in its source language."""
    if language != alert.language:
        for translation in alert.translations.all():
            if translation.language == language and translation.is_reviewed:
                return language, {name: getattr(translation, name) for name in TEXTS}
    return alert.language, {name: getattr(alert, name) for name in TEXTS}
