"""The control-character rule of every text field: the schema's pattern (what generated clients
and contract fuzzers read) and the server's check accept exactly the same characters."""

import re
from typing import Annotated

import pytest
from pydantic import TypeAdapter, ValidationError

from api.text import ControlCharacterRule, NoControlCharacters, NoControlCharactersButNewlines

BASIC_PLANE = [chr(code) for code in range(0x10000) if not 0xD800 <= code <= 0xDFFF]


@pytest.mark.parametrize("rule", [NoControlCharacters, NoControlCharactersButNewlines])
def test_the_schema_pattern_and_the_check_refuse_the_same_characters(
    rule: ControlCharacterRule,
) -> None:
    text = TypeAdapter(Annotated[str, rule])
    assert text.json_schema()["pattern"] == rule.pattern
    pattern = re.compile(rule.pattern)

    def accepted(char: str) -> bool:
        try:
            text.validate_python(f"a{char}b")
        except ValidationError:
            return False
        return True

    disagreements = [
        hex(ord(char))
        for char in BASIC_PLANE
        if (pattern.fullmatch(f"a{char}b") is not None) != accepted(char)
    ]
    assert disagreements == []


def test_newlines_pass_only_where_the_rule_allows_them() -> None:
    assert re.fullmatch(NoControlCharactersButNewlines.pattern, "two\nlines\ttabbed\r\n")
    assert not re.fullmatch(NoControlCharacters.pattern, "two\nlines")
    assert not re.fullmatch(NoControlCharactersButNewlines.pattern, "bell\x07")
