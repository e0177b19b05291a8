"""Validators shared by the request schemas: control characters (NUL, escapes) are refused, and
the JSON Schema says so with a pattern, so generated clients and contract fuzzers agree."""

import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

# JSON Schema (ECMA-262) patterns for text without Unicode's control characters (category Cc:
# U+0000-U+001F, U+007F-U+009F), the second keeping tab, line feed and carriage return.
NO_CONTROL_CHARACTERS = r"^[^\u0000-\u001F\u007F-\u009F]*$"
NO_CONTROL_CHARACTERS_BUT_NEWLINES = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]*$"


@dataclass(frozen=True)
class ControlCharacterRule:
    pattern: str
    allowed: str = ""

    def _check(self, value: str) -> str:
        if any(unicodedata.category(c) == "Cc" and c not in self.allowed for c in value):
            raise ValueError("must not contain control characters")
        return value

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema["pattern"] = self.pattern
        return json_schema


# Every text field of every request carries one of these.
NoControlCharacters = ControlCharacterRule(NO_CONTROL_CHARACTERS)
NoControlCharactersButNewlines = ControlCharacterRule(
    NO_CONTROL_CHARACTERS_BUT_NEWLINES, allowed="\n\r\t"
)
