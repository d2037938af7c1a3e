"""What an import found and did, as plain data: shown by the command, stored on the page's run."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class RowError:
    row: int  # as a spreadsheet shows it: the header is row 1
    column: str  # the file's header, or "" when the whole row is at fault
    reason: str


@dataclass
class ImportReport:
    kind: str
    source: str = "csv"
    dry_run: bool = True
    partial: bool = False
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    applied: bool = False
    file_errors: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    mapped: list[tuple[str, str]] = field(default_factory=list)  # (header, field)
    ignored: list[tuple[str, str]] = field(default_factory=list)  # (header, why)
    account_ids: list[int] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and not self.errors

    @property
    def written(self) -> int:
        return self.created + self.updated if self.applied else 0

    def summary(self) -> str:
        if self.file_errors:
            return "The file cannot be imported: " + " ".join(self.file_errors)
        counts = (f"{self.created} to create, {self.updated} to update, {self.unchanged} unchanged, "
                  f"{self.failed} with errors")
        if self.dry_run:
            return f"Dry run of {self.rows} {self.kind} rows: {counts}. Nothing was changed."
        if not self.applied:
            have = "has" if self.failed == 1 else "have"
            return (f"{self.failed} of {self.rows} rows {have} errors, so nothing was changed "
                    f"({counts}). Fix them, or import only the valid rows with the partial option.")
        done = f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged"
        if self.failed:
            return f"Imported {self.rows - self.failed} of {self.rows} {self.kind} rows ({done}); {self.failed} rows with errors were skipped."
        return f"Imported {self.rows} {self.kind} rows: {done}."

    def to_dict(self) -> dict:
        data = asdict(self)
        data["errors"] = [[e.row, e.column, e.reason] for e in self.errors]
        data["mapped"] = [list(pair) for pair in self.mapped]
        data["ignored"] = [list(pair) for pair in self.ignored]
        return data

    @classmethod
    def from_dict(cls, data: dict) -> ImportReport:
        data = dict(data)
        data["errors"] = [RowError(row, column, reason) for row, column, reason in data.get("errors", [])]
        data["mapped"] = [tuple(pair) for pair in data.get("mapped", [])]
        data["ignored"] = [tuple(pair) for pair in data.get("ignored", [])]
        return cls(**data)
