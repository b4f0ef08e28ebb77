#!/usr/bin/env python
"""Cross-validation of the situation frame's harm classifiers: precision, recall and F1 per harm.

The same training sets and the same model as the Rasa component (bot/nlu/situation.py,
bot/nlu/frame_model.py), k-fold over the labelled examples, each message read as the
component reads it (clause by clause, plus the whole message).

    .venv/bin/python scripts/frame_crossval.py [--folds 5] [--threshold 0.5] [--sweep] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from bot.nlu.frame_model import FrameModel
from bot.nlu.situation import SituationReader, training_sets


def component_config() -> dict:
    config = SituationReader.get_default_config()
    for step in yaml.safe_load((ROOT / "config.yml").read_text())["pipeline"]:
        if step["name"].endswith("SituationReader"):
            config.update({k: v for k, v in step.items() if k != "name"})
    return config


def score(gold, predicted, harms):
    rows = {}
    for harm in harms:
        tp = sum(harm in g and harm in p for g, p in zip(gold, predicted, strict=False))
        fp = sum(harm not in g and harm in p for g, p in zip(gold, predicted, strict=False))
        fn = sum(harm in g and harm not in p for g, p in zip(gold, predicted, strict=False))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        rows[harm] = {"precision": precision, "recall": recall, "f1": f1, "support": tp + fn}
    tp = sum(len(set(g) & set(p)) for g, p in zip(gold, predicted, strict=False))
    fp = sum(len(set(p) - set(g)) for g, p in zip(gold, predicted, strict=False))
    fn = sum(len(set(g) - set(p)) for g, p in zip(gold, predicted, strict=False))
    micro_p = tp / (tp + fp) if tp + fp else 0.0
    micro_r = tp / (tp + fn) if tp + fn else 0.0
    micro = {
        "precision": micro_p,
        "recall": micro_r,
        "f1": 2 * micro_p * micro_r / (micro_p + micro_r) if micro_p + micro_r else 0.0,
    }
    exact = sum(set(g) == set(p) for g, p in zip(gold, predicted, strict=False)) / len(gold)
    return rows, micro, exact


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--threshold", type=float, default=None, help="default: config.yml's harm_threshold")
    parser.add_argument("--sweep", action="store_true", help="also report micro F1 for thresholds 0.3 to 0.8")
    parser.add_argument("--json")
    args = parser.parse_args()
    config = component_config()
    data = load_data(str(ROOT / "data" / "nlu"))
    harm_examples, ask_examples = training_sets(
        data.intent_examples, config["harm_free_intents"], config.get("ask_intents")
    )
    random.Random(7).shuffle(harm_examples)
    folds = [harm_examples[i :: args.folds] for i in range(args.folds)]
    thresholds = [args.threshold or config["harm_threshold"]]
    if args.sweep:
        thresholds += [t / 20 for t in range(6, 17)]
    gold, scored = [], []
    for k, test in enumerate(folds):
        train = [e for j, fold in enumerate(folds) if j != k for e in fold]
        model = FrameModel(
            harm_threshold=0.0,
            harm_thresholds={},
            ask_threshold=config["ask_threshold"],
            random_state=config["random_state"],
        ).fit(train, ask_examples)
        for text, harms in test:
            gold.append(list(harms))
            scored.append({f.label: f.score for f in model.read_harms(text)})
    harms = sorted({h for g in gold for h in g})
    results = {}
    for threshold in thresholds:
        predicted = [[h for h, s in found.items() if s >= threshold] for found in scored]
        results[threshold] = score(gold, predicted, harms)
    per_harm = config.get("harm_thresholds") or {}
    configured = [[h for h, s in found.items() if s >= per_harm.get(h, config["harm_threshold"])] for found in scored]
    _, configured_micro, configured_exact = score(gold, configured, harms)
    rows, micro, exact = results[thresholds[0]]
    print(
        f"{len(gold)} labelled examples ({sum(1 for g in gold if g)} with harms), {args.folds}-fold, "
        f"threshold {thresholds[0]}"
    )
    print(f"\n{'harm':<22}{'precision':>10}{'recall':>8}{'f1':>7}{'support':>9}")
    for harm, row in rows.items():
        print(f"{harm:<22}{row['precision']:>10.2f}{row['recall']:>8.2f}{row['f1']:>7.2f}{row['support']:>9}")
    macro = sum(r["f1"] for r in rows.values()) / len(rows)
    print(
        f"\nmicro precision {micro['precision']:.3f} recall {micro['recall']:.3f} f1 {micro['f1']:.3f}; "
        f"macro f1 {macro:.3f}; exact set match {exact:.1%}"
    )
    print(
        f"with config.yml's per-harm thresholds: micro precision {configured_micro['precision']:.3f} "
        f"recall {configured_micro['recall']:.3f} f1 {configured_micro['f1']:.3f}; exact {configured_exact:.1%} "
        "(thresholds chosen on these same folds, so slightly optimistic)"
    )
    single = [[max(found, key=found.get)] if found and max(found.values()) >= 0.5 else [] for found in scored]
    _, single_micro, single_exact = score(gold, single, harms)
    print(
        f"one label per message (what a single intent gives): micro precision {single_micro['precision']:.3f} "
        f"recall {single_micro['recall']:.3f} f1 {single_micro['f1']:.3f}; exact {single_exact:.1%}"
    )
    counts = Counter(len(g) for g in gold)
    print("harms per example: " + ", ".join(f"{n}: {c}" for n, c in sorted(counts.items())))
    if args.sweep:
        print("\nthreshold sweep (micro precision / recall / f1):")
        for threshold in thresholds[1:]:
            _, m, _ = results[threshold]
            print(f"  {threshold:.2f}: {m['precision']:.3f} / {m['recall']:.3f} / {m['f1']:.3f}")
        print("\nbest threshold per harm (F1), for config.yml's harm_thresholds:")
        for harm in harms:
            best = max(thresholds[1:], key=lambda t: (results[t][0][harm]["f1"], -abs(t - 0.5)))
            row = results[best][0][harm]
            print(f"  {harm}: {best:.2f}   # f1 {row['f1']:.2f} (p {row['precision']:.2f}, r {row['recall']:.2f})")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"per_harm": rows, "micro": micro, "macro_f1": macro, "exact": exact}, indent=1)
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
