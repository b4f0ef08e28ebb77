"""The deterministic safety net: danger, despair and requests to harm, read clause by clause.

`SafetyPatterns.read(text)` reads the whole message (every clause, however long) and says:

- `despair`: thoughts of suicide or self-harm, the person's own ("I don't want to be here") or
  of someone they are helping ("my daughter says she wants to kill herself");
- `told_to_self_harm`: others telling them to ("he told me to kill myself", "comments saying
  kys"): a harm they suffer, not their own despair;
- `danger`: "immediate" (someone at the door, on the way, a weapon, "right now"), "risk"
  (threats, stalking, fear; or a danger told in the past: "yesterday he was outside my work")
  or None;
- `harm_request`: someone asking for help to harm another person.

The patterns are data (safety_patterns.yml beside this file), checked when loaded.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Pattern

import yaml

from bot.nlu.text import clauses, clean

DEFAULT_FILE = Path(__file__).with_name("safety_patterns.yml")
IMMEDIATE, RISK = "immediate", "risk"
_REQUIRED = {
    "self_harm": ("patterns",),
    "told_to_self_harm": ("phrases", "quoted", "reporting_cues"),
    "danger": ("always", "patterns", "with_now", "past_or_habit", "habit", "now"),
    "risk": ("patterns",),
    "request_harm_other": ("patterns",),
}
_DOUBLE = re.compile(r'"')
_OPEN_SINGLE = re.compile(r"(?<![A-Za-z0-9])'(?=[A-Za-z])")  # 'kys' opens; he's and don't don't
_CLOSE_SINGLE = re.compile(r"(?<=[A-Za-z.!?])'(?![A-Za-z])")


@dataclass(frozen=True)
class SafetyReading:
    despair: bool = False
    told_to_self_harm: bool = False
    danger: Optional[str] = None  # IMMEDIATE, RISK or None
    harm_request: bool = False

    @property
    def intent(self) -> Optional[str]:
        """The intent that must win over the classifier's, by precedence."""
        if self.despair:
            return "self_harm"
        if self.danger == IMMEDIATE:
            return "danger"
        if self.harm_request:
            return "request_harm_other"
        if self.told_to_self_harm:
            return "told_to_self_harm"
        return None


@dataclass
class SafetyPatterns:
    rules: Dict[str, Dict[str, List[Pattern]]] = field(default_factory=dict)

    def _any(self, group: str, key: str, text: str) -> bool:
        return any(p.search(text) for p in self.rules[group].get(key, []))

    def read(self, text: str) -> SafetyReading:
        text = clean(text)
        if not text.strip():
            return SafetyReading()
        despair = told = request = False
        danger: Optional[str] = None
        for piece in clauses(text):
            clause = " ".join(piece.text.split())
            own, reported = self._self_harm(clause)
            despair |= own
            told |= (
                reported
                or self._any("told_to_self_harm", "phrases", clause)
                or any(self._any("told_to_self_harm", "quoted", quote) for quote in _quotes(clause))
            )
            level = self._danger(clause)
            if level == IMMEDIATE or (level == RISK and danger is None):
                danger = level
            if self._any("request_harm_other", "patterns", clause) and not self._any(
                "request_harm_other", "unless", clause
            ):
                request = True
        return SafetyReading(despair=despair, told_to_self_harm=told, danger=danger, harm_request=request)

    def _self_harm(self, clause: str):
        """(own despair, reported speech) for one clause."""
        if self._any("self_harm", "unless", clause):
            return False, False
        own = reported = False
        for pattern in self.rules["self_harm"]["patterns"]:
            for match in pattern.finditer(clause):
                before = clause[: match.start()]
                if _NEGATED.search(before[-40:]):
                    continue  # "I'm not going to hurt myself"
                if _THIRD_PERSON.search(match.group(0)):
                    # "my daughter says she wants to kill herself": her despair; "saying she should
                    # kill herself", "told him to go hang himself": words said to her, a harm
                    if _TOLD_TO.search(before) or _INCITE_BEFORE.search(before[-30:]):
                        reported = True
                    else:
                        own = True
                    continue
                if _inside_quotes(before) or self._reported(before):
                    reported = True
                else:
                    own = True
        return own, reported

    def _reported(self, before: str) -> bool:
        """Is the despair phrase after `before` someone else's words said to the person? A reporting
        verb ("told me to", "comments saying") spoken by someone else, not by the person."""
        part = _own_part(before)
        cues = [m for p in self.rules["told_to_self_harm"]["reporting_cues"] for m in p.finditer(part)]
        if not cues:
            return False
        cue = max(cues, key=lambda m: m.start())  # the reporting verb nearest the words
        # "I told my friend I want to die" is the person's own; "my sister keeps telling me I
        # should kill myself", "I'm getting DMs telling me to end my life" are someone else's words.
        return not _SPEAKER_IS_ME.search(part[: cue.start()])

    def _danger(self, clause: str) -> Optional[str]:
        if self._any("danger", "unless", clause):
            return RISK if self._any("risk", "patterns", clause) and not self._any("risk", "unless", clause) else None
        if self._any("danger", "always", clause):
            return IMMEDIATE
        if self._any("danger", "with_now", clause):
            return IMMEDIATE if self._any("danger", "now", clause) else RISK
        match = next((m for p in self.rules["danger"]["patterns"] for m in [p.search(clause)] if m), None)
        if match:
            # told in the past, as a habit or as a threat for later, up to where it is said:
            # "yesterday he was outside my work" is a risk; "she's outside, screaming she'll kill me" is now
            told_so_far = _RELATIVE.sub(" ", clause[: match.end()])
            if (
                self._any("danger", "past_or_habit", told_so_far) or self._any("danger", "habit", clause)
            ) and not self._any("danger", "now", clause):
                return RISK
            return IMMEDIATE
        if self._any("risk", "patterns", clause) and not self._any("risk", "unless", clause):
            return RISK
        return None


_THIRD_PERSON = re.compile(
    r"\b(herself|himself|themselves|her (own )?life|his (own )?life|their (own )?lives?)\b", re.I
)
_TOLD_TO = re.compile(
    r"\b(tell|telling|told|tells|urg\w*|encourag\w*|dar(e|es|ed|ing)|pressur\w*)\b[^.!?]{0,30}"
    r"\bto( go| just)?( and)?\s*$",
    re.I,
)
_INCITE_BEFORE = re.compile(r"\b(should|shld|ought to|needs? to|go and|go|just)\s*$", re.I)
_NEGATED = re.compile(r"\b(not|never|won'?t|wouldn'?t|no intention of|no plans to)\s+(\w+\s+){0,3}$", re.I)
# "the guy who's been messaging me", "the man who has been threatening me online": who someone
# is, not when the danger is.
_RELATIVE = re.compile(r"\b(who|that|which)\b[^,.!?;]{0,40}?\b(me|us|online|him|her|them)\b", re.I)
_QUOTED = re.compile(r'"([^"]+)"|(?<![A-Za-z0-9])\'([^\']+?)\'(?![A-Za-z])')
_JOIN = re.compile(r"\b(?:and|but|so|because|cos|coz|though)\b|,")
_OBLIGATION = re.compile(r"\b(i|me)\s+(should|shld|need to|ought to|must|deserve to)\s+(just\s+)?$", re.I)
_SPEAKER_IS_ME = re.compile(
    r"\b(i|im|i'm|ive|i've|we|we've)( (keep|kept|was|have|had|just|been|even|also|always|"
    r"once|never|already|have been|had been))*\s*$",
    re.I,
)
_FIRST_PERSON = re.compile(r"\b(i|im|i'm|ive|i've|id|i'd)\b", re.IGNORECASE)


def _own_part(before: str) -> str:
    """The words before a despair phrase that belong to it: "they keep telling me to kill myself
    and honestly I [want to die]" is judged on "honestly I", not on what they said. But
    "...keeps saying my life is over and I should [kill myself]" is still what they say."""
    if _OBLIGATION.search(before):
        return before
    last = _JOIN.split(before)[-1]
    return last if _FIRST_PERSON.search(last) else before


def _quotes(clause: str):
    return [m.group(1) or m.group(2) for m in _QUOTED.finditer(clause)]


def _inside_quotes(before: str) -> bool:
    """True when a quotation opened before this point is still open."""
    return len(_DOUBLE.findall(before)) % 2 == 1 or len(_OPEN_SINGLE.findall(before)) > len(
        _CLOSE_SINGLE.findall(before)
    )


def load_safety_patterns(path: Optional[str] = None) -> SafetyPatterns:
    """Read and compile the patterns; a missing list or a bad pattern fails loudly, naming it."""
    source = Path(path) if path else DEFAULT_FILE
    with source.open(encoding="utf-8") as handle:
        raw = yaml.safe_load(handle) or {}
    rules: Dict[str, Dict[str, List[Pattern]]] = {}
    for group, required in _REQUIRED.items():
        block = raw.get(group) or {}
        for key in required:
            if not block.get(key):
                raise ValueError(f"{source}: '{group}' needs at least one entry in '{key}'")
        compiled = {}
        for key, patterns in block.items():
            try:
                compiled[key] = [re.compile(p, re.IGNORECASE) for p in patterns or []]
            except re.error as error:
                raise ValueError(f"{source}: '{group}.{key}': bad pattern: {error}") from error
        rules[group] = compiled
    return SafetyPatterns(rules)
