"""python manage.py export_data [--format json|yaml|csv] [--table TABLE] [PATH]

JSON and YAML are the bundled fixture format (natural keys, no primary keys), so an export imports back
unchanged. CSV writes one table, in the columns the CSV importer reads, text a spreadsheet would run as a
formula quoted (``catalog.csv_safety``; the importer takes the quote off again).
"""

import csv
import json
import sys
from pathlib import Path

from django.core import serializers
from django.core.management import BaseCommand, CommandError
from django.db.models import JSONField

from catalog.csv_safety import safe_cell
from catalog.importers.csv_table import SEPARATOR, importable_columns
from catalog.importers.records import IMPORTABLE


def csv_value(model_field, obj):
    value = getattr(obj, model_field.name)
    if model_field.many_to_many:
        return SEPARATOR.join(" | ".join(map(str, item.natural_key())) for item in value.all())
    if value is None:
        return ""
    if model_field.is_relation:
        return " | ".join(map(str, value.natural_key()))
    if isinstance(model_field, JSONField):
        return json.dumps(value, ensure_ascii=False)
    return value


def write_csv(model, stream):
    columns = importable_columns(model)
    writer = csv.writer(stream)
    writer.writerow(columns)
    rows = model._default_manager.prefetch_related(*[f.name for f in model._meta.many_to_many])
    for obj in rows.iterator(chunk_size=500):
        writer.writerow([safe_cell(csv_value(model_field, obj)) for model_field in columns.values()])


class Command(BaseCommand):
    help = "Write the catalog out in the bundled fixture format (or one table as CSV)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", type=Path, help="Output file; standard output when left out.")
        parser.add_argument("--format", default="yaml", choices=["json", "yaml", "csv"], dest="fmt")
        parser.add_argument("--table", choices=sorted(IMPORTABLE), help="The table to write as CSV.")

    def handle(self, *args, path, fmt, table, **options):
        if fmt == "csv" and not table:
            raise CommandError("CSV holds one table: add --table.")
        stream = path.open("w", encoding="utf-8", newline="") if path else sys.stdout
        try:
            if fmt == "csv":
                write_csv(IMPORTABLE[table], stream)
            else:
                models = [IMPORTABLE[table]] if table else list(IMPORTABLE.values())
                objects = (obj for model in models for obj in model._default_manager.order_by("pk").iterator())
                serializers.serialize(
                    fmt,
                    objects,
                    stream=stream,
                    use_natural_foreign_keys=True,
                    use_natural_primary_keys=True,
                    **({"allow_unicode": True, "sort_keys": False} if fmt == "yaml" else {"indent": 2}),
                )
        finally:
            if path:
                stream.close()
