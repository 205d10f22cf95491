"""The API's JSON parser: DRF's, refusing what would make a view fail later.

- nesting deeper than ``MAX_DEPTH`` (a parser or a serializer that recurses
  would otherwise run out of stack: a 500);
- a NUL character in any key or string (PostgreSQL cannot store it: a 500).

Both are a 400 ``{"detail": …}`` before any view code runs.
"""

from __future__ import annotations

import codecs
import json

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 64


def nesting_depth(text: str) -> int:
    """The deepest nesting of ``[`` and ``{`` in a JSON text, outside strings; iterative."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif character in "]}":
            depth -= 1
    return deepest


def contains_nul(value) -> bool:
    """Whether a NUL hides in any key or string of a parsed JSON value; iterative."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


class SafeJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        parser_context = parser_context or {}
        encoding = parser_context.get("encoding", settings.DEFAULT_CHARSET)
        try:
            text = codecs.getreader(encoding)(stream).read()
        except (UnicodeDecodeError, LookupError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if text.count("[") + text.count("{") > MAX_DEPTH and nesting_depth(text) > MAX_DEPTH:
            raise ParseError(f"JSON nested deeper than {MAX_DEPTH} levels.")
        try:
            data = json.loads(text, parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            raise ParseError(f"JSON parse error - {error}") from None
        if contains_nul(data):
            raise ParseError("A NUL character is not allowed.")
        return data


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")
