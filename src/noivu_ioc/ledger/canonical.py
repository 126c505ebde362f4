"""The one way the ledger writes a payload as text, so that anyone can write it again.

The rule (the text a leaf hashes is exactly this, encoded as UTF-8):

* JSON (RFC 8259) with no whitespace between tokens;
* the members of every object sorted by their names, compared code point by code point;
* strings written as their characters, except ``"`` and ``\\`` (escaped with a backslash)
  and the control characters U+0000 to U+001F (``\\b``, ``\\t``, ``\\n``, ``\\f``, ``\\r``,
  the others as ``\\u00xx`` with lower-case hex digits);
* integers in decimal, without a sign for positive ones, an exponent or leading zeros; no
  other numbers: a value with a fraction is not allowed (the payloads write such values as
  strings, see ``payload``);
* ``true``, ``false`` and ``null`` as they are.

For these values this is the output of Python's
``json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)`` and of
RFC 8785 (the JSON Canonicalization Scheme), so a checker in any language can re-serialise a
payload and compare.
"""

from __future__ import annotations

from typing import Any

import orjson

from noivu_ioc.errors import InvalidInputError

_LARGEST = 2**63 - 1


def _check(value: Any, where: str) -> None:
    if value is None or isinstance(value, (bool, str)):
        return
    if isinstance(value, int):
        if not -_LARGEST - 1 <= value <= _LARGEST:
            raise InvalidInputError(f"{where}: {value} does not fit in 64 bits")
        return
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidInputError(f"{where}: the member name {key!r} is not text")
            _check(item, f"{where}.{key}")
        return
    if isinstance(value, list):
        for n, item in enumerate(value):
            _check(item, f"{where}[{n}]")
        return
    raise InvalidInputError(
        f"{where}: {value!r} ({type(value).__name__}) cannot be written canonically; use text, "
        "a whole number, true, false, null, a list or an object (write fractions as text)"
    )


def canonical_json(value: Any) -> str:
    """``value`` as canonical JSON text (see the module's description)."""
    _check(value, "payload")
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS).decode()
    except orjson.JSONEncodeError as exc:  # a lone surrogate in a string
        raise InvalidInputError(f"payload cannot be written as UTF-8 JSON: {exc}") from None


def canonical_bytes(value: Any) -> bytes:
    return canonical_json(value).encode()


def plain(value: Any) -> Any:
    """A value read back from a JSON column, with every number that has a fraction written
    as text (Python's shortest round-trip form, e.g. ``"2.5"``, ``"1e-05"``), so that it can
    be written canonically."""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value
