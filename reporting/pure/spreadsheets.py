"""CSV and XLSX writers over plain rows; no ORM.

Both writers take an iterable of rows and never hold more than a small batch of them, so an export
of a million rows keeps its memory flat. Every string cell passes through `cell_neutralise` first:
a cell that a spreadsheet would read as a formula is written as text.
"""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import IO, Any

from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# The characters that make Excel or LibreOffice treat a cell as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Rows encoded per chunk of a streamed CSV: a few hundred kilobytes, few enough writes to the socket.
CSV_ROWS_PER_CHUNK = 1000
# Excel opens a CSV as UTF-8 (Vietnamese diacritics intact) only when it starts with this mark.
UTF8_BOM = "\ufeff"


def cell_neutralise(value: Any) -> Any:
    """Return the value, with a leading apostrophe if it is text a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """Yield a UTF-8 CSV (with its byte-order mark) of the header and rows, a batch of rows at a time."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(UTF8_BOM)
    writer.writerow(header)
    for number, row in enumerate(rows, start=1):
        writer.writerow([cell_neutralise(value) for value in row])
        if number % CSV_ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def xlsx_cell(value: Any) -> Any:
    """Return the value as openpyxl may write it: neutralised, without the control characters XML forbids."""
    if isinstance(value, str):
        return cell_neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))
    return value


def xlsx_write(header: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str, target: IO[bytes]) -> None:
    """Write the header and rows as one sheet of an XLSX workbook into `target`, row by row."""
    # Write-only: openpyxl spools each row to a temporary file instead of keeping cells in memory.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(list(header))
    for row in rows:
        sheet.append([xlsx_cell(value) for value in row])
    workbook.save(target)
