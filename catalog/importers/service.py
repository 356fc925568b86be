"""The one entry point for imports, used by the admin page and the ``import_data`` command."""

import hashlib
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.module_loading import import_string

from catalog.importers.csv_table import parse_csv
from catalog.importers.engine import CREATE, ERROR, UNCHANGED, UPDATE, import_records
from catalog.importers.fixture import FormatError, parse_fixture
from catalog.importers.records import IMPORTABLE, ParsedFile
from catalog.models import ImportRun, UnmatchedOffering
from catalog.models.imports import ImportFormat


@dataclass
class ImportReport:
    run: ImportRun
    outcomes: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.run.file_error and not self.run.errors

    def lines(self):
        """The report as text, one line per record that is not unchanged, then the totals."""
        run = self.run
        if run.file_error:
            return [f"error: {run.file_error}", "Nothing was written."]
        lines = []
        for row in run.rows:
            if row["action"] == UNCHANGED and not row["messages"]:
                continue
            lines.append(f"{row['where']}: {row['action']} {row['table']} {row['key']}")
            lines += [f"    {name}: {before!r} -> {after!r}" for name, (before, after) in row["changes"].items()]
            lines += [f"    {message}" for message in row["messages"]]
        lines.append(
            f"{run.created} to create, {run.updated} to update, {run.unchanged} unchanged, {run.errors} with errors, "
            f"{run.flagged} kept for review: "
            + {
                ImportRun.Status.APPLIED: "applied.",
                ImportRun.Status.PREVIEW: "dry run, nothing written.",
                ImportRun.Status.REFUSED: "nothing written.",
            }[run.status]
        )
        return lines


def parse_table_csv(data, *, file_name, table):
    model = IMPORTABLE.get(table or "")
    if model is None:
        raise FormatError(f"Pick the table the CSV holds: one of {', '.join(sorted(IMPORTABLE))}.")
    return parse_csv(data, model)


def parse_fixture_file(data, *, file_name, table):
    return parse_fixture(data, file_name)


# Format -> parser(data, *, file_name, table) returning Records or a ParsedFile; one module per format.
PARSERS = {
    ImportFormat.FIXTURE: "catalog.importers.service.parse_fixture_file",
    ImportFormat.CSV: "catalog.importers.service.parse_table_csv",
    ImportFormat.EPOCH_HARDWARE: "catalog.importers.epoch.parse_hardware",
    ImportFormat.EPOCH_MODELS: "catalog.importers.epoch.parse_models",
    ImportFormat.LITELLM: "catalog.importers.litellm.parse_price_map",
}


def parse(fmt, data, *, file_name, table):
    try:
        parser = import_string(PARSERS[fmt])
    except (KeyError, ImportError) as error:
        raise FormatError(f"The {fmt!r} format cannot be imported yet.") from error
    parsed = parser(data, file_name=file_name, table=table)
    return parsed if isinstance(parsed, ParsedFile) else ParsedFile(records=parsed)


def import_file(*, fmt, data, file_name, dry_run, user=None, table="", keep_for_confirmation=False):
    """Read, validate and (unless ``dry_run`` or any row fails) apply a file; the run is always logged."""
    run = ImportRun(
        user=user if user is not None and user.is_authenticated else None,
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        format=fmt,
        table=table or "",
    )
    outcomes, parsed = [], ParsedFile(records=[])
    try:
        if len(data) > settings.IMPORT_MAX_BYTES:
            raise FormatError(
                f"The file is {len(data):,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,} (IMPORT_MAX_BYTES)."
            )
        parsed = parse(fmt, data, file_name=file_name, table=table)
        if not parsed.records and not parsed.unmatched:
            raise FormatError("The file holds no records.")
        outcomes, applied = import_records(parsed.records, dry_run=dry_run)
        run.flagged = len(parsed.unmatched)
    except FormatError as error:
        run.file_error = str(error)
        applied = False
    counts = Counter(outcome.action for outcome in outcomes)
    run.created, run.updated = counts[CREATE], counts[UPDATE]
    run.unchanged, run.errors = counts[UNCHANGED], counts[ERROR]
    run.rows = [outcome.as_dict() for outcome in outcomes]
    if applied:
        run.status = ImportRun.Status.APPLIED
    elif dry_run and not run.file_error and not run.errors:
        run.status = ImportRun.Status.PREVIEW
        run.pending_file = data if keep_for_confirmation else None
    else:
        run.status = ImportRun.Status.REFUSED
    run.save()
    if applied and parsed.unmatched:
        # Re-importing the same file keeps one entry per offering and date (the unique constraint).
        UnmatchedOffering.objects.bulk_create(
            [UnmatchedOffering(import_run=run, **entry) for entry in parsed.unmatched], ignore_conflicts=True
        )
    return ImportReport(run, outcomes)


def confirm_preview(run, *, user):
    """Apply a previewed file (validated again: the data may have changed since the preview)."""
    data = bytes(run.pending_file or b"")
    report = import_file(fmt=run.format, data=data, file_name=run.file_name, dry_run=False, user=user, table=run.table)
    if report.ok:
        ImportRun.objects.filter(pk=run.pk).update(pending_file=None)
    return report
