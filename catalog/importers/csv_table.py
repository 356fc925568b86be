"""CSV for one catalog table: a header of field names, relations by natural key, several joined by ' | '.

It reads back what ``export_data --format csv`` writes, including the quote that export puts before text a
spreadsheet would run as a formula (see ``catalog.csv_safety``).
"""

import csv
import io
import json

from django.db.models import JSONField

from catalog.csv_safety import unquoted_cell
from catalog.importers.fixture import FormatError, decode
from catalog.importers.records import NATURAL_KEYS, Record

SEPARATOR = " | "


def importable_columns(model):
    return {
        field.name: field
        for field in [*model._meta.concrete_fields, *model._meta.many_to_many]
        if not field.primary_key and not field.auto_created
    }


def cell(model_field, raw):
    """A CSV cell as the engine expects the value: None for an empty nullable cell, lists for relations.

    JSON columns (aliases) hold JSON text; a cell that is not JSON (or nested too deeply to read) raises
    ValueError.
    """
    raw = unquoted_cell(raw.strip())
    if isinstance(model_field, JSONField):
        try:
            return json.loads(raw) if raw else model_field.get_default()
        except RecursionError as error:
            raise ValueError("nested too deeply") from error
    if model_field.many_to_many:
        return [part.strip() for part in raw.split(SEPARATOR.strip()) if part.strip()]
    if raw == "":
        return None if model_field.null or model_field.is_relation else ""
    return raw


def parse_csv(data, model):
    text = decode(data)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames or []
    except csv.Error as error:
        raise FormatError(f"The CSV cannot be parsed: {error}") from error
    if not header:
        raise FormatError("The CSV is empty: the first line must name the columns.")
    columns = importable_columns(model)
    unknown = [name for name in header if name not in columns]
    if unknown:
        raise FormatError(
            f"Unknown column(s) for {model._meta.verbose_name}: {', '.join(unknown)}. Known: {', '.join(columns)}."
        )
    missing = [name for name in NATURAL_KEYS[model] if name not in header]
    if missing:
        raise FormatError(f"Missing column(s) that identify a row: {', '.join(missing)}.")
    records = []
    try:
        for row in reader:
            line = reader.line_num
            if None in row:
                raise FormatError(f"line {line}: more cells than columns.")
            record = Record(model=model, fields={}, where=f"line {line}")
            for name, value in row.items():
                try:
                    record.fields[name] = cell(columns[name], value or "")
                except ValueError:
                    record.errors.append(f'{name}: not valid JSON (write a list as ["a", "b"])')
            records.append(record)
    except csv.Error as error:
        raise FormatError(f"The CSV cannot be parsed at line {reader.line_num}: {error}") from error
    return records
