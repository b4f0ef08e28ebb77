#!/usr/bin/env python
"""Counts for the situation-frame training data, read from the YAML itself.

    .venv/bin/python scripts/data_stats.py            # print the counts
    .venv/bin/python scripts/data_stats.py --check    # also exit 1 on a malformed example

data/nlu/situations.yml (intent describe_harm, one metadata block per example):
examples per harm, per asker, by length, multi-harm share, minors, platforms, plus
near-duplicates (examples that share most of their word trigrams).
data/nlu/perpetrator.yml (intent request_harm_other): examples by length.

Harm ids are checked against knowledge/harms.yml; askers and platforms against the
sets the frame uses (below).
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Dict, List, Tuple

import yaml

ROOT = Path(__file__).resolve().parent.parent
SITUATIONS = ROOT / "data/nlu/situations.yml"
PERPETRATOR = ROOT / "data/nlu/perpetrator.yml"
HARMS_KB = ROOT / "knowledge/harms.yml"

ASKERS = ("self", "helper", "volunteer")
PLATFORMS = (
    "instagram",
    "facebook",
    "tiktok",
    "x",
    "snapchat",
    "youtube",
    "discord",
    "telegram",
    "reddit",
    "whatsapp",
    "email",
    "sms",
)
LONG_MIN, LONG_MAX = 300, 1500
SINGLE_MAX = 130  # a short single-clause example: one sentence under this many characters
NEAR_DUPLICATE = 0.5  # share of word trigrams in common (Jaccard) above which two examples are flagged


def _examples(path: Path, intent: str) -> List[dict]:
    """The examples of one intent as dicts {text, metadata}, whichever YAML form the file uses."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    found = []
    for block in data.get("nlu", []):
        if block.get("intent") != intent:
            continue
        examples = block.get("examples", [])
        if isinstance(examples, str):
            found += [
                {"text": line[2:].strip(), "metadata": None} for line in examples.splitlines() if line.startswith("- ")
            ]
        else:
            found += [{"text": (e.get("text") or "").strip(), "metadata": e.get("metadata")} for e in examples]
    return found


def _problems(examples: List[dict], harm_ids: set) -> List[str]:
    problems = []
    for i, e in enumerate(examples, 1):
        where = f"example {i} ({e['text'][:40]!r})"
        m = e["metadata"]
        if not e["text"]:
            problems.append(f"{where}: empty text")
        if not isinstance(m, dict):
            problems.append(f"{where}: no metadata")
            continue
        if set(m) != {"harms", "minor", "asker", "platforms"}:
            problems.append(f"{where}: metadata keys {sorted(m)}")
        harms = m.get("harms")
        if not isinstance(harms, list) or not harms:
            problems.append(f"{where}: harms must be a non-empty list")
        else:
            problems += [f"{where}: unknown harm {h!r}" for h in harms if h not in harm_ids]
            if len(set(harms)) != len(harms):
                problems.append(f"{where}: a harm listed twice")
            # conventions of this data (see the comment at the top of situations.yml)
            if "doxxing_hate" in harms and not {"doxxing", "hate"} <= set(harms):
                problems.append(f"{where}: doxxing_hate without doxxing and hate")
            if "sextortion" in harms and "image_abuse" not in harms:
                problems.append(f"{where}: sextortion without image_abuse")
        if not isinstance(m.get("minor"), bool):
            problems.append(f"{where}: minor must be true or false")
        if m.get("asker") not in ASKERS:
            problems.append(f"{where}: asker {m.get('asker')!r} not one of {ASKERS}")
        platforms = m.get("platforms")
        if not isinstance(platforms, list):
            problems.append(f"{where}: platforms must be a list")
        else:
            problems += [f"{where}: unknown platform {p!r}" for p in platforms if p not in PLATFORMS]
        if len(e["text"]) > LONG_MAX:
            problems.append(f"{where}: {len(e['text'])} characters, over {LONG_MAX}")
    return problems


def _trigrams(text: str) -> set:
    words = re.findall(r"[a-z0-9']+", text.lower())
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def near_duplicates(texts: List[str]) -> List[Tuple[float, str, str]]:
    grams = [_trigrams(t) for t in texts]
    pairs = []
    for (i, a), (j, b) in combinations(enumerate(grams), 2):
        if a and b:
            score = len(a & b) / len(a | b)
            if score >= NEAR_DUPLICATE:
                pairs.append((score, texts[i], texts[j]))
    return sorted(pairs, reverse=True)


def _length_buckets(texts: List[str]) -> Dict[str, int]:
    buckets = Counter()
    for t in texts:
        n = len(t)
        buckets[
            "short (< 100 chars)"
            if n < 100
            else "medium (100-299)"
            if n < LONG_MIN
            else f"long ({LONG_MIN}-{LONG_MAX})"
            if n <= LONG_MAX
            else f"too long (> {LONG_MAX})"
        ] += 1
    return buckets


def _table(title: str, counts, total: int) -> None:
    print(f"\n{title}")
    for key, n in counts:
        print(f"  {key:<24} {n:>4}  {100 * n / total:5.1f} %")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if an example is malformed")
    args = parser.parse_args(argv)

    harm_ids = [h["id"] for h in yaml.safe_load(HARMS_KB.read_text(encoding="utf-8"))["harms"]]
    examples = _examples(SITUATIONS, "describe_harm")
    if not examples:
        print(f"no describe_harm examples in {SITUATIONS}", file=sys.stderr)
        return 1
    problems = _problems(examples, set(harm_ids))
    good = [e for e in examples if isinstance(e["metadata"], dict)]
    total = len(examples)
    texts = [e["text"] for e in examples]
    lengths = sorted(len(t) for t in texts)

    print(f"{SITUATIONS.relative_to(ROOT)}: {total} describe_harm examples")
    print(f"  characters: median {lengths[len(lengths) // 2]}, max {lengths[-1]}")
    _table("by length", sorted(_length_buckets(texts).items()), total)
    single = sum(len(t) < SINGLE_MAX and not re.search(r"[.?!]\s+\S", t) for t in texts)
    print(f"  one sentence, under {SINGLE_MAX} chars: {single}")

    harms = Counter(h for e in good for h in e["metadata"].get("harms") or [])
    _table("examples per harm", [(h, harms[h]) for h in harm_ids], total)
    long_harms = Counter(h for e in good if len(e["text"]) >= LONG_MIN for h in e["metadata"].get("harms") or [])
    print("\nlong examples per harm")
    for h in harm_ids:
        print(f"  {h:<24} {long_harms[h]:>4}")

    per_example = Counter(len(e["metadata"].get("harms") or []) for e in good)
    _table(
        "harms per example", [(f"{k} harm{'s' if k != 1 else ''}", per_example[k]) for k in sorted(per_example)], total
    )
    multi = sum(n for k, n in per_example.items() if k >= 2)
    print(f"  multi-harm (2+): {multi} of {total} ({100 * multi / total:.1f} %)")
    # the same, not counting the harms a convention implies (doxxing_hate -> doxxing, hate;
    # sextortion -> image_abuse), so it measures stories that really tell of several things
    beyond = 0
    for e in good:
        harms = set(e["metadata"].get("harms") or [])
        if "doxxing_hate" in harms:
            harms -= {"doxxing", "hate"}
        if "sextortion" in harms:
            harms -= {"image_abuse"}
        beyond += len(harms) >= 2
    print(f"  multi-harm, implied harms not counted: {beyond} of {total} ({100 * beyond / total:.1f} %)")

    _table("per asker", [(a, sum(e["metadata"].get("asker") == a for e in good)) for a in ASKERS], total)
    minors = sum(e["metadata"].get("minor") is True for e in good)
    print(f"\nminor involved: {minors} of {total} ({100 * minors / total:.1f} %)")

    platforms = Counter(p for e in good for p in e["metadata"].get("platforms") or [])
    none = sum(not e["metadata"].get("platforms") for e in good)
    _table("platforms named", [(p, platforms[p]) for p in PLATFORMS] + [("(none)", none)], total)

    duplicates = near_duplicates(texts)
    exact = total - len(set(texts))
    print(f"\nexact duplicates: {exact}; near-duplicates (trigram Jaccard >= {NEAR_DUPLICATE}): {len(duplicates)}")
    for score, a, b in duplicates[:20]:
        print(f"  {score:.2f}  {a[:60]!r}  ~  {b[:60]!r}")

    if PERPETRATOR.exists():
        perp = [e["text"] for e in _examples(PERPETRATOR, "request_harm_other")]
        print(f"\n{PERPETRATOR.relative_to(ROOT)}: {len(perp)} request_harm_other examples")
        for key, n in sorted(_length_buckets(perp).items()):
            print(f"  {key:<24} {n:>4}")
        overlap = set(perp) & set(texts)
        if overlap:
            problems.append(f"{len(overlap)} text(s) in both files")
        perp_duplicates = near_duplicates(perp)
        print(f"  exact duplicates: {len(perp) - len(set(perp))}; near-duplicates: {len(perp_duplicates)}")
        for score, a, b in perp_duplicates[:10]:
            print(f"  {score:.2f}  {a[:60]!r}  ~  {b[:60]!r}")

    if problems:
        print(f"\n{len(problems)} problem(s):", file=sys.stderr)
        for p in problems:
            print(f"  {p}", file=sys.stderr)
    return 1 if (args.check and problems) else 0


if __name__ == "__main__":
    sys.exit(main())
