"""Reading what an import touches in bulk, by natural key: the rows it may update, the rows it refers to,
and the current many-to-many links of its rows, so that nothing costs a query per row (see engine.py).
"""

import datetime
from decimal import Decimal

from django.core.exceptions import ValidationError

from catalog.importers.records import NATURAL_KEYS

BATCH = 500  # rows per query when reading or writing in bulk


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
