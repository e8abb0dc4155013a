"""Form pieces shared by the public and the staff forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


def _attrs(attrs: dict[str, Any]) -> SafeString:
    """Django's widgets/attrs.html in Python: False leaves the attribute out, True writes it bare."""
    return format_html_join("", " {}", ((format_html('{}="{}"', name, value) if value is not True else name,)
                                        for name, value in attrs.items() if value is not False))


class QuickSelect(forms.Select):
    """A <select> with the same HTML as Django's template-rendered one, built in Python.

    Django renders each <option> through a template include: the queue's country filter (some 80
    countries) and its three other selects cost about half of the queue page's time in a profile
    (bench/README.md). The markup is the template's, byte for byte (tests/core/test_quick_select.py)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join("", "\n  <option value=\"{}\"{}>{}</option>\n", (
                (str(option["value"]), _attrs(option["attrs"]), option["label"]) for option in options))
            groups.append(format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rendered)
                          if group_name else rendered)
        return format_html('<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]),
                           SafeString("".join(groups)))


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one <input type=file multiple> (works without JavaScript); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []
