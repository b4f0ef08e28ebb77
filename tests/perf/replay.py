#!/usr/bin/env python
"""Replay conversations against a running assistant and write every reply, for a before/after diff.

    python tests/perf/replay.py --url http://127.0.0.1:5005 --out /tmp/a.json
    python tests/perf/replay.py --url http://127.0.0.1:5006 --out /tmp/b.json
    python tests/perf/replay.py --compare /tmp/a.json /tmp/b.json

The conversations: every case of ../shared/eval/cases.yml and tests/e2e/cases.yml as it is,
and LONG conversations of 60 to 150 turns made of those cases' messages in a seeded random
order (so the same on every run), long enough to go far past any tracker window.
Used by tests/perf/test_same_replies.py, and by hand around any change that must not change
what a person is told.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Dict, List

import yaml

ROOT = Path(__file__).resolve().parents[2]
CASE_FILES = [ROOT.parent / "shared" / "eval" / "cases.yml", ROOT / "tests" / "e2e" / "cases.yml"]


def case_conversations() -> Dict[str, List[str]]:
    conversations = {}
    for path in CASE_FILES:
        if not path.exists():
            continue
        for case in yaml.safe_load(path.read_text(encoding="utf-8")) or []:
            turns = [t if isinstance(t, str) else t.get("say", "") for t in case.get("turns", [])]
            conversations[f"{path.parent.name}-{case['id']}"] = turns
    return conversations


def long_conversations(cases: Dict[str, List[str]], count: int, seed: int = 13) -> Dict[str, List[str]]:
    rng = random.Random(seed)
    messages = sorted({m for turns in cases.values() for m in turns if m})
    return {f"long-{i}": [rng.choice(messages) for _ in range(rng.randint(60, 150))] for i in range(count)}


def post(url: str, sender: str, message: str) -> List[str]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps({"sender": sender, "message": message}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        replies = json.loads(response.read() or b"[]")
    return [json.dumps({k: r.get(k) for k in ("text", "buttons") if r.get(k)}, sort_keys=True) for r in replies]


def replay(url: str, conversations: Dict[str, List[str]], prefix: str, parallel: int = 4) -> Dict[str, List]:
    def one(item):
        name, turns = item
        return name, [post(url, f"{prefix}{name}", message) for message in turns]

    with ThreadPoolExecutor(parallel) as pool:
        return dict(pool.map(one, sorted(conversations.items())))


def compare(a: Dict[str, List], b: Dict[str, List]) -> List[str]:
    differences = []
    for name in sorted(set(a) | set(b)):
        turns_a, turns_b = a.get(name), b.get(name)
        if turns_a is None or turns_b is None:
            differences.append(f"{name}: only in one run")
            continue
        for index, (x, y) in enumerate(zip(turns_a, turns_b, strict=False)):
            if x != y:
                differences.append(f"{name} turn {index + 1}: {x!r:.200} != {y!r:.200}")
                break
    return differences


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url")
    parser.add_argument("--out")
    parser.add_argument("--long", type=int, default=12, help="how many long conversations")
    parser.add_argument("--prefix", default="replay-", help="sender id prefix (fresh ids for a fresh server)")
    parser.add_argument("--compare", nargs=2, metavar=("A", "B"))
    args = parser.parse_args()
    if args.compare:
        a, b = (json.loads(Path(p).read_text()) for p in args.compare)
        differences = compare(a, b)
        turns = sum(len(t) for t in a.values())
        print(f"{len(a)} conversations, {turns} turns: {len(differences)} conversations differ")
        print("\n".join(differences[:20]))
        return 1 if differences else 0
    cases = case_conversations()
    result = replay(args.url.rstrip("/"), {**cases, **long_conversations(cases, args.long)}, args.prefix)
    Path(args.out).write_text(json.dumps(result, indent=0), encoding="utf-8")
    print(f"{len(result)} conversations, {sum(len(t) for t in result.values())} turns -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
