"""`fastship create-operator --name N --email E`: the only way an operator account is made.

The password is asked for twice on a terminal, or read as one line from standard input
(`printf '%s\n' "$PASSWORD" | fastship create-operator …`), never taken as an argument (which
the process list and shell history would show).
"""

import getpass
import sys

from pydantic import ValidationError

from api.errors import Conflict
from api.operators.schemas import OperatorCreate
from api.operators.service import create_operator
from api.security import Passwords
from fastship.database import create_engine, create_session_factory
from fastship.settings import Settings


def _password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        return None
    return password


async def create(settings: Settings, name: str, email: str) -> int:
    """Exit code 0 once stored; 2 for input the signups would refuse, 1 for a taken email."""
    password = _password()
    if password is None:
        print("The two passwords differ; nothing was stored", file=sys.stderr)
        return 2
    try:
        account = OperatorCreate(name=name, email=email, password=password)
    except ValidationError as exc:
        for error in exc.errors():
            field = ".".join(str(part) for part in error["loc"])
            print(f"{field}: {error['msg']}", file=sys.stderr)
        return 2
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session:
            operator = await create_operator(session, Passwords(concurrency=1), account)
    except Conflict as exc:
        print(exc.detail, file=sys.stderr)
        return 1
    finally:
        await engine.dispose()
    print(f"Operator {operator.email} created (id {operator.id}); log in at /api/v1/operator/token")
    return 0
