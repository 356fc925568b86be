"""Apply ``Record``s: resolve references, diff against the database, validate, save all or nothing.

The whole file runs inside one transaction even on a dry run, so the preview meets the same database
constraints as the real thing (overlapping price periods, uniqueness); the transaction is then rolled back
when it was a dry run or when any row failed. ``loaddata`` validates nothing; this path runs the checks of
``full_clean()`` on every row before saving it.

A file at the size limit holds some 80,000 rows and must be previewed inside one web request, so nothing here
costs a query per row: existing rows, referenced rows and current many-to-many links are read in bulk by
natural key (lookups.py); ``full_clean()`` is replaced by ``validate_row`` (validation.py), which skips the
three checks that query (a resolved relation exists, the natural key is unique, check constraints that are
plain comparisons, evaluated in Python instead); rows are written with ``bulk_create`` and ``bulk_update``,
and a batch the database refuses is written again row by row so the report still names the row. Rows of the
price tables are the exception: their ``clean()`` compares a period with the periods saved before it, earlier
rows of the same file included, so they are saved one at a time, as they are validated; so are evaluation
scores, whose ``clean()`` checks the score against a saved evaluation's scale.
"""

import hashlib
import json
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, connection, transaction

from catalog.importers.lookups import BATCH, ExistingRows, Links, ReferenceResolver, chunked, natural_key_text, shown
from catalog.importers.records import IMPORTABLE, NATURAL_KEYS, label_of
from catalog.importers.validation import validate_row, validation_messages
from catalog.models.evaluations import EvaluationScore
from catalog.models.pricing import EffectivePeriod

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
WRITE_ORDER = {model: position for position, model in enumerate(IMPORTABLE.values())}  # parents first


@dataclass
class RowOutcome:
    where: str
    table: str
    key: str
    action: str
    changes: dict = field(default_factory=dict)  # field -> [before, after], as text
    messages: list = field(default_factory=list)

    def as_dict(self):
        return {
            "where": self.where,
            "table": self.table,
            "key": self.key,
            "action": self.action,
            "changes": self.changes,
            "messages": self.messages,
        }


def saved_one_by_one(model):
    """Tables whose ``clean()`` reads saved rows: a price period the periods before it, a score its evaluation's
    scale (through ``evaluation_id``, None while an evaluation made earlier in the file waits to be inserted)."""
    return issubclass(model, EffectivePeriod | EvaluationScore)


class PendingRow:
    """A record between the two passes: its row saved (or refused), its links still to make."""

    def __init__(self, record, outcome):
        self.record = record
        self.outcome = outcome
        self.row = None
        self.existing = False
        self.linked = False  # the second pass accepted it
        self.deferred = {}  # relation name -> raw natural key, resolved after every row is saved
        self.many = {}  # many-to-many name -> raw natural keys
        self.changed_later = []  # deferred relations the second pass changed
        self.link_writes = []  # (through model, through rows to add, through primary keys to delete)


class RowImporter:
    """Two passes, so a row may refer to one further down the file (a parent, a base model, a related term).

    First every row is validated and saved (in bulk) with the relations that already resolve; then the
    remaining relations and all many-to-many links are made, and each row's outcome is settled.
    """

    def __init__(self, resolver=None):
        self.resolver = resolver or ReferenceResolver()
        self.existing = ExistingRows()
        self.links = Links()
        self.to_create = []  # pending rows to insert, in file order
        self.to_update = {}  # id(row) -> (pending, names of changed fields)

    def prefetch(self, records):
        """Read in bulk what the rows will ask for: existing rows by natural key, and the rows they refer to."""
        by_model, references = {}, {}
        for record in records:
            by_model.setdefault(record.model, []).append(record)
            for name, raw in record.fields.items():
                try:
                    model_field = record.model._meta.get_field(name)
                except (FieldDoesNotExist, TypeError):
                    continue
                if model_field.many_to_many:
                    raws = raw if isinstance(raw, list | tuple) else []
                elif model_field.is_relation and raw not in (None, "", []):
                    raws = [raw]
                else:
                    continue
                references.setdefault(model_field.related_model, []).extend(raws)
        for model, raws in references.items():
            self.resolver.prefetch(model, raws)
        for model, model_records in by_model.items():
            self.existing.prefetch(model, model_records)

    def first_pass(self, record):
        model = record.model
        if saved_one_by_one(model):
            self.flush()  # its clean() reads the rows saved before it
        errors = list(record.errors)
        pending = PendingRow(record, RowOutcome(record.where, label_of(model), "", ERROR, messages=[*record.notes]))
        values = {}
        for name, raw in record.fields.items():
            try:
                model_field = model._meta.get_field(name)
            except FieldDoesNotExist:
                errors.append(f"{name}: no such field in {model._meta.verbose_name}")
                continue
            try:
                if model_field.many_to_many:
                    pending.many[name] = list(raw or [])
                elif model_field.is_relation:
                    if raw in (None, "", []):
                        values[name] = None
                    elif model_field.related_model is model and model_field.null:
                        pending.deferred[name] = raw  # may name a row later in the file
                        values[name] = None
                    else:
                        values[name] = self.resolver.resolve(model_field.related_model, raw)
                elif model_field.primary_key:
                    errors.append(f"{name}: primary keys are not imported; rows are matched by natural key")
                else:
                    values[name] = model_field.to_python(raw)
            except LookupError as error:
                errors.append(f"{name}: {error}")
            except ValidationError as error:
                errors.extend(f"{name}: {message}" for message in error.messages)

        key_fields = NATURAL_KEYS[model]
        for name in key_fields:  # a key field left out of the file takes its default, as loaddata would
            if name not in record.fields and model._meta.get_field(name).has_default():
                values[name] = model._meta.get_field(name).get_default()
        missing = [name for name in key_fields if values.get(name) in (None, "")]
        pending.outcome.key = " | ".join(str(shown(values.get(name))) for name in key_fields)
        if missing:
            errors.append(f"missing {', '.join(missing)}: needed to identify the row")
        if errors:
            pending.outcome.messages += errors
            return pending

        try:
            existing = self.existing.get(model, values)
        except LookupError as error:  # the same row, its key written differently, further up the file
            pending.outcome.messages.append(str(error))
            return pending
        row = existing or model()
        for name in pending.deferred:
            values[name] = getattr(row, name)  # keep the current link until the second pass
        for name, value in values.items():
            before = getattr(row, name) if existing else None
            if (not existing or before != value) and name not in pending.deferred:
                pending.outcome.changes[name] = [shown(before), shown(value)]
            setattr(row, name, value)
        for model_field in model._meta.many_to_many:
            if not model_field.blank and not existing and not pending.many.get(model_field.name):
                errors.append(f"{model_field.name}: at least one is required")
        resolved = [
            name
            for name, value in values.items()
            if value is not None and name not in pending.deferred and model._meta.get_field(name).is_relation
        ]
        try:
            validate_row(row, exclude=list(pending.deferred), resolved=resolved)
        except ValidationError as error:
            errors += validation_messages(error)
        if errors:
            pending.outcome.messages += errors
            return pending
        pending.row, pending.existing = row, existing is not None
        if saved_one_by_one(model):
            if not existing or pending.outcome.changes:
                self._save(pending, row.save)
        elif not existing:
            self.to_create.append(pending)
        elif pending.outcome.changes:
            self._queue_update(pending, pending.outcome.changes)
        if not existing:
            self.existing.made(model, values, record.where)
        self.resolver.remember(row)
        return pending

    def _queue_update(self, pending, names):
        _, fields = self.to_update.setdefault(id(pending.row), (pending, set()))
        fields.update(names)

    def flush(self):
        """Insert the rows waiting to be created, parents first, then update the changed ones."""
        waiting = sorted(self.to_create, key=lambda pending: WRITE_ORDER[pending.record.model])
        self.to_create = []
        for model in dict.fromkeys(pending.record.model for pending in waiting):
            batch = [pending for pending in waiting if pending.record.model is model and self._refers_to_saved(pending)]
            self._write(batch, lambda rows, model=model: model._default_manager.bulk_create(rows, batch_size=BATCH))
        updates, self.to_update = list(self.to_update.values()), {}
        for model in dict.fromkeys(pending.record.model for pending, _ in updates):
            batch = [(pending, names) for pending, names in updates if pending.record.model is model]
            names = sorted(set().union(*(names for _, names in batch)))
            self._write(
                [pending for pending, _ in batch if self._refers_to_saved(pending)],
                lambda rows, model=model, names=names: model._default_manager.bulk_update(rows, names, BATCH),
            )

    def _refers_to_saved(self, pending):
        """A row may refer to one this file created only if the database accepted that one."""
        for model_field in pending.record.model._meta.concrete_fields:
            if model_field.is_relation and model_field.is_cached(pending.row):
                related = model_field.get_cached_value(pending.row)
                if related is not None and related.pk is None:
                    pending.outcome.messages.append(
                        f"{model_field.name}: {natural_key_text(related)!r} could not be saved, so neither can this row"
                    )
                    pending.row = None
                    return False
        return True

    def _write(self, batch, write):
        """Write a batch in one go; if the database refuses it, row by row, so the report names the row."""
        if not batch:
            return
        adding = [pending.row._state.adding for pending in batch]
        try:
            with transaction.atomic():
                write([pending.row for pending in batch])
        except (IntegrityError, DataError):
            for pending, was_adding in zip(batch, adding, strict=True):
                if was_adding:  # the batch was rolled back: the rows are new again
                    pending.row.pk, pending.row._state.adding = None, True
                self._save(pending, pending.row.save)

    def prefetch_links(self, pendings):
        wanted = {}
        for pending in pendings:
            if pending.row is not None and pending.existing and pending.row.pk is not None:
                for name in pending.many:
                    wanted.setdefault((pending.record.model, name), []).append(pending.row.pk)
        for (model, name), pks in wanted.items():
            self.links.prefetch(model, name, pks)

    def second_pass(self, pending):
        if pending.row is None:
            return pending.outcome
        row, outcome, model = pending.row, pending.outcome, pending.record.model
        links = {}
        try:
            for name, raw in pending.deferred.items():
                value = self.resolver.resolve(model._meta.get_field(name).related_model, raw)
                if getattr(row, name) != value:
                    outcome.changes[name] = [shown(getattr(row, name)), shown(value)]
                    setattr(row, name, value)
                    pending.changed_later.append(name)
            for name, raw in pending.many.items():
                related_model = model._meta.get_field(name).related_model
                links[name] = [self.resolver.resolve(related_model, item) for item in raw]
        except LookupError as error:
            outcome.messages.append(str(error))
            return outcome
        unsaved = [obj for related in links.values() for obj in related if obj.pk is None]
        if unsaved:
            outcome.messages.append(f"{natural_key_text(unsaved[0])!r} could not be saved, so it cannot be linked")
            return outcome
        if pending.deferred:
            try:
                validate_row(
                    row,
                    exclude=[f.name for f in model._meta.fields if f.name not in pending.deferred],
                    resolved=[name for name in pending.deferred if getattr(row, name) is not None],
                )
            except ValidationError as error:
                outcome.messages += validation_messages(error)
                return outcome
        for name, related in links.items():
            change = self.links.change(pending, name, related)
            if change:
                outcome.changes[name] = change
        if pending.changed_later:
            self._queue_update(pending, pending.changed_later)
        pending.linked = True
        return outcome

    def flush_links(self, pendings):
        """Save what the second pass changed: relations to rows further down the file, then links."""
        self.flush()
        writes = [pending for pending in pendings if pending.row is not None and pending.link_writes]
        try:
            with transaction.atomic():
                write_links([write for pending in writes for write in pending.link_writes])
        except (IntegrityError, DataError):
            for pending in writes:
                self._save(pending, lambda pending=pending: write_links(pending.link_writes))

    def settle(self, pending, permitted=None):
        """The row's outcome; ``permitted(action, model)`` says whether the importing user may add or change."""
        outcome = pending.outcome
        if pending.row is None or not pending.linked:
            outcome.action = ERROR
            return outcome
        outcome.action = (UPDATE if outcome.changes else UNCHANGED) if pending.existing else CREATE
        if outcome.action in (CREATE, UPDATE) and permitted is not None:
            action = "add" if outcome.action == CREATE else "change"
            if not permitted(action, pending.record.model):
                outcome.messages.append(f"you lack permission to {action} {outcome.table}")
                outcome.action = ERROR
        return outcome

    def _save(self, pending, save):
        try:
            with transaction.atomic():
                save()
        except (IntegrityError, DataError) as error:
            pending.outcome.messages.append(f"the database refused the row: {error}".strip())
            pending.row = None
            return False
        return True


def write_links(writes):
    """Delete and insert through rows, ``writes`` being ((through, source, target), pairs, through pks).

    The pairs go in as multi-row INSERTs: the ORM's ``bulk_create`` would build a model instance per link.
    """
    removed, added = {}, {}
    for ends, pairs, through_pks in writes:
        removed.setdefault(ends[0], []).extend(through_pks)
        added.setdefault(ends, []).extend(pairs)
    for through, through_pks in removed.items():
        for pks in chunked(through_pks):
            through._default_manager.filter(pk__in=pks).delete()
    quote = connection.ops.quote_name
    for (through, source, target), pairs in added.items():
        insert = f"INSERT INTO {quote(through._meta.db_table)} ({quote(source.column)}, {quote(target.column)}) VALUES "
        with connection.cursor() as cursor:
            for chunk in chunked(pairs, 1000):
                cursor.execute(insert + ", ".join(["(%s, %s)"] * len(chunk)), [pk for pair in chunk for pk in pair])


def duplicate_messages(records):
    """Rows of one table that name the same natural key twice: the second would silently win."""
    seen, messages = {}, {}
    for record in records:
        key = tuple(str(record.fields.get(name)) for name in NATURAL_KEYS[record.model])
        first = seen.setdefault((record.model, key), record.where)
        if first != record.where:
            messages[id(record)] = f"duplicate of {first} (same {', '.join(NATURAL_KEYS[record.model])})"
    return messages


def outcomes_digest(outcomes, *extra):
    """A fingerprint of what an import would do to every row (and of ``extra``): equal only if nothing differs."""
    digest = hashlib.sha256()
    for item in [*(outcome.as_dict() for outcome in outcomes), *extra]:
        digest.update(json.dumps(item, sort_keys=True, default=str).encode())
        digest.update(b"\n")
    return digest.hexdigest()


@dataclass
class ImportResult:
    outcomes: list
    applied: bool


def import_records(records, *, dry_run, permitted=None, keep=None):
    """Validate and save every record in one transaction; keep it only if not a dry run and all succeeded.

    ``permitted(action, model)``: whether the importing user may "add" or "change" rows of a table (None:
    any); a row it refuses is an error. ``keep(outcomes)``, asked last, inside the transaction, whether to
    keep what was written (a confirmed preview: only while the data is what the preview saw).
    """
    duplicates = duplicate_messages(records)
    importer = RowImporter()
    with transaction.atomic():
        importer.prefetch(records)
        pending = []
        for record in records:
            if id(record) in duplicates:
                record.errors.append(duplicates[id(record)])
            pending.append(importer.first_pass(record))
        importer.flush()
        importer.prefetch_links(pending)
        for row in pending:
            importer.second_pass(row)
        importer.flush_links(pending)
        outcomes = [importer.settle(row, permitted) for row in pending]
        failed = any(outcome.action == ERROR for outcome in outcomes)
        applied = not (dry_run or failed) and (keep is None or keep(outcomes))
        if not applied:
            transaction.set_rollback(True)
    return ImportResult(outcomes, applied)
