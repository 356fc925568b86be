"""The one entry point for imports, used by the admin page and the ``import_data`` command.

Who may write what: the ``import_data`` command runs as the operator, with every right; a user (the admin
page) may only add and change rows of the tables their Django model permissions allow, checked at the
preview and again when it is confirmed, and only the user who made a preview may confirm it.

Imports that write are serialised (``lock_imports``), and a confirmed preview is applied only against
the data the preview saw: it is validated again and its outcomes compared with the preview's fingerprint.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_permission_codename
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction

from catalog.importers import epoch, litellm
from catalog.importers.csv_table import parse_csv
from catalog.importers.engine import CREATE, ERROR, UNCHANGED, UPDATE, RowOutcome, import_records, outcomes_digest
from catalog.importers.fixture import FormatError, parse_fixture
from catalog.importers.records import IMPORTABLE, ParsedFile, check_shapes, label_of
from catalog.models import ImportRun, UnmatchedOffering
from catalog.models.imports import ImportFormat

# How much of each run the change log keeps: every count exactly, the rows in detail up to these limits
# (errors first), so a hostile file cannot make one log row tens of megabytes. About 1 MB a run at most.
LOG_ROWS = 1000  # rows kept in detail
LOG_BYTES = 1_000_000  # their size as JSON
LOG_TEXT = 300  # characters kept of each value and message
LOG_ITEMS = 20  # items kept of a list (links) and messages kept of a row
NOTE = "note"  # the action of the log's last row when rows were left out

# The most records one import takes. IMPORT_MAX_BYTES alone does not bound the work: 20 MB of the shortest
# rows a table accepts ("h1,H,nvidia,gpu") is a million records, some four minutes of validation. At about
# 0.3 ms a record (perf/import_bench.py), 100,000 stay well inside the web worker's 60 s.
MAX_RECORDS = 100_000

# pg_advisory_xact_lock's key for "an import is being applied" (any 64-bit number no other code uses).
IMPORT_LOCK_KEY = 0x4C414E44494D5054
STALE = (
    "The data changed since the preview: applying it now would not do what the preview showed. "
    "Nothing was written; preview the file again."
)


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
            if row["action"] == NOTE:
                lines += row["messages"]
                continue
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
    ImportFormat.FIXTURE: parse_fixture_file,
    ImportFormat.CSV: parse_table_csv,
    ImportFormat.EPOCH_HARDWARE: epoch.parse_hardware,
    ImportFormat.EPOCH_MODELS: epoch.parse_models,
    ImportFormat.LITELLM: litellm.parse_price_map,
    ImportFormat.EPOCH_BENCHMARKS: epoch.parse_benchmark_runs,
}


def parse(fmt, data, *, file_name, table):
    parser = PARSERS.get(fmt)
    if parser is None:  # a format the choices list but no parser reads: a coding error, told plainly
        raise FormatError(f"The {fmt!r} format cannot be imported.")
    parsed = parser(data, file_name=file_name, table=table)
    parsed = parsed if isinstance(parsed, ParsedFile) else ParsedFile(records=parsed)
    check_shapes(parsed.records)  # every format: one value where one belongs, storable text, bounded depth
    return parsed


def lock_imports(*, apply):
    """Serialise imports that write, from the start of the transaction (before anything is read).

    PostgreSQL: a transaction-level advisory lock, released at commit or rollback; previews (rolled back)
    do not wait for it. SQLite: the transaction starts with a write that changes nothing, so it holds the
    database's one write lock from the start; a second import waits for it (up to SQLite's busy timeout,
    then fails and writes nothing) instead of reading data the first is changing. Previews write too (they
    are rolled back), so on SQLite they take it as well.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and apply:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        elif connection.vendor == "sqlite":
            table = connection.ops.quote_name(ImportRun._meta.db_table)
            cursor.execute(f"UPDATE {table} SET id = id WHERE id IS NULL")


def permission_check(user):
    """``permitted(action, model)`` for the engine: None (every right) when no user runs the import."""
    if user is None:
        return None

    def permitted(action, model):
        return user.has_perm(f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}")

    return permitted


def clipped(value):
    """A value as the change log keeps it: text cut to LOG_TEXT characters, lists to LOG_ITEMS items."""
    if isinstance(value, str):
        return value if len(value) <= LOG_TEXT else f"{value[:LOG_TEXT]}… ({len(value):,} characters)"
    if isinstance(value, list | tuple):
        kept = [clipped(item) for item in value[:LOG_ITEMS]]
        return kept + ([f"… and {len(value) - LOG_ITEMS:,} more"] if len(value) > LOG_ITEMS else [])
    if isinstance(value, dict):
        text = json.dumps(value, default=str, ensure_ascii=False)
        return value if len(text) <= LOG_TEXT else clipped(text)
    return value


def clipped_row(outcome):
    row = outcome.as_dict()
    return {
        **{name: clipped(row[name]) for name in ("where", "table", "key")},
        "action": row["action"],
        "changes": {
            clipped(str(name)): [clipped(before), clipped(after)] for name, (before, after) in row["changes"].items()
        },
        "messages": clipped(row["messages"]),
    }


def change_log(outcomes):
    """The rows a run stores: up to LOG_ROWS (and LOG_BYTES) of them in detail, errors first, then changes,
    in file order; a last row says how many were left out. The run's counts are counted from every row."""
    rank = {ERROR: 0, CREATE: 1, UPDATE: 1}
    order = sorted(range(len(outcomes)), key=lambda index: (rank.get(outcomes[index].action, 2), index))
    kept, size = {}, 0
    for index in order:
        if len(kept) == LOG_ROWS:
            break
        row = clipped_row(outcomes[index])
        size += len(json.dumps(row, default=str))
        if size > LOG_BYTES:
            break
        kept[index] = row
    rows = [kept[index] for index in sorted(kept)]
    left_out = Counter(outcome.action for index, outcome in enumerate(outcomes) if index not in kept)
    if left_out:
        counts = ", ".join(f"{count:,} {action}" for action, count in sorted(left_out.items()))
        message = f"{sum(left_out.values()):,} more rows are not kept in detail ({counts}); the counts are exact."
        rows.append({"where": "", "table": "", "key": "", "action": NOTE, "changes": {}, "messages": [message]})
    return rows


def import_file(*, fmt, data, file_name, dry_run, user=None, table="", keep_for_confirmation=False, preview=None):
    """Read, validate and (unless ``dry_run`` or any row fails) apply a file; the run is always logged.

    ``user``: who imports (None: the operator, with every right). ``preview``: the previewed run being
    confirmed; the file is applied only if it would still do exactly what that preview showed.
    """
    user = user if user is not None and user.is_authenticated else None
    run = ImportRun(
        user=user,
        file_name=file_name[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size_bytes=len(data),
        format=fmt,
        table=table or "",
    )
    outcomes, parsed, applied, stale = [], ParsedFile(records=[]), False, False

    def still_as_previewed(outcomes):
        nonlocal stale
        stale = outcomes_digest(outcomes, *parsed.unmatched) != preview.preview_digest
        return not stale

    with transaction.atomic():
        lock_imports(apply=not dry_run)
        try:
            if len(data) > settings.IMPORT_MAX_BYTES:
                raise FormatError(
                    f"The file is {len(data):,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,} (IMPORT_MAX_BYTES)."
                )
            if preview is not None and not pending_previews().filter(pk=preview.pk).exists():
                raise FormatError("This preview was confirmed already, or is gone: nothing was written.")
            parsed = parse(fmt, data, file_name=file_name, table=table)
            if not parsed.records and not parsed.unmatched:
                raise FormatError("The file holds no records.")
            if len(parsed.records) + len(parsed.unmatched) > MAX_RECORDS:
                raise FormatError(
                    f"The file holds {len(parsed.records) + len(parsed.unmatched):,} records; an import takes at "
                    f"most {MAX_RECORDS:,}: split it into smaller files."
                )
            permitted = permission_check(user)
            may_flag = permitted is None or not parsed.unmatched or permitted("add", UnmatchedOffering)
            result = import_records(
                parsed.records,
                dry_run=dry_run or not may_flag,
                permitted=permitted,
                keep=still_as_previewed if preview is not None else None,
            )
            outcomes, applied = result.outcomes, result.applied
            if not may_flag:
                outcomes.append(
                    RowOutcome(
                        "the file",
                        label_of(UnmatchedOffering),
                        f"{len(parsed.unmatched):,} entries to keep for review",
                        ERROR,
                        messages=[f"you lack permission to add {label_of(UnmatchedOffering)}"],
                    )
                )
            run.flagged = len(parsed.unmatched)
            if stale:
                run.file_error = STALE
        except FormatError as error:
            run.file_error = str(error)
            applied = False
        counts = Counter(outcome.action for outcome in outcomes)
        run.created, run.updated = counts[CREATE], counts[UPDATE]
        run.unchanged, run.errors = counts[UNCHANGED], counts[ERROR]
        run.rows = change_log(outcomes)
        if applied:
            run.status = ImportRun.Status.APPLIED
        elif dry_run and not run.file_error and not run.errors:
            run.status = ImportRun.Status.PREVIEW
            if keep_for_confirmation:
                run.pending_file = data
                run.preview_digest = outcomes_digest(outcomes, *parsed.unmatched)
        else:
            run.status = ImportRun.Status.REFUSED
        run.save()
        if applied and parsed.unmatched:
            # Re-importing the same file keeps one entry per offering and date (the unique constraint).
            UnmatchedOffering.objects.bulk_create(
                [UnmatchedOffering(import_run=run, **entry) for entry in parsed.unmatched], ignore_conflicts=True
            )
        if applied and preview is not None:
            pending_previews().filter(pk=preview.pk).update(pending_file=None)
    return ImportReport(run, outcomes)


def pending_previews():
    return ImportRun.objects.filter(status=ImportRun.Status.PREVIEW, pending_file__isnull=False)


def confirm_preview(run, *, user):
    """Apply a previewed file, for the user who previewed it, if the data is still what the preview saw."""
    if user is None or run.user_id is None or run.user_id != user.pk:
        raise PermissionDenied("Only the user who made a preview may confirm it.")
    data = bytes(run.pending_file or b"")
    return import_file(
        fmt=run.format, data=data, file_name=run.file_name, dry_run=False, user=user, table=run.table, preview=run
    )
