"""The deterministic safety net's patterns, loaded from safety_patterns.yml beside this file."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Pattern, Tuple

import yaml

DEFAULT_FILE = Path(__file__).with_name("safety_patterns.yml")
ORDER = ("self_harm", "danger")  # despair first: the crisis line reply also carries emergency numbers


@dataclass
class SafetyPatterns:
    rules: Dict[str, Tuple[List[Pattern], List[Pattern]]]

    def classify(self, text: str) -> Optional[str]:
        """'self_harm', 'danger' or None for one message."""
        if not text:
            return None
        text = " ".join(text.replace("’", "'").replace("‘", "'").split())[:5000]
        for intent in ORDER:
            patterns, unless = self.rules.get(intent, ([], []))
            if any(p.search(text) for p in patterns) and not any(u.search(text) for u in unless):
                return intent
        return None


def load_safety_patterns(path: Optional[str] = None) -> SafetyPatterns:
    source = Path(path) if path else DEFAULT_FILE
    with source.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    rules = {}
    for intent in ORDER:
        block = raw.get(intent)
        if not block or not block.get("patterns"):
            raise ValueError(f"{source}: '{intent}' needs at least one pattern")
        try:
            rules[intent] = ([re.compile(p, re.I) for p in block["patterns"]],
                             [re.compile(p, re.I) for p in block.get("unless", [])])
        except re.error as error:
            raise ValueError(f"{source}: '{intent}': bad pattern: {error}") from error
    return SafetyPatterns(rules)
