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

TARGETS = (
    "single replica: >= 80 turns/s at saturation, p95 <= 200 ms under the conversational load, "
    "0 errors, cold start <= 20 s, RSS <= 650 MB; long conversations: turn 200 within 1.5x of turn 10"
)

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

Those shares are from the model before the situation frame (main at 3587680). With the current
one (main at 1d62826), in `make run` with the bounded store and 16 short conversations
(2026-12-01 23:45 UTC), the NLU is 60 % of the busy samples (`bot/nlu/situation.py` 24 %, the
logistic regression 16 %, the count-vector featurizers 5 %, the place extractor 3 %), the
prediction loop 28 % (the action server call 12 %, of which the request 5 %; the RulePolicy 7 %),
reading and writing the tracker 3 %.

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

| tracker store | model | conversations | RSS after warm-up | RSS per 1,000 | once expired | ratio |
|---|---|---|---|---|---|---|
| `bot.tracker_store.BoundedInMemoryTrackerStore` | current (main 1d62826), 23:54 UTC | 10,000 | 668 MB | 668 MB every time | 668 MB | 1.000 |
| `bot.tracker_store.BoundedInMemoryTrackerStore` | before the situation frame, 22:27 UTC | 10,000 | 590 MB | 590 MB every time | 590 MB | 1.000 |
| Rasa's `InMemoryTrackerStore` (`SOAK_STORE=rasa`) | before the situation frame, 22:44 UTC | 3,000 | 595 MB | 606, 616, 626 MB | 626 MB | 1.052 (fails) |

Rasa's store keeps about 10 KB per two-turn conversation for as long as the process lives.
"""

LEFT = """\
## What is left, and what would remove it

Long conversations: nothing; a turn costs the same at turn 200 as in the first 20 turns.

Throughput and latency on one replica are short of the targets (>= 80 turns/s, p95 <= 200 ms).
CPU time per turn (`scripts/bench_cpu.py`, 16 short conversations, one replica, the current
model, 2026-12-01 23:40 UTC, load average 1.7-2.2, two rounds each, main then this branch):

| | Rasa replica | action servers | PostgreSQL | nginx | Redis | load client | saturation turns/s | conv. p95 ms |
|---|---|---|---|---|---|---|---|---|
| main (1d62826) | 34.1, 31.0 ms | 3.1, 2.7 ms | 2.2, 2.0 ms | 0.6, 0.6 ms | 0.4, 0.4 ms | 1.5, 1.3 ms | 24.0, 27.4 | 1069, 568 |
| this branch | 32.0, 32.0 ms | 3.0, 3.3 ms | 2.0, 2.1 ms | 0.7, 0.7 ms | 0.3, 0.3 ms | 1.1, 1.1 ms | 27.7, 28.0 | 511, 591 |
| `make run`, this branch | 28.9 ms | 2.8 ms | | | | | 30.0 | |

In short conversations (3 to 4 turns) the tracker was never the main cost, and with the current
model the replica's CPU per turn is the same on main and on this branch within the noise (with
the model before, 25.8 ms on main against 15.6-20.2 ms here); the stack replica costs about 3 ms
a turn more than `make run`. A replica is one Python process, so
it serves at most 1000 / 32 = 31 turns/s, and it reaches 28; at 80 turns/s a turn would have to
cost it 12.5 ms. The NLU pipeline alone takes about 60 % of those 29-32 ms (the situation frame
24 %, the logistic regression 16 %, the featurizers; one scipy sparse-by-dense matrix product,
`_mul_multivector`, is 13 % of all samples by itself). Under the
conversational load (16 people, 0.5 s between a reply and the next message) the demand is about
20 turns/s, close to that capacity, so turns queue and p95 is 500-600 ms.

What would remove it: a cheaper NLU pipeline (fewer classifiers run per clause, fewer char
n-gram features, or one model instead of several); then more replicas, each with a core of its
own (the Kubernetes manifests give a replica 0.5-1 CPU; on this machine 2 replicas share the
same 2 cores with PostgreSQL, nginx, Redis, two action servers and the load client, so a second
replica adds little). Cold start (20-25 s on this machine, main and this branch alike) and the
replica's RSS (675-678 MB with the current model, 600 MB with the one before; this branch adds
about 2 MB) also come from the NLU models.
"""

CHEAPER = """\
## What made a turn cheaper

- Bounded trackers (bot/tracker_store.py, endpoints.yml, deploy/endpoints.yml): every 10 user
  turns the store writes a checkpoint (each slot set to the value it already has) and reads a
  conversation back from its second-to-last checkpoint, so Rasa works on the last 10 to 20 turns
  with the same slots, instead of on the whole session. The RulePolicy's rules are 1 turn long,
  so it decides the same; tests/perf/test_bounded_tracker.py checks states and slots turn by turn,
  and tests/perf/replay.py found no difference in any reply between this store and Rasa's own:
  576 conversations, 1913 turns (every case of both case files, and twelve of 60 to 150 turns)
  with the current model, and 257 conversations, 1472 turns with the one before.
- The SQL store reads that window with one query (two indexes on `events`), writes only the new
  events (no `count(*)` of the session), and does both in a worker thread, off the event loop.
- The Redis lock (bot/lock_store.py): Rasa's ticket lock, same keys and JSON, taken and given
  back in one atomic Lua script each on the asyncio client (two round trips instead of seven
  blocking ones), and a waiting turn checks every 0.05 s instead of every second.
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
        return (
            f"| {label} | {c['p50_ms']} | {c['p95_ms']} | {c['p99_ms']} | {c['errors']} | "
            f"{s['turns_per_s']} | {s['p95_ms']} | {s['errors']} | {data['cold_start_s']} | "
            f"{data['rasa_rss_mb']} | {data['actions_rss_mb']} | {when(data)} |"
        )

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
        "Before the bounded tracker stores (main at 1d62826, the same model, the same client, 2",
        "conversations, 2026-12-01 23:45 UTC, load average 2.1-2.3): `make run` went from 38.1 ms",
        "(turns 1-20) to 300.5 ms (turns 181-200), a ratio of 7.89; the stack from 63.4 ms to 211.1 ms,",
        "3.33. (With the model before the situation frame: 7.39 and 3.74.)",
        "",
        "The first block can be the slowest: it holds each topic's first, fuller answer.",
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
    print("\n".join(section[header : header + 2 + len(replicas)]))
    print(
        f"saturation_turns_per_s {single['saturation']['turns_per_s']} "
        f"p95_ms {single['conversational']['p95_ms']} "
        f"errors {single['conversational']['errors'] + single['saturation']['errors']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
