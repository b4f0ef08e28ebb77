"""CueExtractor: the parts of the situation frame that words show plainly.

Entities, each with the span that showed it:
- `platform` (e.g. "instagram"): the platforms named, from the knowledge base's platform aliases;
- `service` (a contact id, e.g. "nz-netsafe"): a reporting or help service named ("can eSafety...");
- `asker` ("helper" or "volunteer"): someone asking for another person;
- `minor` ("yes"): a child or young person involved (an age under 18, "my daughter", "at school");
- `ask` (e.g. "ask_unmask"): questions that words show plainly ("can I find out who is behind it?").

Patterns for asker and minor are data (cue_patterns.yml beside this file); platform and
service names come from the knowledge base, so adding a platform never touches code.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Pattern, Tuple

import yaml
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.limits import MAX_MESSAGE_CHARS  # every character any channel accepts is read
from bot.nlu.base import KnowledgeComponent
from bot.nlu.languages import english_words as mostly_english_words
from bot.nlu.text import clean

DEFAULT_FILE = Path(__file__).with_name("cue_patterns.yml")
CUE_ENTITIES = ("platform", "service", "asker", "minor")  # and `ask`, shared with the trained reader
SERVICE_KINDS = ("report", "regulator", "support", "youth", "oversight")


def load_cue_patterns(path: Optional[str] = None) -> Dict:
    source = Path(path) if path else DEFAULT_FILE
    raw = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    try:
        asker = {role: [re.compile(p, re.I) for p in patterns] for role, patterns in (raw.get("asker") or {}).items()}
        minor = [re.compile(p, re.I) for p in raw.get("minor") or []]
        asks = {ask: [re.compile(p, re.I) for p in patterns] for ask, patterns in (raw.get("asks") or {}).items()}
    except re.error as error:
        raise ValueError(f"{source}: bad pattern: {error}") from error
    if not asker or not minor:
        raise ValueError(f"{source}: needs 'asker' and 'minor' patterns")
    return {"asker": asker, "minor": minor, "asks": asks}


def service_aliases(name: str) -> List[str]:
    """Names a person uses for a service: "eSafety Commissioner" -> esafety commissioner, esafety,
    e-safety; "FBI Internet Crime Complaint Center (IC3)" -> ..., ic3; "WiredSafety" -> wiredsafety,
    wired safety. A single ordinary word of a name ("Kids" of "Kids Helpline") is never one."""
    aliases = set()
    main = re.sub(r"\s*\(.*?\)", "", name).strip()
    aliases.add(main.lower())
    for inner in re.findall(r"\(([^)]*)\)", name):
        if len(inner.split()) == 1 and len(inner) >= 3:
            aliases.add(inner.lower())  # IC3, ACCCE
    for brand in re.findall(r"\b([A-Za-z]*[a-z][A-Z][A-Za-z]*)\b", name):  # eSafety, WiredSafety, ReportCyber
        aliases.add(brand.lower())
        aliases.add(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", brand).lower())
        if re.match(r"^e[A-Z]", brand):
            aliases.add(f"e-{brand[1:].lower()}")
    return sorted(a for a in aliases if len(a) >= 3)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class CueExtractor(KnowledgeComponent, EntityExtractorMixin):
    def __init__(self, config) -> None:
        super().__init__(config)
        self.patterns = load_cue_patterns(config.get("patterns_file"))
        self._names: Optional[List[Tuple[Pattern, str, str]]] = None

    @staticmethod
    def get_default_config():
        return {"knowledge_dir": None, "patterns_file": None}

    @property
    def names(self) -> List[Tuple[Pattern, str, str]]:
        """(pattern, entity, value) for every platform and service alias, longest first."""
        if self._names is None:
            found: List[Tuple[str, str, str]] = []
            for platform in getattr(self.kb, "platforms", {}).values():
                for alias in [platform.name] + list(platform.aliases):
                    found.append((alias.lower(), "platform", platform.id, platform.name))
            for jurisdiction in self.kb.covered():
                for contact in jurisdiction.contacts:
                    if contact.kind in SERVICE_KINDS:
                        found += [
                            (alias, "service", contact.id, contact.name) for alias in service_aliases(contact.name)
                        ]
            found.sort(key=lambda item: -len(item[0]))
            self._names = [(_alias_pattern(alias, original), entity, value) for alias, entity, value, original in found]
        return self._names

    def read(self, text: str) -> List[dict]:
        text = clean(text)[:MAX_MESSAGE_CHARS]
        entities: List[dict] = []
        taken: List[Tuple[int, int]] = []
        for pattern, entity, value in self.names:
            for match in pattern.finditer(text):
                if any(s < match.end() and match.start() < e for s, e in taken):
                    continue
                taken.append((match.start(), match.end()))
                entities.append(self._entity(entity, value, match))
        for role in ("volunteer", "helper"):  # a volunteer is also helping someone: the more specific first
            match = _first(self.patterns["asker"].get(role, []), text)
            if match:
                entities.append(self._entity("asker", role, match))
                break
        match = _first(self.patterns["minor"], text)
        if match:
            entities.append(self._entity("minor", "yes", match))
        for ask, patterns in self.patterns["asks"].items():
            match = _first(patterns, text)
            if match:
                entities.append(self._entity("ask", ask, match))
        return _dedupe(entities)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            kept = [
                e
                for e in message.get(ENTITIES) or []
                if e.get("entity") not in CUE_ENTITIES
                and not (e.get("entity") == "ask" and e.get("extractor") == self.__class__.__name__)
            ]
            message.set(ENTITIES, kept + self.read(message.get(TEXT) or ""), add_to_output=True)
        return messages

    def _entity(self, entity: str, value: str, match) -> dict:
        group = next((i for i in range(1, (match.re.groups or 0) + 1) if match.group(i) is not None), 0)
        return {
            "entity": entity,
            "value": value,
            "start": match.start(group),
            "end": match.end(group),
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        }


# A name of one or two letters ("X"): after "on"/"via" as typed; after "get", "report"... or before
# "account", "post"... only as written (capital X), so "x amount" or "report x times" stay words.
_ON = r"\b(?i:on|onto|via)\s+"
_VERB = r"\b(?i:get|getting|report|reported|reporting|from|at|to)\s+"
_NOUN = r"(?=\s+(?i:account|accounts|post|posts|profile|app|dms?|thread|user)\b)"
_PLURAL = r"(?:'?s)?"  # "my tiktoks", "insta's reporting"


def _alias_pattern(alias: str, original: str) -> Pattern:
    """A service or platform name as people write it. A name made only of everyday words ("Take It
    Down", "Kids Helpline") counts only as written, capitals and all, not as a phrase ("take it down").
    A name of one or two letters ("X") counts only as written, after "on", "get", "report"... or
    before "account", "post"...: the name is then group 1."""
    if len(alias) <= 2:
        typed, written = re.escape(alias), re.escape(alias.upper())
        return re.compile(rf"{_ON}((?i:{typed}))(?![\w.])|{_VERB}({written})(?![\w.])|(?<![\w@])({written}){_NOUN}")
    body = re.escape(alias).replace(r"\ ", r"\s+") + _PLURAL
    words = alias.split()
    if len(words) > 1 and all(w in mostly_english_words() for w in words):
        written = re.search(re.escape(alias).replace(r"\ ", r"\s+"), original, re.I)
        if written:
            return re.compile(r"(?<![\w@])" + re.escape(written.group(0)).replace(r"\ ", r"\s+") + r"(?![\w])")
    return re.compile(r"(?<![\w@])" + body + r"(?![\w])", re.I)


def _first(patterns: Iterable[Pattern], text: str):
    hits = [m for m in (p.search(text) for p in patterns) if m]
    return min(hits, key=lambda m: m.start()) if hits else None


def _dedupe(entities: List[dict]) -> List[dict]:
    seen, out = set(), []
    for entity in entities:
        key = (entity["entity"], entity["value"])
        if key not in seen:
            seen.add(key)
            out.append(entity)
    return out
