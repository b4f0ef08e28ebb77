"""Custom Rasa NLU graph components.

`PlaceEntityExtractor`: finds places with the knowledge base's place resolver and
tags each with a role (victim or harasser). It emits two entities per place:
`country` ("AU") and, for states and cities, `region` ("AU-WA"), so slots can be
filled by Rasa's own `from_entity` mappings with roles. A message that is nothing
but a place ("Darwin", "the States") is an answer to "where are you?" and gets
the `inform_location` intent.

`ReferenceDetector`: a question naming a section that exists in the knowledge base
("maximum for s 346?") is a reference question even when the classifier was unsure.

`SafetyNet`: the deterministic backstop for danger and self-harm. It runs last, so
a message that matches its patterns gets the `danger` or `self_harm` intent whatever
the classifier (or the fallback classifier) thought. It never downgrades one.
"""
from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import load_knowledge
from bot.knowledge.base import extract_section
from bot.nlu.safety import SafetyPatterns, load_safety_patterns
from bot.places import normalise

logger = logging.getLogger(__name__)

INFORM_LOCATION = "inform_location"
MAX_SCAN = 20_000  # characters of one message searched for places
FALLBACK = "nlu_fallback"
REFERENCE = "ask_reference"
# Words that make a message about a place even when the place is one we don't know ("I'm in Ireland").
_LOCATION_WORDS = {"in", "from", "live", "living", "lives", "based", "near", "country", "city", "state",
                   "town", "overseas", "abroad", "moved", "located", "sure", "know", "where"}
_FILLER = {"im", "i", "am", "in", "from", "live", "living", "based", "the", "at", "we", "are", "re",
           "ok", "okay", "yes", "yeah", "near", "currently", "right", "now", "um", "uh", "its", "it", "is",
           "he", "hes", "she", "shes", "they", "theyre", "lives", "s", "m"}


def _set_intent(message: Message, name: str, confidence: float) -> None:
    intent = {"name": name, "confidence": confidence}
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) or [] if r.get("name") != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)


class KnowledgeComponent(GraphComponent):
    """Shared by the components that read the knowledge base: nothing to train, the
    knowledge base loaded once (config `knowledge_dir`, default the project's)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"knowledge_dir": None}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "KnowledgeComponent":
        return cls(config)

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        self._kb = None

    @property
    def kb(self):
        if self._kb is None:
            self._kb = load_knowledge(self.config.get("knowledge_dir"))
        return self._kb

    def process_training_data(self, training_data):
        return training_data


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceEntityExtractor(KnowledgeComponent, EntityExtractorMixin):

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = (message.get(TEXT) or "")[:MAX_SCAN]
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in ("country", "region")]
            matches = self.kb.places.find(text) if text.strip() else []
            for match in matches:
                country = self.kb.places.country(match.place) or match.place
                base = {"start": match.start, "end": match.end, "role": match.role,
                        "confidence_entity": 1.0, "extractor": self.__class__.__name__}
                entities.append({**base, "entity": "country", "value": country})
                if match.place != country:
                    entities.append({**base, "entity": "region", "value": match.place})
            message.set(ENTITIES, entities, add_to_output=True)
            intent = message.get(INTENT) or {}
            if matches and _only_places(text, matches):
                _set_intent(message, INFORM_LOCATION, 1.0)
            elif intent.get("name") == INFORM_LOCATION and not matches and \
                    not _LOCATION_WORDS & set(normalise(text).split()):
                # "...", "?", "qwerty": no place and no words about one; ask, don't record a place
                _set_intent(message, FALLBACK, intent.get("confidence", 0.0))
        return messages


def _only_places(text: str, matches) -> bool:
    rest = text
    for match in sorted(matches, key=lambda m: -m.start):
        rest = rest[:match.start] + " " + rest[match.end:]
    return all(word in _FILLER for word in normalise(rest).split())


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class ReferenceDetector(KnowledgeComponent):
    """A question naming a section that is in the knowledge base ("max for s 346 extortion?")
    is a reference question, when the classifier was unsure or thought it out of scope."""

    UNSURE = {FALLBACK, "out_of_scope"}

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"knowledge_dir": None, "below_confidence": 0.5}

    def process(self, messages: List[Message]) -> List[Message]:
        below = self.config.get("below_confidence", 0.5)
        for message in messages:
            intent = message.get(INTENT) or {}
            if intent.get("name") not in self.UNSURE and intent.get("confidence", 0.0) >= below:
                continue
            section = extract_section((message.get(TEXT) or "")[:MAX_SCAN])
            if section and self.kb.offence(section):
                _set_intent(message, REFERENCE, 1.0)
        return messages


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class SafetyNet(GraphComponent):
    """Danger and self-harm words always win. Patterns live in knowledge/safety.yml."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"patterns_file": None}

    @classmethod
    def create(cls, config: Dict[Text, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> "SafetyNet":
        return cls(load_safety_patterns(config.get("patterns_file")))

    def __init__(self, patterns: SafetyPatterns) -> None:
        self.patterns = patterns

    def process_training_data(self, training_data):
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            flagged: Optional[str] = self.patterns.classify(message.get(TEXT) or "")
            if flagged:
                current = (message.get(INTENT) or {}).get("name")
                if current != flagged:
                    logger.info("safety net set intent %s (classifier said %s)", flagged, current)
                _set_intent(message, flagged, 1.0)
        return messages
