#!/usr/bin/env python3
"""Conversation-level evaluation of a running assistant over the REST channel.

The project's own runner for the shared case format (../shared/eval/run_eval.py reads
the same files), so the repository can measure itself with nothing beside it. On top of
the pass rates it reports what a person on a phone feels: the length of the first reply
(words in the widget, SMS segments once rendered as plain text).

    python scripts/eval.py --cases tests/e2e/cases.yml [--cases more.yml ...] \
        [--url http://localhost:5005] [--concurrency 4] [--min-pass 0.9] [--json-out out.json] [-v]

Case format (YAML list):
    - id: au-doxxing-1
      category: doxxing
      turns:
        - "I live in Perth"
        - say: "someone posted my address online"
          expect: ["474\\.17C"]        # this turn's replies only
          forbid: ["Where are you"]    # this turn's replies only
      expect: ["ReportCyber"]          # all replies
      forbid: ["(?<!not )your fault"]  # nowhere

Patterns are case-insensitive regular expressions. A case passes when every `expect`
matches, no `forbid` matches, and every request got HTTP 200 with at least one reply.
"""

from __future__ import annotations

import argparse
import concurrent.futures as futures
import json
import math
import re
import statistics
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67
_GSM = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)


def post(url: str, sender: str, message: str, timeout: float) -> Tuple[List[dict], float]:
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        payload = json.loads(response.read() or b"[]")
    return payload, (time.perf_counter() - start) * 1000


def reply_text(messages: List[dict]) -> str:
    parts = []
    for message in messages:
        parts.append(message.get("text") or "")
        for button in message.get("buttons") or []:
            parts.append(button.get("title") or "")
        if message.get("custom"):
            parts.append(json.dumps(message["custom"]))
    return "\n".join(p for p in parts if p)


def words(messages: List[dict]) -> int:
    """Words a person reads in the widget: message text (a link is one word, bullets none), not buttons."""
    text = " ".join(m.get("text") or "" for m in messages)
    return len([t for t in re.sub(r"https?://\S+", "link", text).split() if re.search(r"\w", t)])


def sms_segments(messages: List[dict]) -> int:
    """Segments of the reply as one plain-text SMS (markup stripped, buttons as numbered options)."""
    texts, titles = [], []
    for message in messages:
        texts.append(
            re.sub(r"\*\*(.+?)\*\*|(?<!\w)_(.+?)_(?!\w)", lambda m: m.group(1) or m.group(2), message.get("text") or "")
        )
        titles += [b.get("title", "") for b in message.get("buttons") or []]
    if titles:
        texts.append("Reply " + ", ".join(f"{i} for {t}" for i, t in enumerate(titles, 1)) + ".")
    plain = "\n".join(t for t in texts if t)
    gsm = all(ch in _GSM for ch in plain)
    single, part = (GSM_SINGLE, GSM_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    return 1 if len(plain) <= single else math.ceil(len(plain) / part)


def check(patterns: List[str], text: str) -> List[str]:
    return [p for p in patterns if re.search(p, text, re.IGNORECASE | re.DOTALL)]


def run_case(case: dict, url: str, timeout: float) -> dict:
    sender = f"eval-{uuid.uuid4().hex}"
    transcript, problems, latencies = [], [], []
    first: List[dict] = []
    for number, turn in enumerate(case["turns"]):
        say = turn if isinstance(turn, str) else turn["say"]
        try:
            messages, ms = post(url, sender, say, timeout)
        except (urllib.error.URLError, TimeoutError, ConnectionError, ValueError) as error:
            problems.append(f"request failed on {say[:60]!r}: {error}")
            transcript.append((say, ""))
            continue
        if number == 0:
            first = messages
        latencies.append(ms)
        text = reply_text(messages)
        transcript.append((say, text))
        if not text.strip():
            problems.append(f"no reply to {say[:60]!r}")
        if isinstance(turn, dict):
            wanted = turn.get("expect", [])
            problems += [f"turn {say[:40]!r} lacks /{p}/" for p in set(wanted) - set(check(wanted, text))]
            problems += [f"turn {say[:40]!r} has forbidden /{p}/" for p in check(turn.get("forbid", []), text)]
    everything = "\n".join(text for _, text in transcript)
    wanted = case.get("expect", [])
    problems += [f"replies lack /{p}/" for p in wanted if p not in check(wanted, everything)]
    problems += [f"replies contain forbidden /{p}/" for p in check(case.get("forbid", []), everything)]
    first_say = case["turns"][0] if isinstance(case["turns"][0], str) else case["turns"][0]["say"]
    return {
        "id": case["id"],
        "category": case.get("category", "other"),
        "passed": not problems,
        "problems": problems,
        "latencies_ms": latencies,
        "transcript": transcript,
        "first_words": words(first),
        "first_sms_segments": sms_segments(first),
        "first_long": len(first_say) >= 300,
    }


def percentile(values: List[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))]


def summarise(results: List[dict]) -> Dict:
    by_category: Dict[str, List[bool]] = defaultdict(list)
    for result in results:
        by_category[result["category"]].append(result["passed"])
    latencies = [ms for r in results for ms in r["latencies_ms"]]
    first_words = [r["first_words"] for r in results]
    segments = [r["first_sms_segments"] for r in results]
    return {
        "passed": sum(r["passed"] for r in results),
        "total": len(results),
        "by_category": {c: [sum(m), len(m)] for c, m in sorted(by_category.items())},
        "latency_ms": {
            "p50": percentile(latencies, 0.5),
            "p95": percentile(latencies, 0.95),
            "mean": statistics.fmean(latencies) if latencies else None,
        },
        "first_reply": {
            "words_p50": percentile(first_words, 0.5),
            "words_p90": percentile(first_words, 0.9),
            "words_max": max(first_words, default=0),
            "sms_segments_p50": percentile(segments, 0.5),
            "sms_segments_p90": percentile(segments, 0.9),
            "sms_segments_max": max(segments, default=0),
        },
        "long_cases": [
            sum(r["passed"] for r in results if r["first_long"]),
            sum(1 for r in results if r["first_long"]),
        ],
        "results": results,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", action="append", required=True, help="a case file; repeat for more")
    parser.add_argument("--url", default="http://localhost:5005")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--timeout", type=float, default=30.0)
    parser.add_argument("--min-pass", type=float, default=0.0, help="exit 1 below this pass rate (0..1)")
    parser.add_argument("--json-out")
    parser.add_argument("-v", "--verbose", action="store_true", help="print transcripts of failed cases")
    args = parser.parse_args()

    cases = []
    for path in args.cases:
        cases += yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    url = args.url.rstrip("/")
    if not url.endswith("/webhook"):
        url += "/webhooks/rest/webhook"

    started = time.perf_counter()
    with futures.ThreadPoolExecutor(max_workers=max(1, args.concurrency)) as pool:
        results = list(pool.map(lambda c: run_case(c, url, args.timeout), cases))
    wall = time.perf_counter() - started
    summary = summarise(results)

    for result in results:
        if not result["passed"]:
            print(f"FAIL {result['id']}: " + "; ".join(result["problems"]))
            if args.verbose:
                for say, text in result["transcript"]:
                    print(f"    user: {say}")
                    for line in text.splitlines():
                        print(f"     bot: {line}")
    print(f"\n{'category':<22}{'passed':>8}{'total':>7}")
    for category, (passed, total) in summary["by_category"].items():
        print(f"{category:<22}{passed:>8}{total:>7}")
    lat, first = summary["latency_ms"], summary["first_reply"]
    print(
        f"\nturns {sum(len(r['latencies_ms']) for r in results)}, wall {wall:.1f} s, "
        f"latency p50 {lat['p50']:.0f} ms, p95 {lat['p95']:.0f} ms"
    )
    print(
        f"first reply: words p50 {first['words_p50']}, p90 {first['words_p90']}, max {first['words_max']}; "
        f"SMS segments p50 {first['sms_segments_p50']}, p90 {first['sms_segments_p90']}, "
        f"max {first['sms_segments_max']}"
    )
    long_passed, long_total = summary["long_cases"]
    print(f"long first messages (300+ characters): {long_passed}/{long_total} passed")
    rate = summary["passed"] / summary["total"] if summary["total"] else 0.0
    print(f"pass rate {summary['passed']}/{summary['total']} = {rate:.1%}")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(summary, indent=1), encoding="utf-8")
    return 0 if rate >= args.min_pass else 1


if __name__ == "__main__":
    sys.exit(main())
