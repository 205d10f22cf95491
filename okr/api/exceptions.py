"""Map the domain's exceptions onto DRF's answers."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from okr.services.common import NotFound


def exception_handler(exc, context):
    """Every 400 is ``{"field": ["message"], "non_field_errors": [...]}``, whatever raised it.

    Services raise Django's ValidationError (and ``NotFound``, a 404); DRF nests the
    errors of a list's items by index (``{"key_results": {"0": [...]}}``): both are
    brought to the one shape the schema declares (``ValidationError`` in
    ``okr/api/schema.py``).
    """
    if isinstance(exc, NotFound):
        exc = exceptions.NotFound(str(exc))
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "error_dict"):
            detail = {
                (
                    api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field
                ): messages
                for field, messages in exc.message_dict.items()
            }
        else:
            detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
        exc = exceptions.ValidationError(detail)
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(exc.detail, dict):
            exc.detail = {field: flat_messages(messages) for field, messages in exc.detail.items()}
        else:
            exc.detail = {api_settings.NON_FIELD_ERRORS_KEY: flat_messages(exc.detail)}
    return drf_exception_handler(exc, context)


def flat_messages(detail) -> list:
    """A field's messages as one list; an item's are prefixed with where it is."""
    if isinstance(detail, dict):
        return [
            f"At index {key}: {message}" if str(key).isdigit() else f"{key}: {message}"
            for key, value in detail.items()
            for message in flat_messages(value)
        ]
    if isinstance(detail, list):
        return [message for item in detail for message in flat_messages(item)]
    return [detail]
