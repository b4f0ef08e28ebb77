#!/usr/bin/env python3
"""Search latency of the volunteers' reference desk: GET /webhooks/volunteer/search?q=... as the page sends it.

    .venv/bin/python scripts/bench_volunteer.py                      # against http://localhost:5005 (make run)
    .venv/bin/python scripts/bench_volunteer.py --url http://127.0.0.1:5731 --rounds 20
    .venv/bin/python scripts/bench_volunteer.py --in-process         # bot.volunteer.search_payload alone

One request at a time (a volunteer types one query at a time), a fixed set of queries in volunteers'
words, each prefix of a few of them as the page sends while someone types, a bounded number of rounds.
Loopback only. Prints p50, p95 and the maximum in milliseconds, and the share of answers that were 200.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUERIES = [
    "474.17C",
    "s 264",
    "2261A",
    "s 264.1",
    "18 USC 875(c)",
    "s 22A",
    "s 4A",
    "s 18(1)(a)",
    "threat to kill",
    "deepfake",
    "recording",
    "doxxing",
    "revenge porn",
    "stalking",
    "impersonation",
    "extortion",
    "protection order",
    "reference number",
    "police won't help",
    "screenshot evidence",
    "Joburg",
    "the States",
    "WA",
    "Perth",
    "Toronto",
    "Auckland",
    "London",
    "Cape Town",
    "can eSafety prosecute",
    "does IC3 investigate",
    "Is there a US-Mexico MLAT?",
    "when did the Budapest Convention come into force for New Zealand?",
    "interpol",
    "FBI legat Wellington",
    "suicide line south africa",
    "Kids Helpline",
    "record a call in Victoria",
    "harasser in Canada",
    "zzzz qqqq",
    "what is the maximum penalty for aggravated doxxing",
]
TYPED = ["474.17C", "threat to kill", "Joburg"]  # sent once per key, as the page does while typing


def _percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://localhost:5005", help="the assistant (loopback only)")
    parser.add_argument("--rounds", type=int, default=10, help="times through the query set (at most 100)")
    parser.add_argument("--in-process", action="store_true", help="time bot.volunteer.search_payload directly")
    args = parser.parse_args(argv)
    rounds = max(1, min(args.rounds, 100))
    host = urllib.parse.urlparse(args.url).hostname
    if not args.in_process and host not in ("localhost", "127.0.0.1", "::1"):
        parser.error("benchmarks run against this machine only (localhost, 127.0.0.1)")
    queries = QUERIES + [q[:n] for q in TYPED for n in range(1, len(q) + 1)]

    if args.in_process:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
        from bot import volunteer
        from bot.knowledge import load_knowledge

        kb = load_knowledge()
        volunteer.search_payload(kb, "warm up")  # builds the index once, as the first request would

        def ask(query):
            volunteer.search_payload(kb, query)
            return 200
    else:
        base = args.url.rstrip("/") + "/webhooks/volunteer/search?"

        def ask(query):
            with urllib.request.urlopen(base + urllib.parse.urlencode({"q": query}), timeout=10) as response:
                json.loads(response.read())
                return response.status

        ask("warm up")

    times, ok = [], 0
    for _ in range(rounds):
        for query in queries:
            start = time.perf_counter()
            ok += ask(query) == 200
            times.append((time.perf_counter() - start) * 1000)
    where = "in process" if args.in_process else args.url
    print(
        f"volunteer search ({where}): {len(times)} requests, {len(queries)} queries x {rounds} rounds, "
        f"one at a time"
    )
    print(
        f"  p50 {statistics.median(times):.1f} ms   p95 {_percentile(times, 0.95):.1f} ms   "
        f"max {max(times):.1f} ms   200s: {ok}/{len(times)}"
    )
    return 0 if ok == len(times) else 1


if __name__ == "__main__":
    sys.exit(main())
