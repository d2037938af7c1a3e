"""``paceline import`` end to end through call_command: output, exit status, options."""

import io

import pytest
from django.core.management import ManagementUtility, base, call_command
from django.core.management.base import CommandError

from paceline.core.models import AuditEntry
from paceline.customers.models import Account

GOOD = "Account ID,Account Name,Type,Segment\nA1,Acme,Customer - Direct,Enterprise\nA2,Globex,Customer - Channel,SMB\n"


def write(tmp_path, text, *, encoding="utf-8", name="accounts.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return str(path)


def run(*args):
    out = io.StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_it_imports_and_prints_the_summary(db, tmp_path):
    output = run("accounts", write(tmp_path, GOOD))
    assert "Imported 2 accounts rows: 2 created, 0 updated, 0 unchanged." in output
    assert "Ignored column 'Type': the CRM's account type" in output
    assert Account.objects.count() == 2
    assert set(AuditEntry.objects.values_list("via", flat=True)) == {"import"}


def test_a_dry_run_changes_nothing(db, tmp_path):
    output = run("accounts", write(tmp_path, GOOD), "--dry-run")
    assert "Dry run of 2 accounts rows: 2 to create, 0 to update, 0 unchanged, 0 with errors." in output
    assert not Account.objects.exists()


def test_errors_print_a_table_and_exit_non_zero_changing_nothing(db, tmp_path):
    path = write(tmp_path, GOOD + "A3,Initech,Prospect,Galactic\n")
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("import", "accounts", path, stdout=out)
    assert err.value.returncode == 1
    assert str(err.value) == "1 row has errors; nothing was changed."
    table_row = next(line for line in out.getvalue().splitlines() if "Galactic" in line)
    assert [cell.strip() for cell in table_row.strip("│ ").split("│")] == [
        "4", "Segment", "'Galactic' is not one of: Enterprise, Mid-market, SMB."]
    assert not Account.objects.exists()


def test_partial_imports_the_good_rows_and_still_exits_non_zero(db, tmp_path):
    path = write(tmp_path, GOOD + "A3,Initech,Prospect,Galactic\n")
    with pytest.raises(CommandError) as err:
        call_command("import", "accounts", path, "--partial", stdout=io.StringIO())
    assert str(err.value) == "1 row has errors; the valid rows were imported."
    assert sorted(Account.objects.values_list("external_id", flat=True)) == ["A1", "A2"]


def test_map_options_override_the_detected_mapping(db, tmp_path):
    text = "Account ID,Account Name,Type,Segment\nA1,Acme,Enterprise,\n"
    run("accounts", write(tmp_path, text), "--map", "Type=segment", "--map", "Segment=")
    assert Account.objects.get().segment == "enterprise"


def test_a_bad_map_option_is_refused(db, tmp_path):
    with pytest.raises(CommandError, match="'colour' \\(for column 'Type'\\) is not a field Paceline knows"):
        run("accounts", write(tmp_path, GOOD), "--map", "Type=colour")


def test_changes_are_attributed_to_the_given_user(csm, tmp_path):
    run("accounts", write(tmp_path, GOOD), "--user", csm.username)
    assert set(AuditEntry.objects.values_list("actor", flat=True)) == {csm.pk}


def test_an_unknown_user_is_refused_before_reading_the_file(db, tmp_path):
    with pytest.raises(CommandError, match="There is no user 'ghost'"):
        run("accounts", write(tmp_path, GOOD), "--user", "ghost")


def test_a_latin1_file_is_refused_unless_its_encoding_is_given(db, tmp_path):
    path = write(tmp_path, "Account ID,Account Name\nA1,Café\n", encoding="latin-1")
    with pytest.raises(CommandError, match="^Line 2 is not valid UTF-8"):
        run("accounts", path)
    run("accounts", path, "--encoding", "latin-1")
    assert Account.objects.get().name == "Café"


def test_a_missing_required_column_is_named_and_exits_non_zero(db, tmp_path):
    out = io.StringIO()
    with pytest.raises(CommandError) as err:
        call_command("import", "contacts", write(tmp_path, "Email\nx@y.test\n"), stdout=out)
    assert err.value.returncode == 1
    assert "Missing required column for contacts: external_id" in out.getvalue()
    assert "Missing required column for contacts: account_external_id" in out.getvalue()


def test_a_missing_file_is_named(db):
    with pytest.raises(CommandError, match="nope.csv: no such file"):
        run("accounts", "nope.csv")


def test_the_console_script_exits_1_on_errors_and_0_on_success(db, tmp_path, capsys, monkeypatch):
    # run_from_argv closes every connection when done, which would end the test's own transaction.
    monkeypatch.setattr(base.connections, "close_all", lambda: None)
    bad = write(tmp_path, GOOD + "A3,Initech,Prospect,Galactic\n", name="bad.csv")
    with pytest.raises(SystemExit) as exit_:
        ManagementUtility(["paceline", "import", "accounts", bad]).execute()
    assert exit_.value.code == 1
    assert "CommandError: 1 row has errors; nothing was changed." in capsys.readouterr().err
    ManagementUtility(["paceline", "import", "accounts", write(tmp_path, GOOD)]).execute()
    assert Account.objects.count() == 2
