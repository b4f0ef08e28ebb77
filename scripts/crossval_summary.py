#!/usr/bin/env python
"""Print the headline of a `rasa test nlu --cross-validation` run: F1 overall and the weakest intents."""

import json
import sys
from pathlib import Path


def main(folder: str) -> int:
    report_path = Path(folder) / "intent_report.json"
    if not report_path.exists():
        print(f"no {report_path}: did the cross-validation run?", file=sys.stderr)
        return 1
    report = json.loads(report_path.read_text())
    intents = {
        k: v
        for k, v in report.items()
        if isinstance(v, dict) and "f1-score" in v and k not in ("micro avg", "macro avg", "weighted avg")
    }
    for key in ("accuracy",):
        if key in report:
            print(f"intent accuracy: {report[key]:.3f}")
    for key in ("macro avg", "weighted avg"):
        if key in report:
            print(f"intent F1 ({key}): {report[key]['f1-score']:.3f}")
    print("weakest intents (F1, support):")
    for name, scores in sorted(intents.items(), key=lambda kv: kv[1]["f1-score"])[:8]:
        print(f"  {name:<24} {scores['f1-score']:.3f}  {scores['support']}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "results/crossval"))
