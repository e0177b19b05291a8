"""Validators shared by the request schemas: control characters (NUL, escapes) are refused."""

import unicodedata

from pydantic import AfterValidator


def _refuse_control_characters(value: str, allowed: str = "") -> str:
    if any(unicodedata.category(char) == "Cc" and char not in allowed for char in value):
        raise ValueError("must not contain control characters")
    return value


def _refuse_control_characters_but_newlines(value: str) -> str:
    return _refuse_control_characters(value, allowed="\n\r\t")


# Every text field of every request carries one of these.
NoControlCharacters = AfterValidator(_refuse_control_characters)
NoControlCharactersButNewlines = AfterValidator(_refuse_control_characters_but_newlines)
