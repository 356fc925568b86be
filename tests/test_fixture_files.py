"""Checks on the fixture files themselves, before anything is loaded: they must be portable and unambiguous."""

from collections import defaultdict
from pathlib import Path

import yaml
from django.apps import apps
from django.conf import settings
from django.db.models import UniqueConstraint

FIXTURE_FILES = sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.yaml"))


def fixture_rows():
    for path in FIXTURE_FILES:
        for index, row in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            yield path.name, index, row


def key_fields(model):
    """The fields that identify a row, read from the model: its first unique constraint, else its unique field."""
    for constraint in model._meta.constraints:
        if isinstance(constraint, UniqueConstraint):
            return constraint.fields
    return [field.name for field in model._meta.fields if field.unique and not field.primary_key][:1]


def natural_key_of(row):
    model = apps.get_model(row["model"])
    key = []
    for name in key_fields(model):
        value = row["fields"].get(name, model._meta.get_field(name).get_default())
        key.append(tuple(value) if isinstance(value, list) else str(value))
    return tuple(key)


class TestFixtureFiles:
    def test_there_are_bundled_fixtures(self):
        assert len(FIXTURE_FILES) >= 5

    def test_rows_use_natural_keys_not_primary_keys(self):
        with_pk = [f"{name} row {index}" for name, index, row in fixture_rows() if "pk" in row]
        assert with_pk == []

    def test_no_natural_key_is_defined_twice(self):
        # loaddata would silently let the second definition overwrite the first.
        places = defaultdict(list)
        for name, index, row in fixture_rows():
            places[(row["model"], natural_key_of(row))].append(f"{name} row {index}")
        duplicates = {key: where for key, where in places.items() if len(where) > 1}
        assert duplicates == {}
