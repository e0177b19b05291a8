"""CPU time spent during a measurement: the whole machine's (/proc/stat) and each part's, summed
over its process tree (/proc/<pid>/stat), so a figure survives the machine's noise better than a
rate does."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PROC = Path("/proc")


def machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot, every process."""
    first_line = (PROC / "stat").read_text().split("\n", 1)[0]
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, first_line.split()[1:9])
    return (user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND


def _processes() -> Iterator[tuple[int, int, float]]:
    """(pid, parent pid, CPU seconds: user + system, its own and its reaped children's)."""
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # it exited meanwhile
            continue
        fields = stat.rsplit(")", 1)[1].split()  # after "pid (name)": state is field 3
        parent, utime, stime, cutime, cstime = (int(fields[i]) for i in (1, 11, 12, 13, 14))
        yield int(entry.name), parent, (utime + stime + cutime + cstime) / TICKS_PER_SECOND


def tree_seconds(roots: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds of each named process and all its descendants."""
    processes = {pid: (parent, seconds) for pid, parent, seconds in _processes()}
    owner_of_root = {pid: name for name, pid in roots.items()}
    totals = dict.fromkeys(roots, 0.0)
    for pid, (_, seconds) in processes.items():
        ancestor: int | None = pid
        while ancestor is not None and ancestor not in owner_of_root:
            ancestor = processes[ancestor][0] if ancestor in processes else None
        if ancestor is not None:
            totals[owner_of_root[ancestor]] += seconds
    return totals


@dataclass
class CpuUse:
    """What a measurement cost: busy CPU seconds of the machine, and of each part."""

    machine: float = 0.0
    parts: dict[str, float] = field(default_factory=dict)

    def add(self, other: "CpuUse") -> None:
        self.machine += other.machine
        for name, seconds in other.parts.items():
            self.parts[name] = self.parts.get(name, 0.0) + seconds

    def per_operation_ms(self, operations: int) -> float:
        return self.machine * 1000 / operations if operations else float("nan")


@contextmanager
def metered(parts: Mapping[str, int]) -> Iterator[CpuUse]:
    """Fills the CpuUse it yields with the CPU spent inside the block."""
    use = CpuUse()
    machine, trees = machine_busy_seconds(), tree_seconds(parts)
    yield use
    use.machine = machine_busy_seconds() - machine
    after = tree_seconds(parts)
    use.parts = {name: after[name] - trees[name] for name in parts}
