"""`{{ name|bdi }}`: a name shown inside its own bidirectional isolate.

Pseudonyms, legal names and user names come from people (and from the public form): one holding
a right-to-left override (U+202E) or an Arabic name beside Latin text would otherwise reorder the
words around it, making a page say something else than it does. Templates wrap plain `{{ name }}`
in `<bdi>` directly; this filter is for values passed into `{% blocktranslate %}`, whose text
(the msgid the translations are keyed on) must not change."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

register = template.Library()


@register.filter
def bdi(value: object) -> SafeString:
    return format_html("<bdi>{}</bdi>", value)
