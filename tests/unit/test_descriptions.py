"""The web app translates the timeline descriptions the system writes: it must know each one."""

from pathlib import Path

import pytest

from models import descriptions

WEB_APP_DESCRIPTIONS = Path(__file__).parents[2] / "frontend" / "src" / "lib" / "descriptions.ts"


@pytest.mark.parametrize(
    "written",
    [
        descriptions.PLACED,
        descriptions.ASSIGNED_PREFIX,
        descriptions.NO_PARTNER,
        descriptions.CANCELLED_BY_SELLER,
    ],
)
def test_the_web_app_knows_each_description_the_system_writes(written: str) -> None:
    assert f'"{written}"' in WEB_APP_DESCRIPTIONS.read_text()
