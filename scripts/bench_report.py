#!/usr/bin/env python
"""Write docs/benchmarks.md from results/bench/*.json and print the summary line.

    python scripts/bench_report.py results/bench docs/benchmarks.md [--summary bench|long]

`make bench` writes replicas-1.json and replicas-2.json, `make bench-long` long-memory.json and
long-stack.json; the page shows whichever exist, each with the time it was measured and the
machine's load average then. The last line printed is the summary of --summary:
  bench: saturation_turns_per_s X p95_ms Y errors Z   (single replica)
  long:  turn200_over_turn10 X                        (the larger of in-memory and stack)
"""
import argparse
import json
import os
import platform
import sys
from pathlib import Path
from typing import Dict, List, Optional

TARGETS = ("single replica: >= 80 turns/s at saturation, p95 <= 200 ms under the conversational load, "
           "0 errors, cold start <= 20 s, RSS <= 650 MB; long conversations: turn 200 within 1.5x of turn 10")

PROFILE = """\
## Where the time goes (py-spy)

Measured 2026-12-01 on this machine (2 cores, shared with other work), before the bounded tracker
stores, with `py-spy record -r 200 -f raw` on the Rasa server under `scripts/bench_long.py` (one
300-turn conversation) and under `scripts/bench.py` (16 short conversations). Shares are of the
samples in which the server was busy (inclusive time).

| where | long conversation, `make run` | short conversations, `make run` | long, stack | short, stack |
|---|---|---|---|---|
| reading the tracker back (`retrieve`: JSON, events rebuilt and replayed) | 45 % | 6 % | 48 % | 12 % |
| of which `Event.resolve_by_type`, listing every Event subclass for each event | 34 % | 5 % | 24 % | 1 % |
| RulePolicy: a dialogue state for every past action (`past_states`) | 17 % | 5 % | 10 % | 3 % |
| writing the tracker (`save`: in memory, JSON of the whole tracker; SQL, a `count(*)` of the session's events, the insert, the commit) | 8 % | 2 % | 6 % | 25 % |
| the action server call (the whole tracker as JSON, `aiohttp`) | 7 % | 7 % | 6 % | 6 % |
| NLU (`parse_message`: featurizers, logistic regression) | 6 % | 49 % | 12 % | 29 % |
| Redis lock store (synchronous round trips on the event loop) | 0 % | 0 % | 3 % | 6 % |

So in a long conversation almost all the time grows with its length: the tracker is rebuilt
from every event of the session, every past action gets a dialogue state, and everything is
serialised again, three times a turn. On the stack, with short conversations, the SQL store's
writes (a `count(*)` of the session's events, then the insert and a synchronous commit) and reads
block the server's event loop, so one replica waits for PostgreSQL instead of serving others.
"""

MEMORY = """\
## Memory in `make run`

Command: `RUN_SOAK=1 .venv/bin/python -m pytest -q -s tests/perf/test_memory_soak.py` (the real
servers, endpoints.yml's tracker store with the expiry shortened to 4 s, two-turn conversations,
8 at a time; Rasa server RSS after a warm-up of 1,000 conversations, then after each 1,000).
Measured 2026-12-01 on this machine:

| tracker store | conversations | RSS after warm-up | RSS per 1,000 | once expired | ratio |
|---|---|---|---|---|---|
| `bot.tracker_store.BoundedInMemoryTrackerStore` | 10,000 | 590 MB | 590 MB every time | 590 MB | 1.000 |
| Rasa's `InMemoryTrackerStore` (`SOAK_STORE=rasa`) | 3,000 | 595 MB | 606, 616, 626 MB | 626 MB | 1.052 (fails) |

Rasa's store keeps about 10 KB per two-turn conversation for as long as the process lives.
"""

LEFT = """\
## What is left, and what would remove it

CPU per turn (`scripts/bench_cpu.py`, 2026-12-01, load average 2-4 from other work): the Rasa
replica on the stack now spends about what it spends in memory, 16-20 ms against 16 ms
(`make run`, same loads), against 26 ms before (main, same minute). The rest of the stack adds
about 4 ms a turn (action servers 1.7-3, PostgreSQL 1.6-1.9, nginx 0.6, Redis 0.2-0.3) on the
same 2 cores. So one replica can serve at most about 1000 / 16 = 60 turns/s with a core of its
own, and, with everything else on the other core, that is what it reaches when the machine is
quiet; at 80 turns/s a turn would have to cost the replica 12.5 ms. Where its time goes now, in
a short conversation (py-spy, `make run`): the NLU pipeline about half (the logistic
regression's sparse-by-dense product alone 16 %, the char n-gram featurizer next), the
RulePolicy and Rasa's graph runner (dask) about a third, JSON for the action server and the
store 4 %. What would remove it: a cheaper intent classifier or fewer char n-gram features
(the NLU pipeline is being replaced), and a replica that gets a whole core (the Kubernetes
limit is 1 CPU; on this machine the replica shares 2 cores with PostgreSQL, nginx, Redis, two
action servers and the load client).
"""

CHEAPER = """\
## What made a turn cheaper

- Bounded trackers (bot/tracker_store.py, endpoints.yml, deploy/endpoints.yml): every 10 user
  turns the store writes a checkpoint (each slot set to the value it already has) and reads a
  conversation back from its second-to-last checkpoint, so Rasa works on the last 10 to 20 turns
  with the same slots, instead of on the whole session. The RulePolicy's rules are 1 turn long,
  so it decides the same; tests/perf/test_bounded_tracker.py checks states and slots turn by turn,
  and tests/perf/replay.py found no difference in any reply over 257 conversations (1472 turns,
  twelve of 60 to 150 turns) between this store and Rasa's own.
- The SQL store reads that window with one query (two indexes on `events`), writes only the new
  events (no `count(*)` of the session), and does both in a worker thread, off the event loop.
- `make run`'s in-memory store drops conversations idle for longer than the session expiry
  (their next message starts a new session anyway), so its memory stays flat.
- Rasa looked up each stored event's class by listing every Event subclass; bot/rasa_patches.py
  remembers the class Rasa's own lookup found (tests/test_rasa_patches.py pins it).
- Logistic regression instead of DIET for intents (config.yml): no TensorFlow at inference,
  and better accuracy on our data.
- Rules only (RulePolicy), no TED: one cheap, deterministic prediction per step.
- Rasa re-validated the action response schema against the JSON Schema metaschema on every
  response (~30 % of a replica's CPU in a py-spy profile under load). bot/rasa_patches.py
  builds the validator once; before it, one replica managed 12.9 turns/s at saturation and
  p95 1230 ms under the conversational load (same stack, same loads, 15 s each).
- Danger and self-harm replies are plain responses: no action-server round trip.
"""


def load(folder: Path, name: str) -> Optional[Dict]:
    path = folder / name
    return json.loads(path.read_text()) if path.exists() else None


def when(data: Dict) -> str:
    loads = f"load average {data.get('load_before', '?')} -> {data.get('load_after', '?')}"
    return f"{data.get('measured_at', 'date not recorded')}, {loads}"


def bench_section(results: Dict[int, Dict]) -> List[str]:
    def row(label, data):
        c, s = data["conversational"], data["saturation"]
        return (f"| {label} | {c['p50_ms']} | {c['p95_ms']} | {c['p99_ms']} | {c['errors']} | "
                f"{s['turns_per_s']} | {s['p95_ms']} | {s['errors']} | {data['cold_start_s']} | "
                f"{data['rasa_rss_mb']} | {data['actions_rss_mb']} | {when(data)} |")

    first = results[min(results)]
    lines = [
        "## Load: the production stack",
        "",
        "Command: `flock /tmp/stack.lock make bench` (BENCH_SECONDS sets the length of each load).",
        "The local production stack (`scripts/stack.sh`): PostgreSQL tracker store, Redis lock store,",
        "nginx in front of the Rasa replicas and of 2 action servers, all on the same 2 cores.",
        "Loads (`scripts/bench.py`, asyncio + aiohttp, REST channel): 16 concurrent conversations",
        "following realistic scripts; conversational = 0.5 s pause after each reply; saturation = no",
        f"pause. Each load runs {first['conversational']['seconds']:.0f} s after a warm-up.",
        "",
        "| Rasa replicas | conv. p50 ms | conv. p95 ms | conv. p99 ms | conv. errors | saturation turns/s "
        "| sat. p95 ms | sat. errors | cold start s | Rasa RSS MB | actions RSS MB | measured |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
        *[row(str(n), results[n]) for n in sorted(results)],
        "",
        "Cold start: from starting the stack until the first reply. RSS: resident memory of all Rasa",
        "replicas together, and of both action servers together, after the loads.",
        "",
        "CPU time per turn, by process (`scripts/bench_cpu.py`, both loads; it depends much less on the",
        "neighbours than turns/s do). One replica can serve at most 1000 / (its ms per turn) turns/s,",
        "the whole stack at most 2000 / (total) on 2 cores:",
        "",
    ]
    for n in sorted(results):
        cpu = results[n].get("cpu_ms_per_turn")
        if cpu:
            lines.append(f"- {n} replica{'s' if n > 1 else ''}: " + ", ".join(f"{k} {v} ms" for k, v in cpu.items()))
    lines.append("")
    return lines


def long_section(results: List[Dict]) -> List[str]:
    blocks = [b["turns"] for b in results[0]["blocks"]]
    lines = [
        "## Long conversations: does a turn cost more later on?",
        "",
        "Command: `flock /tmp/stack.lock make bench-long` (`scripts/bench_long.sh`). "
        f"{results[0]['conversations']} conversations of {results[0]['turns']} turns each,",
        "one message at a time, cycling through ten messages (what happened, the place, questions,",
        "small talk), against `make run` and against the stack with 1 Rasa replica. Median latency",
        "of each block of 20 turns:",
        "",
        "| turns | " + " | ".join(r["label"] for r in results) + " |",
        "|---|" + "---|" * len(results),
    ]
    for index, turns in enumerate(blocks):
        lines.append(f"| {turns} | " + " | ".join(f"{r['blocks'][index]['median_ms']} ms" for r in results) + " |")
    lines += [
        "| **turn 200 / turn 10** | " + " | ".join(f"**{r['turn200_over_turn10']}**" for r in results) + " |",
        "| errors | " + " | ".join(str(r["errors"]) for r in results) + " |",
        "| measured | " + " | ".join(when(r) for r in results) + " |",
        "",
        "Before the bounded tracker stores (same client, one 200-turn conversation, 2026-12-01):",
        "`make run` went from 27.9 ms (turns 1-20) to 206.1 ms (turns 181-200), a ratio of 7.39;",
        "the stack from 80.1 ms to 299.6 ms at turns 181-200 (397.7 ms at turns 161-180), 3.74.",
        "",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", default="results/bench")
    parser.add_argument("out", nargs="?", default="docs/benchmarks.md")
    parser.add_argument("--summary", choices=("bench", "long"), default="bench")
    args = parser.parse_args()
    folder = Path(args.folder)
    replicas = {n: data for n in (1, 2) if (data := load(folder, f"replicas-{n}.json"))}
    long_runs = [data for name in ("long-memory.json", "long-stack.json") if (data := load(folder, name))]
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    lines = [
        "# Benchmarks",
        "",
        f"This project's machine: {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}. The cores are shared with other",
        "work (training, tests), so each figure carries the load average around it; compare figures",
        "measured together, and repeat when the load is low.",
        "",
        f"Targets: {TARGETS}.",
        "",
    ]
    if replicas:
        lines += bench_section(replicas)
    if long_runs:
        lines += long_section(long_runs)
    lines += [MEMORY, PROFILE, CHEAPER, LEFT]
    Path(args.out).write_text("\n".join(lines).rstrip("\n") + "\n", encoding="utf-8")

    if args.summary == "long":
        if not long_runs:
            print("no long-conversation results", file=sys.stderr)
            return 1
        for run in long_runs:
            print(f"{run['label']}: turn200_over_turn10 {run['turn200_over_turn10']} ({run['errors']} errors)")
        print(f"turn200_over_turn10 {max(r['turn200_over_turn10'] for r in long_runs)}")
        return 0
    if 1 not in replicas:
        print("no single-replica results", file=sys.stderr)
        return 1
    single = replicas[1]
    section = bench_section(replicas)
    header = next(i for i, line in enumerate(section) if line.startswith("| Rasa replicas"))
    print("\n".join(section[header:header + 2 + len(replicas)]))
    print(f"saturation_turns_per_s {single['saturation']['turns_per_s']} "
          f"p95_ms {single['conversational']['p95_ms']} "
          f"errors {single['conversational']['errors'] + single['saturation']['errors']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
