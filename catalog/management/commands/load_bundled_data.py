"""Load every bundled fixture in one transaction: the curated files, then the outside-data layer. Safe to run again.

Rows are matched by natural key (slugs, source URLs), so a second run updates rows instead of
duplicating them. ``loaddata`` validates nothing: tests/test_data.py runs ``full_clean()`` on all of it.

The outside-data layer (``fixtures/outside/``, written by ``bundle_outside_data``) loads second, and a row
of it whose natural key names a curated row is skipped: curated rows always win, even when a curator adds
a row the layer was generated without.
"""

from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.core.management import BaseCommand, call_command
from django.db import transaction

FIXTURE_SUFFIXES = {".yaml", ".yml", ".json"}
OUTSIDE_FOLDER = "outside"


def fixture_paths(folder):
    return sorted((path for path in Path(folder).iterdir() if path.suffix in FIXTURE_SUFFIXES), key=lambda p: p.name)


def bundled_fixture_paths():
    """The curated files, in file-name order."""
    return [path for folder in settings.FIXTURE_DIRS for path in fixture_paths(folder)]


def outside_layer_paths():
    folders = [Path(folder) / OUTSIDE_FOLDER for folder in settings.FIXTURE_DIRS]
    return [path for folder in folders if folder.is_dir() for path in fixture_paths(folder)]


def load_outside_layer(paths):
    """Save each row of the layer unless a curated row (``origin`` empty) has its natural key. Returns
    (saved, skipped)."""
    saved = skipped = 0
    curated = {}  # model -> primary keys of its curated rows, read once per table
    for path in paths:
        with path.open(encoding="utf-8") as stream:
            for item in serializers.deserialize("json", stream, handle_forward_references=False):
                row = item.object
                model = type(row)
                if model not in curated:
                    has_origin = any(field.name == "origin" for field in model._meta.fields)
                    rows = model.objects.filter(origin="") if has_origin else model.objects.none()
                    curated[model] = set(rows.values_list("pk", flat=True))
                if row.pk in curated[model]:
                    skipped += 1
                    continue
                item.save()
                saved += 1
    return saved, skipped


class Command(BaseCommand):
    help = "Load the bundled data: fixtures/ (curated), then fixtures/outside/ (idempotent, by natural key)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--curated-only", action="store_true", help="Leave out the outside-data layer (to rebuild it)."
        )

    def handle(self, *args, **options):
        with transaction.atomic():  # a broken file loads nothing
            call_command("loaddata", *[str(path) for path in bundled_fixture_paths()], verbosity=options["verbosity"])
            if options["curated_only"]:
                return
            saved, skipped = load_outside_layer(outside_layer_paths())
        if options["verbosity"]:
            self.stdout.write(f"Outside-data layer: {saved} rows loaded, {skipped} left to their curated rows.")
