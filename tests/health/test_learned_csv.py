"""A team's labelled CSV: read, checked with errors naming row and column, cross-validated."""

from __future__ import annotations

import numpy as np
import pytest

from paceline.health import learned, learned_csv


def _errors(text: str) -> list[str]:
    with pytest.raises(learned_csv.TableError) as caught:
        learned_csv.read_text(text)
    return caught.value.problems


def test_a_good_file_reads_features_label_and_unknown_cells():
    table = learned_csv.read_text("\ufeffid,seats,tenure,churned\nacme,10,3,0\nbeta,,12.5,1\n")
    assert table.columns == ["seats", "tenure"]  # the identifier is not a feature
    assert table.y.tolist() == [0, 1]
    assert table.X[0].tolist() == [10.0, 3.0]
    assert np.isnan(table.X[1, 0]) and table.X[1, 1] == 12.5


def test_missing_label_column_is_named():
    assert _errors("seats,tenure\n1,2\n") == [
        "No 'churned' column: add one with 1 for customers who churned and 0 for those who stayed."]


def test_non_numeric_value_names_row_line_and_column():
    problems = _errors("seats,churned\n10,0\n\nmany,1\n5,maybe\n")
    assert problems == [
        "Row 2 (line 4), column 'seats': 'many' is not a number (leave it empty if unknown).",
        "Row 3 (line 5), column 'churned': 'maybe' is not 0 or 1.",
    ]


def test_other_shapes_of_bad_input():
    assert _errors("") == ["The file is empty: it needs a header row and one row per customer."]
    assert _errors("churned\n1\n") == [
        "No feature columns: besides 'churned' (and an identifier), give at least one numeric column."]
    assert _errors("seats,Seats,churned\n") == ["Column 'Seats' appears twice in the header."]
    assert _errors("seats,churned\n1,0,7\n") == ["Row 1 (line 2) has 3 values but the header has 2 columns."]
    assert _errors("seats,tenure,churned\n1,-2,0\n") == [
        "Row 1 (line 2), column 'tenure': a tenure cannot be negative (-2)."]
    assert _errors("seats,churned\ninf,0\n") == [
        "Row 1 (line 2), column 'seats': 'inf' is not a number (leave it empty if unknown)."]
    assert _errors("seats,churned\n") == ["The file has a header but no customers."]


def test_errors_stop_after_the_first_ten():
    problems = _errors("seats,churned\n" + "x,0\n" * 30)
    assert len(problems) == 11 and problems[-1].startswith("… stopped")


def test_read_path_says_when_there_is_no_file(tmp_path):
    with pytest.raises(learned_csv.TableError, match="No file at"):
        learned_csv.read_path(str(tmp_path / "absent.csv"))


def test_a_labelled_table_is_cross_validated(tmp_path):
    rng = np.random.default_rng(3)
    lines = ["customer_id,logins_30d,tickets,tenure,churned"]
    for i in range(200):
        churned = int(rng.random() < 0.25)
        logins = rng.normal(5 if churned else 40, 8)
        lines.append(f"c{i},{logins:.1f},{rng.integers(0, 6)},{rng.integers(1, 60)},{churned}")
    path = tmp_path / "customers.csv"
    path.write_text("\n".join(lines) + "\n")
    result = learned.evaluate_table(learned_csv.read_path(str(path)))
    assert result["rows"] == 200 and result["folds"] == 5
    assert result["models"]["logistic"]["auc"] > 0.8
    assert result["models"]["boosting"]["auc"] > 0.8
