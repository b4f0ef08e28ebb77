#!/usr/bin/env python
"""Long conversations against a running assistant (REST channel): does a turn cost more later on?

Runs CONVERSATIONS conversations of TURNS turns each, one message at a time (each waits
for its reply), cycling through ten messages that exercise the actions, the rules, the
place question and small talk. Prints the median latency of each block of 20 turns, and as
its last line

    turn200_over_turn10 X      (median of turns 181-200 / median of turns 1-20)

    python scripts/bench_long.py --url http://127.0.0.1:5005 --json-out results/bench-long.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time
import uuid
from typing import Dict, List

import aiohttp
from benchlib import load_average, timed_turn

BLOCK = 20
# Ten messages: every block of 20 turns holds each of them twice, so blocks compare like with like.
MESSAGES = [
    "hi",
    "someone posted my home address online",
    "Melbourne",
    "how do I keep evidence?",
    "what if police ignore me?",
    "the person harassing me is in the US",
    "can I contact interpol?",
    "What's the maximum penalty for s 474.17C?",
    "should we mass report it?",
    "thanks",
]


async def one_conversation(
    session: aiohttp.ClientSession, url: str, turns: int, latencies: List[List[float]], errors: List[str]
) -> None:
    sender = f"long-{uuid.uuid4().hex}"
    for turn in range(turns):
        message = MESSAGES[turn % len(MESSAGES)]
        latency = await timed_turn(session, url, sender, message, errors)
        if latency is not None:
            latencies[turn].append(latency)


async def run(url: str, conversations: int, turns: int, parallel: int) -> Dict:
    latencies: List[List[float]] = [[] for _ in range(turns)]
    errors: List[str] = []
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        # warm-up: a fresh process builds parts lazily and its caches are cold; one short
        # conversation first, so that the first block measures a short conversation, not a cold server
        warm = f"warm-{uuid.uuid4().hex}"
        for message in MESSAGES * 2:
            async with session.post(url, json={"sender": warm, "message": message}) as r:
                await r.read()
        started = time.monotonic()
        remaining = conversations
        while remaining > 0:
            batch = min(parallel, remaining)
            await asyncio.gather(*(one_conversation(session, url, turns, latencies, errors) for _ in range(batch)))
            remaining -= batch
        wall = time.monotonic() - started
    blocks = []
    for first in range(0, turns, BLOCK):
        values = [v for turn in latencies[first : first + BLOCK] for v in turn]
        blocks.append(
            {
                "turns": f"{first + 1}-{min(first + BLOCK, turns)}",
                "median_ms": round(statistics.median(values), 1) if values else None,
                "samples": len(values),
            }
        )
    return {
        "conversations": conversations,
        "turns": turns,
        "parallel": parallel,
        "seconds": round(wall, 1),
        "errors": len(errors),
        "error_kinds": sorted(set(errors))[:5],
        "blocks": blocks,
    }


def ratio(result: Dict) -> float:
    first, last = result["blocks"][0]["median_ms"], result["blocks"][-1]["median_ms"]
    return round(last / first, 2) if first and last else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:5005")
    parser.add_argument("--conversations", type=int, default=2)
    parser.add_argument("--parallel", type=int, default=1, help="conversations at a time")
    parser.add_argument("--turns", type=int, default=200)
    parser.add_argument("--label", default="")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    if args.turns < 2 * BLOCK:
        parser.error(f"--turns must be at least {2 * BLOCK}")
    url = args.url.rstrip("/") + "/webhooks/rest/webhook"
    load_before = load_average()
    result = asyncio.run(run(url, args.conversations, args.turns, args.parallel))
    result.update(
        label=args.label,
        load_before=load_before,
        load_after=load_average(),
        measured_at=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
    )
    result["turn200_over_turn10"] = ratio(result)
    print(
        f"{args.label or args.url}: {args.conversations} conversations of {args.turns} turns, "
        f"{result['errors']} errors, {result['seconds']} s, load {load_before} -> {result['load_after']}"
    )
    for block in result["blocks"]:
        print(f"  turns {block['turns']:>9}  median {block['median_ms']} ms")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(result, handle, indent=1)
    print(f"turn200_over_turn10 {result['turn200_over_turn10']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
