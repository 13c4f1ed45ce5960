"""The memory of a PostgreSQL server behind a searcher (``councilqa bench --backend postgres``): its processes'
proportional set size, read from /proc, and the database's size on disk."""
from __future__ import annotations


def server_memory(searcher) -> tuple[float, float]:
    """MiB of the database server's processes (proportional set size: shared memory counted once) and of the
    database on disk."""
    pids = [r[0] for r in searcher.conn.execute("SELECT pid FROM pg_stat_activity")]
    size = searcher.conn.execute("SELECT pg_database_size(current_database())").fetchone()[0]
    postmaster = {_parent(pid) for pid in pids} - {None}
    every = set(pids) | postmaster
    for pid in list(postmaster):
        every |= _children(pid)
    pss = 0
    for pid in every:
        try:
            for line in open(f"/proc/{pid}/smaps_rollup", encoding="ascii"):
                if line.startswith("Pss:"):
                    pss += int(line.split()[1])
        except OSError:
            continue
    return round(pss / 1024, 1), round(size / 2**20, 1)


def _parent(pid: int) -> int | None:
    try:
        return int(open(f"/proc/{pid}/stat", encoding="ascii").read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def _children(pid: int) -> set[int]:
    try:
        found = open(f"/proc/{pid}/task/{pid}/children", encoding="ascii").read().split()
    except OSError:
        return set()
    return {int(p) for p in found}
