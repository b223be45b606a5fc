"""A table of figures, shown as HTML and exported as CSV from the same rows."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import Any, Sequence

from django.http import HttpResponse
from django.utils.functional import Promise

#: A spreadsheet runs a cell that starts with one of these as a formula (CSV injection); such cells get a quote.
FORMULA_LEADS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    key: str
    label: str | Promise
    numeric: bool = False


@dataclass(frozen=True)
class Table:
    slug: str
    title: str | Promise
    columns: tuple[Column, ...]
    rows: Sequence[dict[str, Any]]
    #: Optional link per row (e.g. to the step), keyed by the column whose cell is the link text.
    link_column: str = ""
    note: str | Promise = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def lines(self) -> list[tuple[dict[str, Any], list[tuple[Column, Any]]]]:
        """Each row with its cells as (column, value), for the template."""
        return [(row, [(column, row.get(column.key, "")) for column in self.columns]) for row in self.rows]


def csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_LEADS) else text


def csv_response(table: Table, filename: str) -> HttpResponse:
    """The table as a UTF-8 CSV download (with a byte-order mark, so spreadsheets read accents right)."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([csv_cell(str(column.label)) for column in table.columns])
    for row in table.rows:
        writer.writerow([csv_cell(row.get(column.key)) for column in table.columns])
    return response
