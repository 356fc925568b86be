"""python manage.py import_data --format FORMAT PATH [--table TABLE] [--dry-run]

FORMAT: fixture, csv (with --table), epoch-hardware, epoch-models, litellm.
"""

from pathlib import Path

from django.core.management import BaseCommand, CommandError

from catalog.importers.records import IMPORTABLE
from catalog.importers.service import import_file
from catalog.models.imports import ImportFormat


class Command(BaseCommand):
    help = "Validate a data file and apply it all or nothing; prints what each record would do or did."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)
        parser.add_argument("--format", required=True, choices=ImportFormat.values, dest="fmt")
        parser.add_argument("--table", choices=sorted(IMPORTABLE), help="For CSV: the catalog table it holds.")
        parser.add_argument("--dry-run", action="store_true", help="Report only; write nothing.")

    def handle(self, *args, path, fmt, table, dry_run, **options):
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.") from error
        report = import_file(fmt=fmt, data=data, file_name=path.name, dry_run=dry_run, table=table or "")
        for line in report.lines():
            self.stdout.write(line)
        self.stdout.write(f"Logged as import run {report.run.pk}.")
        if not report.ok:
            raise CommandError("The file was not imported: see the errors above.")
