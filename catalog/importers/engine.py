"""Apply ``Record``s: resolve references, diff against the database, validate, save all or nothing.

The whole file runs inside one transaction even on a dry run, so the preview meets the same database
constraints as the real thing (overlapping price periods, uniqueness); the transaction is then rolled
back when it was a dry run or when any row failed. ``loaddata`` validates nothing; this path runs
``full_clean()`` on every row before saving it.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, transaction

from catalog.importers.records import NATURAL_KEYS, label_of

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"


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


def natural_key_text(obj):
    return " | ".join(str(part) for part in obj.natural_key())


def shown(value):
    """A value as the report prints it."""
    if value is None:
        return None
    if hasattr(value, "natural_key"):
        return natural_key_text(value)
    if isinstance(value, datetime.date | Decimal):
        return str(value)
    return value


class ReferenceResolver:
    """Related rows by natural key, remembered for the whole file (and rows created earlier in it)."""

    def __init__(self):
        self.cache = {}

    def resolve(self, model, raw):
        key = tuple(raw) if isinstance(raw, list | tuple) else (raw,)
        if (model, key) not in self.cache:
            try:
                self.cache[model, key] = model._default_manager.get_by_natural_key(*key)
            except (model.DoesNotExist, TypeError, ValueError, ValidationError):
                self.cache[model, key] = None
        found = self.cache[model, key]
        if found is None:
            raise LookupError(f"no {model._meta.verbose_name} {' | '.join(map(str, key))!r} (a dangling reference)")
        return found

    def remember(self, obj):
        self.cache[type(obj), tuple(obj.natural_key())] = obj


def validation_messages(error):
    if hasattr(error, "error_dict"):
        return [
            f"{'row' if name == NON_FIELD_ERRORS else name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


class PendingRow:
    """A record between the two passes: its row saved (or refused), its links still to make."""

    def __init__(self, record, outcome):
        self.record = record
        self.outcome = outcome
        self.row = None
        self.existing = False
        self.deferred = {}  # relation name -> raw natural key, resolved after every row is saved
        self.many = {}  # many-to-many name -> raw natural keys


class RowImporter:
    """Two passes, so a row may refer to one further down the file (a parent, a base model, a related term).

    First every row is validated and saved with the relations that already resolve; then the remaining
    relations and all many-to-many links are made, and each row's outcome is settled.
    """

    def __init__(self, resolver):
        self.resolver = resolver

    def first_pass(self, record):
        model = record.model
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

        existing = model._default_manager.filter(**{name: values[name] for name in key_fields}).first()
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
        try:
            row.full_clean(exclude=list(pending.deferred))
        except ValidationError as error:
            errors += validation_messages(error)
        if errors:
            pending.outcome.messages += errors
            return pending
        pending.row, pending.existing = row, existing is not None
        if not existing or pending.outcome.changes:
            self._save(pending, row.save)
        self.resolver.remember(row)
        return pending

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
            for name, raw in pending.many.items():
                related_model = model._meta.get_field(name).related_model
                links[name] = [self.resolver.resolve(related_model, item) for item in raw]
        except LookupError as error:
            outcome.messages.append(str(error))
            return outcome
        if pending.deferred:
            try:
                row.full_clean(exclude=[f.name for f in model._meta.fields if f.name not in pending.deferred])
            except ValidationError as error:
                outcome.messages += validation_messages(error)
                return outcome
        for name, related in list(links.items()):
            before = set(getattr(row, name).all())
            after = set(related)
            if model._meta.get_field(name).remote_field.symmetrical:
                # A symmetric link (related terms) is one fact seen from both rows; a file may list it on
                # one side only, so links are added, never removed, or each row would undo the other.
                after |= before
                links[name] = sorted(after, key=lambda obj: obj.pk)
            if after != before:
                outcome.changes[name] = [sorted(map(shown, before)), sorted(map(shown, after))]

        def save_links():
            if pending.deferred:
                row.save()
            for name, related in links.items():
                getattr(row, name).set(related)

        if outcome.changes and not self._save(pending, save_links):
            return outcome
        outcome.action = (UPDATE if outcome.changes else UNCHANGED) if pending.existing else CREATE
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


def duplicate_messages(records):
    """Rows of one table that name the same natural key twice: the second would silently win."""
    seen, messages = {}, {}
    for record in records:
        key = tuple(str(record.fields.get(name)) for name in NATURAL_KEYS[record.model])
        first = seen.setdefault((record.model, key), record.where)
        if first != record.where:
            messages[id(record)] = f"duplicate of {first} (same {', '.join(NATURAL_KEYS[record.model])})"
    return messages


def import_records(records, *, dry_run):
    """Validate and save every record in one transaction; keep it only if not a dry run and all succeeded."""
    duplicates = duplicate_messages(records)
    importer = RowImporter(ReferenceResolver())
    with transaction.atomic():
        pending = []
        for record in records:
            if id(record) in duplicates:
                record.errors.append(duplicates[id(record)])
            pending.append(importer.first_pass(record))
        outcomes = [importer.second_pass(row) for row in pending]
        failed = any(outcome.action == ERROR for outcome in outcomes)
        if dry_run or failed:
            transaction.set_rollback(True)
    return outcomes, not (dry_run or failed)
