"""Form pieces shared by the public and the staff forms."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils.safestring import SafeData, SafeString


def _text(value: Any) -> str:
    """Escaped as the template would: text marked safe stays as it is."""
    return str(value) if isinstance(value, SafeData) else escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """Django's widgets/attrs.html in Python: False leaves the attribute out, True writes it bare."""
    return "".join(f" {name}" if value is True else f' {name}="{_text(value)}"'
                   for name, value in attrs.items() if value is not False)


class QuickSelect(forms.Select):
    """A <select> with the same HTML as Django's template-rendered one, built in Python.

    Django renders each <option> through a template include: the queue's country filter (some 250
    countries) and its other selects cost about half of the queue page's time in a profile
    (bench/README.md). The options are joined as plain text, escaped with the standard library's
    html.escape, which is what django.utils.html.escape calls, without a lazy wrapper per value. The
    markup is the template's, byte for byte (tests/core/test_quick_select.py)."""

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        groups = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(f'\n  <option value="{_text(option["value"])}"{_attrs(option["attrs"])}>'
                               f'{_text(option["label"])}</option>\n' for option in options)
            groups.append(f'\n  <optgroup label="{_text(group_name)}">{rendered}\n  </optgroup>'
                          if group_name else rendered)
        return SafeString(f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>'
                          f'{"".join(groups)}\n</select>')


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
