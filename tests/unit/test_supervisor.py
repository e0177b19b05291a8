"""`fastship dev` restarts what dies and gives up on what keeps dying (launcher.dev.Supervisor)."""

import time
from dataclasses import dataclass

import pytest

from launcher.dev import GaveUp, Supervisor


@dataclass
class Part:
    """A server or process that exits whenever told to, and may refuse to start again."""

    name: str
    code: int | None = None
    refusals: int = 0  # restarts that fail before one succeeds
    restarts: int = 0

    def exit_code(self) -> int | None:
        return self.code

    def restart(self) -> None:
        if self.refusals:
            self.refusals -= 1
            raise OSError("address already in use")
        self.restarts += 1
        self.code = None


class Clock:
    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = 1000.0
        monkeypatch.setattr(time, "monotonic", lambda: self.now)


def test_a_part_that_exits_is_started_again_and_named(capsys: pytest.CaptureFixture[str]) -> None:
    worker, api = Part("worker"), Part("API")
    supervisor = Supervisor([worker, api])
    worker.code = -9

    supervisor.check()

    assert (worker.restarts, api.restarts) == (1, 0)
    out = capsys.readouterr().out
    assert "worker exited with code -9; starting it again" in out
    assert "worker is running again" in out


def test_a_part_that_keeps_dying_makes_it_give_up(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    redis = Part("Redis")
    supervisor = Supervisor([redis])
    for _ in range(Supervisor.MAX_RESTARTS):
        redis.code = 1
        supervisor.check()
        clock.now += 1

    redis.code = 1
    with pytest.raises(
        GaveUp, match="Redis is down \\(exit code 1\\) after 5 restarts within 60 s"
    ):
        supervisor.check()
    assert redis.restarts == Supervisor.MAX_RESTARTS


def test_exits_further_apart_than_the_window_never_add_up(monkeypatch: pytest.MonkeyPatch) -> None:
    clock = Clock(monkeypatch)
    temporal = Part("Temporal server")
    supervisor = Supervisor([temporal])
    for _ in range(3 * Supervisor.MAX_RESTARTS):
        temporal.code = 1
        supervisor.check()
        clock.now += Supervisor.RESTART_WINDOW / (Supervisor.MAX_RESTARTS - 1)

    assert temporal.restarts == 3 * Supervisor.MAX_RESTARTS


def test_a_restart_that_fails_is_said_and_tried_again(capsys: pytest.CaptureFixture[str]) -> None:
    postgres = Part("PostgreSQL", code=1, refusals=1)
    supervisor = Supervisor([postgres])

    supervisor.check()
    assert postgres.restarts == 0
    assert (
        "PostgreSQL did not start: address already in use; trying again" in capsys.readouterr().out
    )

    supervisor.check()
    assert postgres.restarts == 1
    assert postgres.exit_code() is None
