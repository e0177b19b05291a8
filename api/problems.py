"""The problem catalog: each problem's `type` URI opens its entry here."""

from fastapi import APIRouter
from pydantic import BaseModel

from api.errors import NOT_FOUND_RESPONSES, PROBLEM_KINDS, PROBLEM_TYPES_PATH, NotFound, ProblemKind

router = APIRouter(prefix=PROBLEM_TYPES_PATH.removeprefix("/api/v1"), tags=["problems"])


class ProblemKindRead(BaseModel):
    code: str
    status: int
    description: str


def _read(kind: ProblemKind) -> ProblemKindRead:
    return ProblemKindRead(code=kind.code, status=kind.status, description=kind.description)


@router.get("", summary="Every kind of problem the API answers with, by its stable code")
async def list_problem_kinds() -> list[ProblemKindRead]:
    return [_read(kind) for kind in sorted(PROBLEM_KINDS.values(), key=lambda k: k.code)]


@router.get(
    "/{code}",
    summary="One kind of problem: what its `type` URI documents",
    responses=NOT_FOUND_RESPONSES,
)
async def get_problem_kind(code: str) -> ProblemKindRead:
    kind = PROBLEM_KINDS.get(code)
    if kind is None:
        raise NotFound(f"No kind of problem has the code {code!r}")
    return _read(kind)
