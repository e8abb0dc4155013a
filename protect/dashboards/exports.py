"""CSV and XLSX of exactly the rows a page shows (suppression and rounding already applied)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.http import HttpResponse
from openpyxl import Workbook

HEADER = ("section", "figure", "count", "people", "eur")


def _safe(value: str) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula; "<5" and labels never need to.
    return "'" + value if value[:1] in {"=", "+", "-", "@"} else value


def csv_response(rows: Sequence[Sequence[str]], filename: str) -> HttpResponse:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    for row in rows:
        writer.writerow([_safe(v) for v in row])
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(rows: Sequence[Sequence[str]], filename: str) -> HttpResponse:

    book = Workbook(write_only=True)
    sheet = book.create_sheet("figures")
    sheet.append(HEADER)
    for row in rows:
        sheet.append([int(v) if v.isdigit() else _safe(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
