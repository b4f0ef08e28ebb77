"""Language detection on short messages: accuracy, speed and memory of the candidates.

    .venv/bin/python scripts/language_eval.py            # every candidate that is installed
    .venv/bin/python scripts/language_eval.py --only ours

The test set: every example in bot/nlu/safety_languages/*.yml, the everyday messages in
tests/nlu/language_samples.yml, and English: every training example in data/nlu/ (real
English as people here write it). A message counts as right when the detector names its
language (for English: names no other language of ours). Candidates:

- ours-net: the language LanguageNet.classify names (a pattern hit names its language;
  otherwise detect_language), as the pipeline will use it;
- ours: bot.nlu.languages.detect_language alone (scripts, markers, lingua on our languages);
- lingua-ours / lingua-all: lingua-language-detector on our languages (+ neighbours) / on all 75;
- langid-ours / langid-all: py3langid restricted to our languages / on all of its own.

Each candidate runs in its own process, so that memory (peak RSS after loading and detecting
everything, minus the interpreter's baseline) is its own.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bot.nlu.languages import _TRADITIONAL as TRADITIONAL

CANDIDATES = ("ours-net", "ours", "lingua-ours", "lingua-all", "langid-ours", "langid-all")


def samples():
    items = []
    for path in sorted((ROOT / "bot/nlu/safety_languages").glob("*.yml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        for texts in (raw.get("examples") or {}).values():
            for text in texts:
                code = raw["language"]
                if code == "zh" and any(c in TRADITIONAL for c in text):
                    code = "zh-Hant"
                items.append((code, text))
    extra = yaml.safe_load((ROOT / "tests/nlu/language_samples.yml").read_text(encoding="utf-8"))
    for code, texts in extra.items():
        items += [(code, t) for t in texts]
    for path in sorted((ROOT / "data/nlu").glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu", []):
            items += [("en", text) for text in english_examples(block.get("examples"))]
    return items


def english_examples(examples):
    """Rasa's two forms: a block of "- " lines, or a list of {text: ...}; entity markup removed."""
    if isinstance(examples, str):
        texts = [line.strip()[2:] for line in examples.splitlines() if line.strip().startswith("- ")]
    else:
        texts = [item["text"] if isinstance(item, dict) else str(item) for item in examples or []]
    return [re.sub(r"\[([^\]]+)\](\{[^}]*\}|\([^)]*\))", r"\1", t) for t in texts]


def our_codes():
    return sorted(p.stem for p in (ROOT / "bot/nlu/safety_languages").glob("*.yml"))


def make(candidate: str):
    """A function text -> code (None = English or unsure)."""
    codes = set(our_codes())
    if candidate == "ours":
        from bot.nlu.languages import detect_language

        return detect_language
    if candidate == "ours-net":
        from bot.nlu.languages import LanguageNet

        net = LanguageNet()

        def detect(text):
            flag = net.classify(text)
            return flag.language if flag else None

        return detect
    if candidate.startswith("lingua"):
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        if candidate == "lingua-all":
            detector = LanguageDetectorBuilder.from_all_languages().build()
        else:
            from bot.nlu.languages import NEIGHBOURS

            wanted = [getattr(IsoCode639_1, c.upper(), None) for c in sorted(codes | NEIGHBOURS | {"en"})]
            detector = LanguageDetectorBuilder.from_languages(
                *[Language.from_iso_code_639_1(c) for c in wanted if c is not None]
            ).build()

        def detect(text):
            language = detector.detect_language_of(text)
            code = language.iso_code_639_1.name.lower() if language else None
            return None if code in (None, "en") else code

        return detect
    if candidate.startswith("langid"):
        import py3langid.langid as langid

        langid.classify("warm up")
        identifier = langid.IDENTIFIER
        if candidate == "langid-ours":
            identifier.set_languages(sorted((codes & set(identifier.nb_classes)) | {"en"}))

        def detect(text):
            code = identifier.classify(text)[0]
            return None if code == "en" else code

        return detect
    raise SystemExit(f"unknown candidate {candidate}")


def run_one(candidate: str) -> dict:
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    try:
        detect = make(candidate)
    except ImportError as error:
        return {"candidate": candidate, "error": f"not installed ({error.name})"}
    items = samples()
    detect("warm up the model, please")
    loaded = time.perf_counter() - started
    right, total, wrong = defaultdict(int), defaultdict(int), []
    started = time.perf_counter()
    for code, text in items:
        got = detect(text)
        if code == "zh-Hant" and not candidate.startswith("ours"):
            ok = got == "zh"  # the libraries name Chinese, not its script
        else:
            ok = (got is None) if code == "en" else (got == code)
        total[code] += 1
        right[code] += ok
        if not ok:
            wrong.append((code, got, text))
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    others = [c for c in total if c != "en"]
    return {
        "candidate": candidate,
        "messages": len(items),
        "accuracy_other": sum(right[c] for c in others) / sum(total[c] for c in others),
        "english_kept": right["en"] / total["en"],
        "per_language": {c: f"{right[c]}/{total[c]}" for c in sorted(total)},
        "ms_per_message": 1000 * elapsed / len(items),
        "load_s": loaded,
        "memory_mb": (peak - base) / 1024,
        "wrong": wrong[:60],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", choices=CANDIDATES)
    parser.add_argument("--child", choices=CANDIDATES, help=argparse.SUPPRESS)
    parser.add_argument("--wrong", action="store_true", help="list the misses")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(run_one(args.child), ensure_ascii=False))
        return
    for candidate in [args.only] if args.only else CANDIDATES:
        out = subprocess.run([sys.executable, __file__, "--child", candidate], capture_output=True, text=True)
        if out.returncode:
            print(f"{candidate}: failed\n{out.stderr[-1500:]}")
            continue
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if "error" in result:
            print(f"{candidate}: {result['error']}")
            continue
        print(
            f"{candidate:12} other languages {result['accuracy_other']:.1%}  English kept "
            f"{result['english_kept']:.1%}  {result['ms_per_message']:.2f} ms/message  "
            f"load {result['load_s']:.1f} s  +{result['memory_mb']:.0f} MB  ({result['messages']} messages)"
        )
        print("             " + "  ".join(f"{c} {v}" for c, v in result["per_language"].items()))
        if args.wrong:
            for code, got, text in result["wrong"]:
                print(f"             {code} -> {got}: {text}")


if __name__ == "__main__":
    main()
