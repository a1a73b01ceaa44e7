"""Memory of a server process under test, from /proc: the process and its children (a
`polytask serve` with workers), a field of /proc/<pid>/status summed over them, in MB."""

from __future__ import annotations

from pathlib import Path


def family(pid: int) -> list[int]:
    """The process and its direct children."""
    pids = [pid]
    for child in Path("/proc").iterdir():
        if child.name.isdigit():
            try:
                fields = (child / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                pids.append(int(child.name))
    return pids


def status_mb(pid: int, field: str) -> float:
    """`field` of /proc/<pid>/status (RssAnon: private resident memory; VmHWM: the peak
    resident set so far, kept by the kernel) summed over the process and its children."""
    total = 0
    for proc in family(pid):
        try:
            for line in Path(f"/proc/{proc}/status").read_text().splitlines():
                if line.startswith(f"{field}:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024
