"""Plain-text tables of the figures."""

import math
from collections.abc import Sequence
from dataclasses import dataclass

from bench.cpu import CpuUse
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
    cpu: CpuUse | None = None  # what the measurement cost the machine
    cpu_limit: float | None = None  # the most CPU per operation allowed, in bare workflows
    bare: "Row | None" = None  # the bare workflow measured interleaved with this row

    def vs_bare(self, baseline: "Row") -> float:
        """CPU per operation in bare workflows: the interleaved one's if measured, else the
        baseline's."""
        return self.cpu_ms / (self.bare or baseline).cpu_ms

    @property
    def cpu_ms(self) -> float:
        """The machine's busy CPU milliseconds per successful operation."""
        if self.sample is None or self.cpu is None:
            return math.nan
        return self.cpu.per_operation_ms(len(self.sample.latencies))

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
    for measured in (row, row.bare):
        if measured is None or measured.sample is None:
            continue
        sample = measured.sample
        p99 = _ms(sample.percentile(0.99))
        say(
            f"  {measured.name}: {sample.rate:.1f}/s, p99 {p99} ms, {sample.failed} failed, "
            f"CPU {_number(measured.cpu_ms)} ms/op"
        )
    return row


def verdict(passed: bool | None) -> str:
    return {True: "PASS", False: "FAIL", None: ""}[passed]


def _number(value: float) -> str:
    return "-" if math.isnan(value) else f"{value:.1f}"


def _ms(seconds: float) -> str:
    return _number(seconds * 1000)


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


def _with_interleaved(rows: Sequence[Row]) -> list[Row]:
    """The rows, each followed by the bare workflow measured interleaved with it, if any."""
    return [shown for row in rows for shown in (row, row.bare) if shown is not None]


def measurements_table(title: str, rows: Sequence[Row], bare: Row) -> str:
    """Each row's figures, its CPU per operation also as a multiple of the bare workflow's."""
    lines = []
    for row in _with_interleaved(rows):
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
        cpu = [_number(row.cpu_ms), f"{row.vs_bare(bare):.2f}x"]
        lines.append([row.name, *figures, *cpu, row.target, verdict(row.passed), row.notes])
    header = [title, "req/s", "p50 ms", "p99 ms", "failed", "CPU ms/op", "vs bare"]
    header += ["target", "result", "notes"]
    return table(header, lines, numbers=range(1, 7))


def cpu_breakdown_table(rows: Sequence[Row], bare: Row) -> str:
    """Where an operation's CPU goes, per part of the stack (its process tree), for the bare
    workflow and each row with a CPU target (a multiple of the bare workflow's)."""
    parts = list(bare.cpu.parts) if bare.cpu else []
    lines = []
    shown = [row for row in rows if row is bare or row.cpu_limit]
    for row in _with_interleaved(shown):
        if row.cpu is None or row.sample is None:
            continue
        count = len(row.sample.latencies)
        shares = [_number(row.cpu.parts[part] * 1000 / count) for part in parts]
        others = row.cpu.machine - sum(row.cpu.parts.values())
        ratio = row.vs_bare(bare)
        limit = row.cpu_limit
        lines.append(
            [
                row.name,
                *shares,
                _number(others * 1000 / count),
                _number(row.cpu_ms),
                f"{ratio:.2f}x",
                f"<= {limit:.1f}x" if limit else "",
                verdict(ratio <= limit if limit else None),
            ]
        )
    header = ["CPU ms per operation", *parts, "other", "machine", "vs bare", "target", "result"]
    return table(header, lines, numbers=range(1, len(parts) + 4))


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
