"""Checks on the fixture files themselves, before anything is loaded: they must be portable and unambiguous."""

from collections import defaultdict
from pathlib import Path

import yaml
from django.conf import settings

FIXTURE_FILES = sorted(Path(settings.FIXTURE_DIRS[0]).glob("*.yaml"))


def fixture_rows():
    for path in FIXTURE_FILES:
        for index, row in enumerate(yaml.safe_load(path.read_text(encoding="utf-8")) or []):
            yield path.name, index, row


def natural_key_of(row):
    fields = row["fields"]
    if row["model"] == "catalog.source":
        return fields["url"]
    if row["model"] == "catalog.pricepoint":
        return (
            fields["provider"][0],
            fields["api_model_id"],
            fields.get("context_tier", "standard"),
            str(fields["effective_from"]),
        )
    if row["model"] == "catalog.cloudprice":
        return (
            fields["provider"][0],
            fields["instance_type"],
            fields["region"],
            fields.get("pricing_kind", "on-demand"),
            str(fields["effective_from"]),
        )
    return fields["slug"]


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
