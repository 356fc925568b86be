"""The bundled fixture format: a JSON or YAML list of ``{model, fields}``, relations by natural key.

Also the reading every format shares: ``decode`` (UTF-8, no NUL) and ``json_document`` (bounded nesting,
storable text). A file from a person is hostile until read: YAML aliases are refused outright, since a
few hundred bytes of nested aliases expand to gigabytes wherever the value is copied or printed.
"""

import json
import re

import yaml

from catalog.importers.records import IMPORTABLE, MAX_DEPTH, Record, text_problem, value_problem


class FormatError(Exception):
    """The file cannot be read at all; nothing in it is imported."""


def line_at(text, index):
    return text.count("\n", 0, index) + 1


def decode(data):
    """UTF-8 text with no NUL character (which PostgreSQL cannot store, and no text file holds)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise FormatError(f"The file is not UTF-8 text (byte {error.start} cannot be decoded).") from error
    nul = text.find("\x00")
    if nul >= 0:
        raise FormatError(
            f"line {line_at(text, nul)}: the file holds a NUL character (byte 0), which no database text field "
            "can store. Is it a binary or UTF-16 file? Save it as UTF-8 text."
        )
    return text


class ImportLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing aliases, nesting past ``MAX_DEPTH`` and text no database stores."""

    def __init__(self, stream):
        super().__init__(stream)
        self.depth = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        line = event.start_mark.line + 1
        if isinstance(event, yaml.AliasEvent):
            raise FormatError(
                f"line {line}: YAML aliases (*{event.anchor}) are not accepted in an import: a few of them can "
                "expand a small file to gigabytes. Write the value out in full."
            )
        problem = text_problem(event.value) if isinstance(event, yaml.ScalarEvent) else None
        if problem:
            raise FormatError(f"line {line}: the YAML text {problem}.")
        if self.depth >= MAX_DEPTH:
            raise FormatError(f"line {line}: the YAML is nested more than {MAX_DEPTH} levels deep.")
        self.depth += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1


# A \u0000 escape in JSON text: one not itself escaped (preceded by an even number of backslashes).
JSON_NUL = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def json_document(text):
    """Parsed JSON, refused if nested past ``MAX_DEPTH`` or holding text no database stores."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FormatError(
            f"The JSON cannot be parsed: {error.msg} at line {error.lineno}, column {error.colno}."
        ) from error
    except RecursionError as error:
        raise FormatError(f"The JSON is nested too deeply to read (the limit is {MAX_DEPTH} levels).") from error
    problem = value_problem(document)
    if problem and problem.startswith("nested"):
        raise FormatError(f"The JSON is {problem}.")
    if problem:
        nul = JSON_NUL.search(text)
        where = f"line {line_at(text, nul.start())}: " if nul and "NUL" in problem else ""
        raise FormatError(f"{where}the JSON text {problem}.")
    return document


def yaml_entries(text):
    """(line, entry) pairs, so messages can name the line an entry starts on."""
    loader = ImportLoader(text)
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
    entries = json_document(text)
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
