"""Load every bundled fixture, in file-name order, in one transaction. Safe to run again.

Rows are matched by natural key (slugs, source URLs), so a second run updates rows instead of
duplicating them. ``loaddata`` validates nothing: tests/test_data.py runs ``full_clean()`` on all of it.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, call_command

FIXTURE_SUFFIXES = {".yaml", ".yml", ".json"}


def bundled_fixture_paths():
    paths = []
    for folder in settings.FIXTURE_DIRS:
        paths += [path for path in Path(folder).iterdir() if path.suffix in FIXTURE_SUFFIXES]
    return sorted(paths, key=lambda path: path.name)


class Command(BaseCommand):
    help = "Load the bundled data in fixtures/ (idempotent: rows are matched by natural key)."

    def handle(self, *args, **options):
        paths = bundled_fixture_paths()
        # One loaddata call is one transaction: a broken file loads nothing.
        call_command("loaddata", *[str(path) for path in paths], verbosity=options["verbosity"])
