"""Apply ``Record``s: resolve references, diff against the database, validate, save all or nothing.

The whole file runs inside one transaction even on a dry run, so the preview meets the same database
constraints as the real thing (overlapping price periods, uniqueness); the transaction is then rolled
back when it was a dry run or when any row failed. ``loaddata`` validates nothing; this path runs the
checks of ``full_clean()`` on every row before saving it.

A file at the size limit holds some 80,000 rows and must be previewed inside one web request, so nothing
here costs a query per row: existing rows, referenced rows and current many-to-many links are read in
bulk by natural key; ``full_clean()`` is replaced by ``validate_row``, which skips the three checks that
query (a resolved relation exists, the natural key is unique, check constraints that are plain
comparisons, evaluated in Python instead); rows are written with ``bulk_create`` and ``bulk_update``, and a
batch the database refuses is written again row by row so the report still names the row. Rows of the
price tables are the exception: their ``clean()`` compares a period with the periods saved before it,
earlier rows of the same file included, so they are saved one at a time, as they are validated.
"""

import datetime
import hashlib
import json
import math
import operator
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import DataError, IntegrityError, connection, router, transaction
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

from catalog.importers.records import IMPORTABLE, NATURAL_KEYS, label_of
from catalog.models.pricing import EffectivePeriod

CREATE, UPDATE, UNCHANGED, ERROR = "create", "update", "unchanged", "error"
BATCH = 500  # rows per query when reading or writing in bulk
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


def chunked(items, size=BATCH):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def as_key(raw):
    """A natural key as written (one value or a list) as a tuple, or None when it cannot be one."""
    key = tuple(raw) if isinstance(raw, list | tuple) else (raw,)
    try:
        hash(key)
    except TypeError:
        return None
    return key


def plain_key_field(model):
    """The one plain field a table's rows are known by (slug, URL), or None for composite keys."""
    names = NATURAL_KEYS.get(model, ())
    if len(names) == 1 and not model._meta.get_field(names[0]).is_relation:
        return names[0]
    return None


class ReferenceResolver:
    """Related rows by natural key, remembered for the whole file (and rows created earlier in it)."""

    def __init__(self):
        self.cache = {}

    def prefetch(self, model, raws):
        """Look up many keys of a table known by one plain field in a few queries; others wait for ``resolve``."""
        key_field = plain_key_field(model)
        if key_field is None:
            return
        wanted = set()
        for raw in raws:
            key = as_key(raw)
            if key is not None and len(key) == 1 and isinstance(key[0], str) and (model, key) not in self.cache:
                wanted.add(key[0])
        for values in chunked(wanted):
            for obj in model._default_manager.filter(**{f"{key_field}__in": values}):
                self.remember(obj)
        for value in wanted:
            self.cache.setdefault((model, (value,)), None)

    def resolve(self, model, raw):
        key = as_key(raw)
        if key is None:
            raise LookupError(f"no {model._meta.verbose_name} {raw!r} (a dangling reference)")
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


def key_of(model, values):
    """A row's natural key for matching: related rows by primary key (an unsaved one by identity)."""
    key = []
    for name in NATURAL_KEYS[model]:
        value = values[name]
        if model._meta.get_field(name).is_relation:
            value = value.pk if value.pk is not None else ("unsaved", id(value))
        key.append(value)
    return tuple(key)


class ExistingRows:
    """The rows a file names that are already in the database, read in bulk.

    Each table is read by the first plain field of its natural key (slug, URL, a price's API model id) and
    matched on the whole key in Python, so a composite key costs no more queries than a slug.
    """

    def __init__(self):
        self.rows = {}  # (model, key) -> row
        self.read = set()  # (model, probe value) already read from the database
        self.made_here = {}  # (model, key) -> where in the file the row is created

    @staticmethod
    def probe(model):
        return next(name for name in NATURAL_KEYS[model] if not model._meta.get_field(name).is_relation)

    def prefetch(self, model, records):
        probe = self.probe(model)
        probe_field = model._meta.get_field(probe)
        wanted = set()
        for record in records:
            raw = record.fields.get(probe, probe_field.get_default() if probe_field.has_default() else None)
            try:
                value = probe_field.to_python(raw)
                hash(value)
            except (ValidationError, TypeError, ValueError):
                continue
            if value not in (None, "") and (model, value) not in self.read:
                wanted.add(value)
        related = [f.name for f in model._meta.concrete_fields if f.is_relation]
        rows = model._default_manager.select_related(*related)  # before-values of relations without a query
        for values in chunked(wanted):
            for row in rows.filter(**{f"{probe}__in": values}):
                self.rows[model, key_of(model, {name: getattr(row, name) for name in NATURAL_KEYS[model]})] = row
        self.read |= {(model, value) for value in wanted}

    def get(self, model, values):
        key = key_of(model, values)
        if (model, key) in self.made_here:
            raise LookupError(f"duplicate of {self.made_here[model, key]} (same {', '.join(NATURAL_KEYS[model])})")
        if (model, key) in self.rows:
            return self.rows[model, key]
        if (model, values[self.probe(model)]) in self.read or any(
            isinstance(part, tuple) and part[:1] == ("unsaved",) for part in key
        ):
            return None
        return model._default_manager.filter(**{name: values[name] for name in NATURAL_KEYS[model]}).first()

    def made(self, model, values, where):
        """A row this file creates: a later record with the same key (written differently) is a duplicate."""
        self.made_here[model, key_of(model, values)] = where


class Unknown(Exception):
    """A check constraint that is not a plain comparison of fields and values: the database evaluates it."""


class Skipped(Exception):
    """The constraint names a field left out of validation; Django skips such a constraint as well."""


COMPARISONS = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def field_value(row, name, exclude):
    if name in exclude:
        raise Skipped
    if name == "pk":
        return row.pk
    try:
        model_field = row._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise Unknown from error
    if model_field.name != name or not model_field.concrete or model_field.many_to_many:
        raise Unknown
    value = getattr(row, model_field.attname)
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        raise Unknown  # NaN and infinity compare differently in SQL
    return value


def comparable(left, right):
    numbers = int | float | Decimal
    if isinstance(left, numbers) and isinstance(right, numbers):
        return True
    # Dates compare alike everywhere; text order depends on the database's collation.
    return type(left) is type(right) is datetime.date


def leaf_holds(row, lookup, rhs, exclude):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    left = field_value(row, name, exclude)
    if kind == "isnull":
        if not isinstance(rhs, bool):
            raise Unknown
        return (left is None) == rhs
    if kind not in COMPARISONS:
        raise Unknown
    if isinstance(rhs, F):
        right = field_value(row, rhs.name, exclude)
    elif hasattr(rhs, "resolve_expression"):
        raise Unknown
    elif rhs is None:
        if kind != "exact":
            raise Unknown
        return left is None  # Django writes "= None" as IS NULL
    else:
        right = rhs
    if left is None or right is None:
        return None  # SQL's unknown
    if kind != "exact" and not comparable(left, right):
        raise Unknown
    return COMPARISONS[kind](left, right)


def condition_holds(row, node, exclude):
    """SQL's three-valued truth (True, False, None for unknown) of a Q of plain comparisons, for one row."""
    if not isinstance(node, Q) or node.connector not in (Q.AND, Q.OR):
        raise Unknown
    results = []
    for child in node.children:
        if isinstance(child, Q):
            results.append(condition_holds(row, child, exclude))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            results.append(leaf_holds(row, *child, exclude))
        else:
            raise Unknown
    decisive = node.connector == Q.OR  # one False settles an AND, one True an OR
    if any(result is decisive for result in results):
        value = decisive
    else:
        value = None if any(result is None for result in results) else not decisive
    return value if value is None or not node.negated else not value


def check_holds(row, constraint, exclude):
    """True or False as the database's check would say (unknown passes, as in SQL); None: ask the database."""
    try:
        return condition_holds(row, constraint.condition, exclude) is not False
    except Skipped:
        return True
    except Unknown:
        return None


def validate_constraints(row, exclude):
    """``row.validate_constraints(exclude)``, with plain check constraints evaluated in Python.

    The unique constraint on the natural key is left out: the engine matched the row by it, and refused a
    file that names one key twice.
    """
    errors = {}
    key = set(NATURAL_KEYS.get(type(row), ()))
    using = router.db_for_write(type(row), instance=row)
    for model, constraints in row.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, UniqueConstraint) and not constraint.condition and set(constraint.fields) == key:
                continue
            try:
                holds = check_holds(row, constraint, exclude) if isinstance(constraint, CheckConstraint) else None
                if holds is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(), code=constraint.violation_error_code
                    )
                if holds is None:
                    constraint.validate(model, row, exclude=exclude, using=using)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate_row(row, *, exclude=(), resolved=()):
    """``row.full_clean(exclude)``, the same checks in the same order, without a query per row.

    ``resolved``: relations the engine looked up itself, so they exist (``clean_fields`` would query to
    make sure). Uniqueness of the natural key and plain check constraints: see ``validate_constraints``.
    """
    exclude, errors = set(exclude), {}
    try:
        row.clean_fields(exclude=exclude | set(resolved))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        row.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}  # as full_clean: only fields that passed
    try:
        row.validate_unique(exclude=exclude | set(NATURAL_KEYS.get(type(row), ())))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        validate_constraints(row, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validation_messages(error):
    if hasattr(error, "error_dict"):
        return [
            f"{'row' if name == NON_FIELD_ERRORS else name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)


def saved_one_by_one(model):
    return issubclass(model, EffectivePeriod)


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


class Links:
    """The current many-to-many links of the rows in the file: read in bulk, kept up to date in memory."""

    def __init__(self):
        self.current = {}  # (model, name) -> {row pk: {related pk: through pk, or None when made by this file}}
        self.objects = {}  # (related model, pk) -> the related row, to show links as natural keys

    @staticmethod
    def ends(model_field):
        """The through table, and its two columns' fields: to the row, and to the row it links."""
        through = model_field.remote_field.through
        return (
            through,
            through._meta.get_field(model_field.m2m_field_name()),
            through._meta.get_field(model_field.m2m_reverse_field_name()),
        )

    def prefetch(self, model, name, pks):
        model_field = model._meta.get_field(name)
        through, source, target = self.ends(model_field)
        source, target = source.attname, target.attname
        links = self.current.setdefault((model, name), {})
        related = set()
        for values in chunked(pks):
            rows = through._default_manager.filter(**{f"{source}__in": values}).values_list("pk", source, target)
            for through_pk, source_pk, target_pk in rows:
                links.setdefault(source_pk, {})[target_pk] = through_pk
                related.add(target_pk)
        related_model = model_field.related_model
        missing = [pk for pk in related if (related_model, pk) not in self.objects]
        for values in chunked(missing):
            for pk, obj in related_model._default_manager.in_bulk(values).items():
                self.objects[related_model, pk] = obj

    def of(self, model, name, pk):
        return self.current.setdefault((model, name), {}).setdefault(pk, {})

    def change(self, pending, name, after):
        """Record the links of one row as the file gives them; return (before, after) shown, or None if equal."""
        row, model = pending.row, pending.record.model
        model_field = model._meta.get_field(name)
        related_model = model_field.related_model
        before = self.of(model, name, row.pk)
        wanted = {obj.pk: obj for obj in after}
        for obj in [*after, row] if related_model is model else after:
            self.objects[related_model, obj.pk] = obj
        if model_field.remote_field.symmetrical:
            # A symmetric link (related terms) is one fact seen from both rows; a file may list it on one
            # side only, so links are added, never removed, or each row would undo the other.
            wanted.update({pk: self.objects[related_model, pk] for pk in before})
        if set(wanted) == set(before):
            return None
        shown_before = sorted(shown(self.objects[related_model, pk]) for pk in before)
        added = [pk for pk in wanted if pk not in before]
        removed = [through_pk for pk, through_pk in before.items() if pk not in wanted and through_pk is not None]
        pairs = [(row.pk, pk) for pk in added]
        if model_field.remote_field.symmetrical:
            pairs += [(pk, row.pk) for pk in added if pk != row.pk]
            for pk in added:
                self.of(model, name, pk)[row.pk] = None
        pending.link_writes.append((self.ends(model_field), pairs, removed))
        self.current[model, name][row.pk] = {pk: before.get(pk) for pk in wanted}
        return [shown_before, sorted(shown(obj) for obj in wanted.values())]


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
