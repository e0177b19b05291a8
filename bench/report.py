"""Plain-text tables of the figures."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bench.load import Sample

MAX_RATE_DROP = 0.10  # a seeded database may slow a maximum rate by at most this much
SENDER_LAG_NOTED = 0.1  # seconds; beyond this the paced figures measure the bench as well


def say(text: str) -> None:
    print(text, flush=True)  # noqa: T201 - the bench reports to the person at the terminal


@dataclass(frozen=True)
class Row:
    name: str
    sample: Sample | None  # None: not measured, `note` says why
    target: str = ""
    passed: bool | None = None
    note: str = ""
    max_rate: bool = False  # compared between the empty and the seeded database

    @property
    def notes(self) -> str:
        if self.sample is None:
            return self.note
        notes = [f"{label} x{n}" for label, n in self.sample.failures.most_common()]
        if self.sample.sender_lag > SENDER_LAG_NOTED:
            lag = self.sample.sender_lag
            notes.append(f"the bench fell {lag:.1f} s behind its schedule: latencies include it")
        return ", ".join(notes)


def progress(row: Row) -> Row:
    """Prints a measurement as soon as it is taken."""
    sample = row.sample
    if sample is not None:
        p99 = _ms(sample.percentile(0.99))
        say(f"  {row.name}: {sample.rate:.1f}/s, p99 {p99} ms, {sample.failed} failed")
    return row


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: ""}[passed]


def _ms(seconds: float) -> str:
    return "-" if math.isnan(seconds) else f"{seconds * 1000:.1f}"


def table(header: Sequence[str], lines: Sequence[Sequence[str]], numbers: range) -> str:
    """Columns padded to their widest cell; those in `numbers` right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *lines, strict=True)]

    def render(cells: Sequence[str]) -> str:
        return "  ".join(
            cell.rjust(width) if index in numbers else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return "\n".join(
        [render(header), render(["-" * width for width in widths])] + [render(c) for c in lines]
    )


def measurements_table(title: str, rows: Sequence[Row]) -> str:
    lines = []
    for row in rows:
        sample = row.sample
        figures = (
            ["-", "-", "-", "-"]
            if sample is None
            else [
                f"{sample.rate:.1f}",
                _ms(sample.percentile(0.50)),
                _ms(sample.percentile(0.99)),
                str(sample.failed),
            ]
        )
        lines.append([row.name, *figures, row.target, verdict(row.passed), row.notes])
    header = [title, "req/s", "p50 ms", "p99 ms", "failed", "target", "result", "notes"]
    return table(header, lines, numbers=range(1, 5))


def comparison_table(empty: Sequence[Row], seeded: Sequence[Row], seeded_label: str) -> str:
    """Maximum rates with the seeded database against the empty one (target: within 10%)."""
    lines = []
    for before, after in zip(empty, seeded, strict=True):
        if not before.max_rate or not before.sample or not before.sample.rate or not after.sample:
            continue
        change = after.sample.rate / before.sample.rate - 1
        lines.append(
            [
                before.name,
                f"{before.sample.rate:.1f}",
                f"{after.sample.rate:.1f}",
                f"{change:+.0%}",
                f">= -{MAX_RATE_DROP:.0%}",
                verdict(change >= -MAX_RATE_DROP),
            ]
        )
    header = ["Max rate", "empty req/s", f"{seeded_label} req/s", "change", "target", "result"]
    return table(header, lines, numbers=range(1, 4))
