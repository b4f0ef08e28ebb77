#!/usr/bin/env python
"""CPU time per turn, by component of the local production stack, while a load runs.

The machine is shared, so turns per second say as much about the neighbours as about the
stack. CPU time consumed per turn by each process does not: it is what a turn costs.

    python scripts/bench_cpu.py --turns-from results/bench/cpu-load.json -- \
        .venv/bin/python scripts/bench.py --url http://127.0.0.1:8000 --json-out results/bench/cpu-load.json

Components: the Rasa replicas, the action servers (.run/stack/*.pid), PostgreSQL (the
postmaster of .run/stack/pg and its children), nginx, Redis, and the load client (the
command). Prints milliseconds of CPU per turn (both loads' turns) for each.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

RUN = Path(os.environ.get("STACK_RUN") or Path(__file__).resolve().parents[1] / ".run" / "stack")
TICK = os.sysconf("SC_CLK_TCK")


def children(pid: int) -> List[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(entry.name))
            except (OSError, IndexError, ValueError):
                pass
    return found


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime
    except (OSError, IndexError, ValueError):
        return 0.0


def read_pid(path: Path):
    try:
        return int(path.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return None


def components() -> Dict[str, List[int]]:
    groups: Dict[str, List[int]] = {}
    for kind in ("rasa", "actions"):
        groups[kind] = [p for f in sorted(RUN.glob(f"{kind}-*.pid")) if (p := read_pid(f))]
    for name, path in (
        ("postgresql", RUN / "pg" / "postmaster.pid"),
        ("nginx", RUN / "nginx.pid"),
        ("redis", RUN / "redis.pid"),
    ):
        pid = read_pid(path)
        groups[name] = [pid, *children(pid)] if pid else []
    return groups


def snapshot() -> Dict[int, float]:
    return {pid: cpu_seconds(pid) for pids in components().values() for pid in pids}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--turns-from", required=True, help="the load's JSON (turns of its saturation run)")
    parser.add_argument("--json-out")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    before = snapshot()
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    after = snapshot()  # PostgreSQL backends started during the load count from zero
    data = json.loads(Path(args.turns_from).read_text())
    turns = sum(data[k]["turns"] for k in ("conversational", "saturation") if k in data)
    per_turn = {}
    for name, pids in components().items():
        seconds = sum(after.get(pid, 0.0) - before.get(pid, 0.0) for pid in pids)
        per_turn[name] = round(1000 * seconds / max(turns, 1), 2)
    per_turn["load client"] = round(1000 * (usage.ru_utime + usage.ru_stime) / max(turns, 1), 2)
    per_turn["total"] = round(sum(per_turn.values()), 2)
    print(f"CPU ms per turn over {turns} turns: " + ", ".join(f"{k} {v}" for k, v in per_turn.items()))
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({"turns": turns, "cpu_ms_per_turn": per_turn}, indent=1))
    return os.waitstatus_to_exitcode(status)


if __name__ == "__main__":
    sys.exit(main())
