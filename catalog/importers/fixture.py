"""The bundled fixture format: a JSON or YAML list of ``{model, fields}``, relations by natural key."""

import json

import yaml

from catalog.importers.records import IMPORTABLE, Record


class FormatError(Exception):
    """The file cannot be read at all; nothing in it is imported."""


def decode(data):
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(f"The file is not UTF-8 text (byte {error.start} cannot be decoded).") from error


def yaml_entries(text):
    """(line, entry) pairs, so messages can name the line an entry starts on."""
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return []
        if not isinstance(node, yaml.SequenceNode):
            raise FormatError("A fixture is a list of entries; this YAML document is not a list.")
        return [(item.start_mark.line + 1, loader.construct_object(item, deep=True)) for item in node.value]
    except yaml.YAMLError as error:
        raise FormatError(f"The YAML cannot be parsed: {error}") from error
    finally:
        loader.dispose()


def json_entries(text):
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"The JSON cannot be parsed: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    if not isinstance(entries, list):
        raise FormatError("A fixture is a list of entries; this JSON document is not a list.")
    return [(None, entry) for entry in entries]


def parse_fixture(data, file_name=""):
    text = decode(data)
    stripped = text.lstrip()
    if stripped.startswith("<"):
        raise FormatError("XML fixtures are not accepted: use JSON or YAML.")
    entries = (
        json_entries(text) if stripped.startswith(("[", "{")) or file_name.endswith(".json") else yaml_entries(text)
    )
    records = []
    for index, (line, entry) in enumerate(entries, start=1):
        where = f"line {line}" if line else f"entry {index}"
        if not isinstance(entry, dict) or "model" not in entry:
            raise FormatError(f"{where}: each entry needs a 'model' and its 'fields'.")
        model = IMPORTABLE.get(str(entry["model"]).lower())
        if model is None:
            raise FormatError(
                f"{where}: unknown model {entry['model']!r}; a fixture may hold {', '.join(sorted(IMPORTABLE))}."
            )
        fields = entry.get("fields")
        if not isinstance(fields, dict):
            raise FormatError(f"{where}: 'fields' must be a mapping of field names to values.")
        record = Record(model=model, fields=dict(fields), where=where)
        if "pk" in entry:
            record.notes.append("its 'pk' was ignored: rows are matched by natural key")
        records.append(record)
    return records
