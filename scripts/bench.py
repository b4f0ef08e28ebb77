#!/usr/bin/env python
"""Load benchmark against a running assistant (REST channel), with a small asyncio client.

Two loads, each with CONVERSATIONS concurrent conversations that follow realistic
scripts (what happened, where, follow-up questions):
  conversational: each waits THINK seconds after a reply before its next message;
                  reports p50/p95/p99 latency and errors
  saturation:     no pause; reports turns per second (and latency)

    python scripts/bench.py --url http://127.0.0.1:8000 --json-out results/bench-1.json
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

SCRIPTS: List[List[str]] = [
    ["someone posted my home address online", "Melbourne", "how do I keep evidence?", "what if police ignore me?"],
    ["I'm in Auckland and my ex shared my nudes", "how do I get it taken down?", "who can I talk to?"],
    ["hi", "I live in Toronto", "a guy keeps sending me threats", "can I get a peace bond?"],
    ["What's the maximum penalty for s 474.17C?", "and for threats to kill?", "thanks"],
    ["I'm in Perth and the person harassing me is in the US", "can I contact interpol?", "what is an MLAT?"],
    ["someone made a fake account pretending to be me", "London", "should we mass report it?"],
    ["I'm in Cape Town, someone is blackmailing me with photos", "how do I report this?", "ok thank you"],
    ["can I record calls with my harasser?", "I'm in Victoria", "what offence is harassment?"],
]


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


async def conversation(
    session: aiohttp.ClientSession,
    url: str,
    index: int,
    think: float,
    deadline: float,
    latencies: List[float],
    errors: List[str],
) -> None:
    script = SCRIPTS[index % len(SCRIPTS)]
    while time.monotonic() < deadline:
        sender = f"bench-{uuid.uuid4().hex}"
        for message in script:
            if time.monotonic() >= deadline:
                return
            latency = await timed_turn(session, url, sender, message, errors)
            if latency is None:
                continue
            latencies.append(latency)
            if think:
                await asyncio.sleep(think)


async def load(url: str, conversations: int, think: float, seconds: float) -> Dict[str, float]:
    latencies: List[float] = []
    errors: List[str] = []
    timeout = aiohttp.ClientTimeout(total=30)
    connector = aiohttp.TCPConnector(limit=conversations)
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        started = time.monotonic()
        deadline = started + seconds
        await asyncio.gather(
            *(conversation(session, url, i, think, deadline, latencies, errors) for i in range(conversations))
        )
        wall = time.monotonic() - started
    return {
        "turns": len(latencies),
        "errors": len(errors),
        "seconds": round(wall, 1),
        "turns_per_s": round(len(latencies) / wall, 1),
        "p50_ms": round(percentile(latencies, 0.50)),
        "p95_ms": round(percentile(latencies, 0.95)),
        "p99_ms": round(percentile(latencies, 0.99)),
        "mean_ms": round(statistics.fmean(latencies)) if latencies else None,
        "error_kinds": sorted(set(errors))[:5],
    }


async def warm_up(url: str) -> None:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as session:
        for message in ("hello", "someone posted my address, I'm in Sydney"):
            async with session.post(url, json={"sender": f"warm-{uuid.uuid4().hex}", "message": message}) as r:
                await r.read()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--conversations", type=int, default=16)
    parser.add_argument("--think", type=float, default=0.5, help="seconds after a reply (conversational load)")
    parser.add_argument("--seconds", type=float, default=30, help="duration of each load")
    parser.add_argument("--json-out")
    args = parser.parse_args()
    url = args.url.rstrip("/") + "/webhooks/rest/webhook"

    asyncio.run(warm_up(url))
    load_before = load_average()
    conversational = asyncio.run(load(url, args.conversations, args.think, args.seconds))
    print(f"conversational ({args.conversations} conversations, {args.think} s think): {json.dumps(conversational)}")
    saturation = asyncio.run(load(url, args.conversations, 0.0, args.seconds))
    print(f"saturation ({args.conversations} conversations, no pause): {json.dumps(saturation)}")
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(
                {
                    "conversational": conversational,
                    "saturation": saturation,
                    "load_before": load_before,
                    "load_after": load_average(),
                    "measured_at": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
                },
                handle,
                indent=1,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
