"""``full_clean()`` for imports without its per-row queries (see engine.py).

Django validates a check constraint by asking the database, one query per constraint and row; here a
constraint that is a plain comparison of fields and values is evaluated in Python instead (tests compare
every constraint's verdict with the database's own), and anything else is left to the database when
the row is saved. Resolved relations and natural-key uniqueness are known to the engine already.
"""

import datetime
import math
import operator
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import router
from django.db.models import CheckConstraint, F, Q, UniqueConstraint

from catalog.importers.records import NATURAL_KEYS


class Unknown(Exception):
    """A check constraint that is not a plain comparison of fields and values: the database evaluates it."""


class Skipped(Exception):
    """The constraint names a field left out of validation; Django skips such a constraint as well."""


COMPARISONS = {"exact": operator.eq, "gt": operator.gt, "gte": operator.ge, "lt": operator.lt, "lte": operator.le}


def field_value(row, name, exclude):
    if name in exclude:
        raise Skipped
    if name == "pk":
        return row.pk
    try:
        model_field = row._meta.get_field(name)
    except FieldDoesNotExist as error:
        raise Unknown from error
    if model_field.name != name or not model_field.concrete or model_field.many_to_many:
        raise Unknown
    value = getattr(row, model_field.attname)
    if (isinstance(value, float) and not math.isfinite(value)) or (
        isinstance(value, Decimal) and not value.is_finite()
    ):
        raise Unknown  # NaN and infinity compare differently in SQL
    return value


def comparable(left, right):
    numbers = int | float | Decimal
    if isinstance(left, numbers) and isinstance(right, numbers):
        return True
    # Dates compare alike everywhere; text order depends on the database's collation.
    return type(left) is type(right) is datetime.date


def leaf_holds(row, lookup, rhs, exclude):
    name, _, kind = lookup.partition("__")
    kind = kind or "exact"
    left = field_value(row, name, exclude)
    if kind == "isnull":
        if not isinstance(rhs, bool):
            raise Unknown
        return (left is None) == rhs
    if kind not in COMPARISONS:
        raise Unknown
    if isinstance(rhs, F):
        right = field_value(row, rhs.name, exclude)
    elif hasattr(rhs, "resolve_expression"):
        raise Unknown
    elif rhs is None:
        if kind != "exact":
            raise Unknown
        return left is None  # Django writes "= None" as IS NULL
    else:
        right = rhs
    if left is None or right is None:
        return None  # SQL's unknown
    if kind != "exact" and not comparable(left, right):
        raise Unknown
    return COMPARISONS[kind](left, right)


def condition_holds(row, node, exclude):
    """SQL's three-valued truth (True, False, None for unknown) of a Q of plain comparisons, for one row."""
    if not isinstance(node, Q) or node.connector not in (Q.AND, Q.OR):
        raise Unknown
    results = []
    for child in node.children:
        if isinstance(child, Q):
            results.append(condition_holds(row, child, exclude))
        elif isinstance(child, tuple) and len(child) == 2 and isinstance(child[0], str):
            results.append(leaf_holds(row, *child, exclude))
        else:
            raise Unknown
    decisive = node.connector == Q.OR  # one False settles an AND, one True an OR
    if any(result is decisive for result in results):
        value = decisive
    else:
        value = None if any(result is None for result in results) else not decisive
    return value if value is None or not node.negated else not value


def check_holds(row, constraint, exclude):
    """True or False as the database's check would say (unknown passes, as in SQL); None: ask the database."""
    try:
        return condition_holds(row, constraint.condition, exclude) is not False
    except Skipped:
        return True
    except Unknown:
        return None


def validate_constraints(row, exclude):
    """``row.validate_constraints(exclude)``, with plain check constraints evaluated in Python.

    The unique constraint on the natural key is left out: the engine matched the row by it, and refused a
    file that names one key twice.
    """
    errors = {}
    key = set(NATURAL_KEYS.get(type(row), ()))
    using = router.db_for_write(type(row), instance=row)
    for model, constraints in row.get_constraints():
        for constraint in constraints:
            if isinstance(constraint, UniqueConstraint) and not constraint.condition and set(constraint.fields) == key:
                continue
            try:
                holds = check_holds(row, constraint, exclude) if isinstance(constraint, CheckConstraint) else None
                if holds is False:
                    raise ValidationError(
                        constraint.get_violation_error_message(), code=constraint.violation_error_code
                    )
                if holds is None:
                    constraint.validate(model, row, exclude=exclude, using=using)
            except ValidationError as error:
                if getattr(error, "code", None) == "unique" and len(getattr(constraint, "fields", ())) == 1:
                    errors.setdefault(constraint.fields[0], []).append(error)
                else:
                    errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validate_row(row, *, exclude=(), resolved=()):
    """``row.full_clean(exclude)``, the same checks in the same order, without a query per row.

    ``resolved``: relations the engine looked up itself, so they exist (``clean_fields`` would query to
    make sure). Uniqueness of the natural key and plain check constraints: see ``validate_constraints``.
    """
    exclude, errors = set(exclude), {}
    try:
        row.clean_fields(exclude=exclude | set(resolved))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        row.clean()
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}  # as full_clean: only fields that passed
    try:
        row.validate_unique(exclude=exclude | set(NATURAL_KEYS.get(type(row), ())))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    exclude |= {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        validate_constraints(row, exclude)
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def validation_messages(error):
    if hasattr(error, "error_dict"):
        return [
            f"{'row' if name == NON_FIELD_ERRORS else name}: {message}"
            for name, messages in error.message_dict.items()
            for message in messages
        ]
    return list(error.messages)
