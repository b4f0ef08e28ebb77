#!/usr/bin/env python
"""Write bot/nlu/english_words.txt: the English words people use here, from the training data.

The language detector (bot/nlu/languages.py) calls a message English when most of its words
are in this list, before any model is asked: short English messages ("i'm in sydney", "the
police dont care") are easy for a statistical detector to mistake for Tagalog or Romanian.
The list is every word seen at least twice in data/nlu/ plus every place alias in the
knowledge base, so it follows the data.

    .venv/bin/python scripts/english_words.py           # rewrite the list
    .venv/bin/python scripts/english_words.py --check   # exit 1 if it no longer matches the data
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bot" / "nlu" / "english_words.txt"
TOKEN = re.compile(r"[a-z]+(?:'[a-z]+)?")
MIN_COUNT = 2


def texts():
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            examples = block.get("examples") or []
            if isinstance(examples, str):
                yield from (line[2:] for line in examples.splitlines() if line.startswith("- "))
            else:
                yield from (e["text"] for e in examples if isinstance(e, dict))


def aliases():
    for path in sorted((ROOT / "knowledge" / "jurisdictions").glob("*.yml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entry in [data] + list(data.get("regions") or []):
            yield from [entry.get("name", "")] + list(entry.get("aliases") or [])


def words():
    counts = Counter(w.replace("'", "") for text in texts() for w in TOKEN.findall(text.lower()))
    found = {w for w, n in counts.items() if n >= MIN_COUNT}
    found |= {w.replace("'", "") for alias in aliases() for w in TOKEN.findall(alias.lower())}
    return sorted(w for w in found if len(w) > 1 or w == "i")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    wanted = "\n".join(words()) + "\n"
    if args.check:
        if OUT.read_text(encoding="utf-8") != wanted:
            print(f"{OUT} is out of date: run scripts/english_words.py", file=sys.stderr)
            return 1
        print(f"{OUT.name} matches the training data")
        return 0
    OUT.write_text(wanted, encoding="utf-8")
    print(f"wrote {len(wanted.splitlines())} words to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
