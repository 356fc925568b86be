"""What a format hands the engine: rows as plain values, related rows by natural key.

Whatever a format read is checked here (``check_shapes``, called by ``service.parse``) before the engine sees it: a
plain field takes one value, a relation a natural key, many-to-many a list of them; text holds nothing
a database refuses (PostgreSQL stores no NUL character, UTF-8 no unpaired surrogate).
"""

import datetime
import math
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import FieldDoesNotExist
from django.db.models import JSONField

from catalog.models import (
    Application,
    CloudPrice,
    Concept,
    Evaluation,
    EvaluationScore,
    FoundationModel,
    Hardware,
    Organization,
    PriceCheck,
    PricePoint,
    Source,
    TrainingRun,
)

# The tables an import may write, parents first, by the label fixtures use.
IMPORTABLE = {
    "catalog.source": Source,
    "catalog.organization": Organization,
    "catalog.hardware": Hardware,
    "catalog.foundationmodel": FoundationModel,
    "catalog.trainingrun": TrainingRun,
    "catalog.pricepoint": PricePoint,
    "catalog.pricecheck": PriceCheck,
    "catalog.cloudprice": CloudPrice,
    "catalog.application": Application,
    "catalog.concept": Concept,
    "catalog.evaluation": Evaluation,
    "catalog.evaluationscore": EvaluationScore,
}

# The fields that identify a row across databases (its natural key); a relation in a key is written as
# the related row's own natural key.
NATURAL_KEYS = {
    Source: ("url",),
    Organization: ("slug",),
    Hardware: ("slug",),
    FoundationModel: ("slug",),
    TrainingRun: ("slug",),
    Application: ("slug",),
    Concept: ("slug",),
    PricePoint: ("provider", "api_model_id", "context_tier", "effective_from"),
    PriceCheck: ("price", "checked_on", "source"),
    CloudPrice: ("provider", "instance_type", "region", "pricing_kind", "effective_from"),
    Evaluation: ("slug",),
    # In the order of EvaluationScore.natural_key(), so a report's key reads like the row's natural key.
    EvaluationScore: ("model", "evaluation", "variant", "setting", "evaluator", "measured_on"),
}


def label_of(model):
    return f"{model._meta.app_label}.{model._meta.model_name}"


@dataclass
class Record:
    """One row of a file: ``fields`` as written (a relation as a natural-key list, many as a list of them)."""

    model: type
    fields: dict
    where: str  # "line 12", "row 3", "entry 'gpt-4o'": how a person finds it in the file
    errors: list = field(default_factory=list)  # problems found while reading the file
    notes: list = field(default_factory=list)  # remarks for the report that are not errors


@dataclass
class ParsedFile:
    """What a format read: records for the engine, and entries it could not place, kept for review."""

    records: list
    unmatched: list = field(default_factory=list)  # UnmatchedOffering field values, saved when applied


# How deep a file may nest its values. The bundled fixtures need five levels (the list, an entry, its
# fields, a list of sources, a source's key) and LiteLLM's price map five; past a few hundred, parsers
# and serializers recurse into a RecursionError.
MAX_DEPTH = 32
MAX_KEY_PARTS = 5  # the longest natural key (a cloud price's) has five parts

SINGLE_VALUES = (str, int, float, Decimal, datetime.date, datetime.time)  # bool is an int; None is allowed


def text_problem(text):
    """Why a database cannot store this text, or None."""
    if "\x00" in text:
        return "holds a NUL character (\\u0000), which no database text field can store"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "holds an unpaired surrogate (\\ud800 to \\udfff), which is not text"
    return None


def kind_of(value):
    if isinstance(value, list | tuple):
        return "a list of lists" if any(isinstance(item, list | tuple | dict) for item in value) else "a list"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, bytes):
        return "bytes"
    return f"a {'date' if isinstance(value, datetime.date) else type(value).__name__}"


def value_problem(value, *, json_only=False):
    """The first thing in a (nested) value that cannot be stored: deep nesting, bad text, non-JSON values.

    Iterative, so a value nested deeper than the recursion limit is measured, not a RecursionError.
    """
    stack = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            return f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return problem
        elif isinstance(item, dict):
            stack += [(part, depth + 1) for pair in item.items() for part in pair]
        elif isinstance(item, list | tuple):
            stack += [(part, depth + 1) for part in item]
        elif json_only and not (item is None or isinstance(item, int | float)):
            return f"holds {kind_of(item)}, which is not a JSON value"
    return None


def not_finite(value):
    if isinstance(value, Decimal):
        return not value.is_finite()
    return isinstance(value, float) and not math.isfinite(value)


def is_single(value):
    return value is None or isinstance(value, SINGLE_VALUES)


def key_problem(value):
    parts = value if isinstance(value, list | tuple) else [value]
    if len(parts) > MAX_KEY_PARTS or not all(is_single(part) for part in parts):
        return f"expected a natural key (a value or a short list of values), got {kind_of(value)}"
    return None


def field_problem(model_field, value):
    """Why ``value`` cannot go into ``model_field``, or None (the engine validates the value itself)."""
    if model_field.many_to_many:
        if value is not None and not isinstance(value, list | tuple):
            return f"expected a list of natural keys, got {kind_of(value)}"
        problem = next(filter(None, map(key_problem, value or [])), None)
    elif model_field.is_relation:
        problem = key_problem(value)
    elif isinstance(model_field, JSONField):
        problem = value_problem(value, json_only=True)
    elif not is_single(value):
        problem = f"expected a single value, got {kind_of(value)}"
    elif not_finite(value):
        problem = "NaN or infinity is not a number the catalog stores"
    else:
        problem = None
    return problem or value_problem(value)


def check_shapes(records):
    """Refuse, as row errors, values no field of their kind takes; the refused value is dropped from the row.

    Dropped, not passed on: the engine would quote it back in a validation message (a NUL the log cannot
    store) or turn a list into its text.
    """
    for record in records:
        for name, value in list(record.fields.items()):
            label, problem = name, text_problem(name) if isinstance(name, str) else None
            if problem:
                label = "a field name"
            else:
                try:
                    model_field = record.model._meta.get_field(name)
                except (FieldDoesNotExist, TypeError):
                    continue  # the engine names an unknown field
                problem = field_problem(model_field, value)
            if problem:
                del record.fields[name]
                record.errors.append(f"{label}: {problem}")
    return records
