"""python manage.py import_data --format FORMAT PATH [--table TABLE] [--dry-run]

FORMAT: fixture, csv (with --table), epoch-hardware, epoch-models, litellm, epoch-benchmarks.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import BaseCommand, CommandError

from catalog.importers.records import IMPORTABLE
from catalog.importers.service import import_file
from catalog.models.imports import ImportFormat


def read_within_limit(path, limit):
    """The file's bytes, refused by its size on disk before it is read; a pipe or device (no size on disk)
    is read only up to the limit."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise CommandError(f"{path} is {size:,} bytes; the limit is {limit:,} (IMPORT_MAX_BYTES).")
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
    if len(data) > limit:
        raise CommandError(f"{path} holds more than {limit:,} bytes, the limit (IMPORT_MAX_BYTES).")
    return data


class Command(BaseCommand):
    help = "Validate a data file and apply it all or nothing; prints what each record would do or did."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", required=True, choices=ImportFormat.values, dest="fmt")
        parser.add_argument("--table", choices=sorted(IMPORTABLE), help="For CSV: the catalog table it holds.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")

    def handle(self, *args, path, fmt, table, dry_run, **options):
        data = read_within_limit(path, settings.IMPORT_MAX_BYTES)
        report = import_file(fmt=fmt, data=data, file_name=path.name, dry_run=dry_run, table=table or "")
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Logged as import run {report.run.pk}.")
        if not report.ok:
            raise CommandError("The file was not imported: see the errors above.")
