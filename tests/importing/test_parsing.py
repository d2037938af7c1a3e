"""Reading the file: encodings, BOMs, delimiters, broken rows, bad headers."""

import codecs

import pytest

from paceline.customers.importing.parsing import (
    FileProblem,
    decode,
    read_headers,
    read_table,
    record_cells,
)

CSV = "Account ID,Account Name\nA1,Café Crème\n"


def test_a_utf8_bom_from_excel_is_accepted_and_not_part_of_the_first_header():
    table = read_table(decode(codecs.BOM_UTF8 + CSV.encode()))
    assert table.headers == ["Account ID", "Account Name"]
    assert table.records[0].cells == ["A1", "Café Crème"]


def test_a_file_that_is_not_utf8_is_refused_naming_the_line():
    data = ("Account ID,Account Name\nA1,Plain\nA2,Café\n").encode("latin-1")
    with pytest.raises(FileProblem) as err:
        decode(data)
    assert str(err.value).startswith("Line 3 is not valid UTF-8 (byte 0xe9); export the file as UTF-8")


def test_the_encoding_can_be_given():
    data = CSV.encode("cp1252")
    assert read_table(decode(data, "cp1252")).records[0].cells[1] == "Café Crème"
    assert decode(data, "latin-1").endswith("Café Crème\n")


def test_an_unknown_encoding_is_named():
    with pytest.raises(FileProblem, match="'klingon' is not an encoding"):
        decode(b"a,b\n", "klingon")


def test_utf16_with_a_bom_is_recognised():
    assert read_table(decode(CSV.encode("utf-16"))).records[0].cells == ["A1", "Café Crème"]


def test_utf16_without_a_bom_is_refused_clearly():
    with pytest.raises(FileProblem, match="NUL character"):
        read_table(decode(CSV.encode("utf-16-le")))


@pytest.mark.parametrize(("text", "message"), [
    ("", "The file is empty."),
    ("\n\n  \n", "The file is empty."),
    ("Account ID,Account Name\n", "The file has a header row but no data rows."),
    ("Account ID,Account Name\n,\n\n", "The file has a header row but no data rows."),
])
def test_empty_files_are_refused(text, message):
    with pytest.raises(FileProblem) as err:
        read_table(text)
    assert str(err.value) == message


def test_duplicate_header_names_are_named_with_their_positions():
    with pytest.raises(FileProblem) as err:
        read_table("Email,Name,email\nx,y,z\n")
    assert str(err.value) == "Column names must be unique; repeated: 'Email' (columns 1, 3)."


def test_row_numbers_are_spreadsheet_rows_even_with_blank_lines_and_multiline_cells():
    text = 'id,name,description\n1,A,"two\nlines"\n\n3,C,plain\n'
    table = read_table(text)
    assert [r.row for r in table.records] == [2, 4]
    assert table.records[0].cells[2] == "two\nlines"


def test_semicolons_and_tabs_are_recognised_as_separators():
    assert read_table("id;name\n1;A\n").records[0].cells == ["1", "A"]
    assert read_table("id\tname\tnotes, misc\n1\tA\tB\n").headers == ["id", "name", "notes, misc"]


def test_a_row_with_the_wrong_number_of_fields_is_reported_not_guessed():
    table = read_table("id,name,domain\n1,A\n2,B,b.com,extra\n3,C,c.com,,\n")
    results = [record_cells(r, 3) for r in table.records]
    assert results[0] == (None, "has 2 fields but the header has 3")
    assert results[1] == (None, "has 4 fields but the header has 3")
    assert results[2] == (["3", "C", "c.com"], "")


def test_broken_quoting_names_the_line():
    with pytest.raises(FileProblem, match="Line 2 is not valid CSV"):
        read_table('id,name\n1,"A"B\n')


def test_headers_can_be_read_alone():
    assert read_headers(" Account ID ;Name\n1;2\n") == ["Account ID", "Name"]
