"""Turning database refusals into client errors, so bad input is a 4xx with a message and never a 500."""

from django.db import DataError, IntegrityError, transaction
from django.db.models import ProtectedError, RestrictedError
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def exception_handler(exc, context):
    if isinstance(exc, ProtectedError | RestrictedError):
        referrers = sorted({str(obj) for obj in exc.args[1]})[:5]
        exc = Conflict(f"Other rows still refer to this one: {', '.join(referrers)}.")
    return drf_exception_handler(exc, context)


def save_atomically(save, **kwargs):
    """Run ``save`` in a savepoint; a constraint the serializer could not foresee (a race) becomes a 400."""
    try:
        with transaction.atomic():
            return save(**kwargs)
    except (IntegrityError, DataError) as error:
        raise exceptions.ValidationError({"non_field_errors": [f"The database refused this row: {error}"]}) from error
