"""Reading an uploaded file into a header and numbered records, or one clear reason it cannot be.

Row numbers are what the user sees in a spreadsheet: the header is row 1, the first record row
2, and a quoted cell spanning several lines is still one row. Problems with the bytes themselves
(encoding, NUL characters) are reported by *line* of the file, since no row exists yet.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass

UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
ENCODINGS = {
    "utf-8": "UTF-8 (also with Excel's byte order mark)",
    "cp1252": "Windows-1252 (older Excel on Windows)",
    "latin-1": "Latin-1 (ISO 8859-1)",
    "utf-16": "UTF-16 (Excel 'Unicode text')",
    "mac-roman": "Mac Roman (older Excel on Mac)",
}


class FileProblem(ValueError):
    """The file as a whole cannot be read; the message says why and what to do."""


@dataclass
class Record:
    row: int
    cells: list[str]


@dataclass
class Table:
    headers: list[str]
    records: list[Record]
    delimiter: str = ","


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def decode(data: bytes, encoding: str = "") -> str:
    """The file's text. UTF-8 by default, with or without a BOM; UTF-16 with a BOM is recognised."""
    name = (encoding or "utf-8").strip().lower()
    try:
        codec = codecs.lookup(name)
    except LookupError:
        raise FileProblem(f"{encoding!r} is not an encoding; try utf-8, cp1252 or latin-1.") from None
    if codec.name == "utf-8" and data.startswith(UTF16_BOMS):
        codec = codecs.lookup("utf-16")
    if codec.name == "utf-8":
        codec = codecs.lookup("utf-8-sig")  # Excel's "CSV UTF-8" starts with a byte order mark.
        if b"\x00" in data:
            raise FileProblem(_nul_problem(_line_of(data, data.index(b"\x00"))))
    try:
        return data.decode(codec.name)
    except UnicodeDecodeError as exc:
        line = _line_of(data, exc.start)
        bad = data[exc.start:exc.start + 1].hex()
        if codec.name in {"utf-8-sig", "utf-8"}:
            raise FileProblem(
                f"Line {line} is not valid UTF-8 (byte 0x{bad}); export the file as UTF-8 "
                "(in Excel: 'CSV UTF-8'), or say which encoding it uses, e.g. cp1252 or latin-1."
            ) from None
        raise FileProblem(f"Line {line} cannot be read as {encoding} (byte 0x{bad}); check the file's encoding.") from None


def _nul_problem(line: int) -> str:
    return (f"Line {line} contains a NUL character; the file may be UTF-16 without a byte order mark "
            "or not a CSV file at all. Export it as CSV UTF-8.")


def _delimiter(text: str) -> str:
    """Comma, or the semicolon or tab that European Excel and tab-separated exports use."""
    first = text.split("\n", 1)[0]
    counts = {d: first.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > counts[","] else ","


def read_table(text: str) -> Table:
    if not text.strip():
        raise FileProblem("The file is empty.")
    if "\x00" in text:
        raise FileProblem(_nul_problem(text.count("\n", 0, text.index("\x00")) + 1))
    delimiter = _delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    records: list[Record] = []
    headers: list[str] | None = None
    row = 0
    try:
        for cells in reader:
            row += 1
            if headers is None:
                if not any(c.strip() for c in cells):
                    raise FileProblem(f"Row {row} should be the header but is empty.")
                headers = [c.strip() for c in cells]
                continue
            if not any(c.strip() for c in cells):
                continue  # a blank line, or Excel's row of empty cells: nothing to import
            records.append(Record(row=row, cells=cells))
    except csv.Error as exc:
        raise FileProblem(f"Line {reader.line_num} is not valid CSV: {exc}.") from None
    assert headers is not None
    _check_headers(headers)
    if not records:
        raise FileProblem("The file has a header row but no data rows.")
    return Table(headers=headers, records=records, delimiter=delimiter)


def _check_headers(headers: list[str]) -> None:
    seen: dict[str, list[int]] = {}
    for index, header in enumerate(headers, start=1):
        if header:
            seen.setdefault(header.lower(), []).append(index)
    repeated = [(headers[positions[0] - 1], positions) for positions in seen.values() if len(positions) > 1]
    if repeated:
        parts = [f"'{h}' (columns {', '.join(map(str, p))})" for h, p in repeated]
        raise FileProblem(f"Column names must be unique; repeated: {'; '.join(parts)}.")


def record_cells(record: Record, width: int) -> tuple[list[str] | None, str]:
    """The record's cells padded to the header's width, or why the record does not fit it.

    Trailing empty cells beyond the header are tolerated (spreadsheets add them); anything else
    that does not match the header's width is a broken row, not something to guess about.
    """
    cells = list(record.cells)
    while len(cells) > width and not cells[-1].strip():
        cells.pop()
    if len(cells) != width:
        return None, f"has {len(cells)} fields but the header has {width}"
    return [c.strip() for c in cells], ""


def read_headers(text: str) -> list[str]:
    """The header row alone, without reading the records (for a page that shows the columns)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    return [c.strip() for c in next(reader, [])]
