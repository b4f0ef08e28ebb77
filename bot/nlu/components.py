"""The last two NLU graph components: reference questions, and the safety net.

`ReferenceDetector`: a question naming a section that exists in the knowledge base
("maximum for s 346?") is a reference question even when the classifier was unsure.

`SafetyNet`: the deterministic backstop (bot/nlu/safety.py), in English and, for a message
in another language, in that language (bot/nlu/languages.py: an `other_language` intent
and a `language` entity, or the danger and despair intents). It runs last and reads the
whole message. It adds what it found as entities (`danger`: immediate or risk;
`despair`, `told_to_self_harm`, `harm_request`: yes), and sets the intent that must win:
`self_harm` (the person's own despair), `danger` (immediate), `request_harm_other`, or
`told_to_self_harm` (others telling them to hurt themselves), whatever the classifier
thought. The rules then send the right response first, and the answer still follows.
When the classifier alone guessed danger or despair, on a message the net reads as calm,
the guess stands only for a short, confident one; otherwise the message is answered for
what it is about, with a risk line.
"""

from __future__ import annotations

import logging
import re
from typing import Any, Dict, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge.base import extract_section
from bot.limits import MAX_MESSAGE_CHARS  # every character any channel accepts is read
from bot.nlu import languages
from bot.nlu.base import FALLBACK, KnowledgeComponent, intent_name, set_intent
from bot.nlu.safety import SafetyPatterns, load_safety_patterns
from bot.nlu.text import clauses

logger = logging.getLogger(__name__)

REFERENCE = "ask_reference"
SAFETY_ENTITIES = ("danger", "despair", "told_to_self_harm", "harm_request", "language")
OTHER_LANGUAGE = "other_language"
CLASSIFIER_ONLY = ("danger", "self_harm", "told_to_self_harm")  # the net confirms these, or they are demoted
TRUST_CONFIDENCE, TRUST_WORDS = 0.8, 20
_DONE_TO_ME = re.compile(
    r"\b(harass\w*|threaten\w*|stalk\w*|bull\w*|abus\w*|messag\w*|track\w*|follow\w*|post\w*|shar\w*|leak\w*|"
    r"blackmail\w*|extort\w*|dox\w*|impersonat\w*|target\w*|send\w*)\s+(me|us)\b"
    r"|\b(about|of|against)\s+(me|us)\b|\bmy\s+(address|nudes|pics|photos|details|number|account|name|location)\b"
    r"|\b(i'?m|i am|i've been|ive been|we'?re|we are) being\b",
    re.I,
)
INCITEMENT = "incitement_self_harm"


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
            intent = message.get("intent") or {}
            if intent.get("name") not in self.UNSURE and intent.get("confidence", 0.0) >= below:
                continue
            section = extract_section((message.get(TEXT) or "")[:MAX_MESSAGE_CHARS])
            if section and self.kb.offence(section):
                set_intent(message, REFERENCE, 1.0)
        return messages


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=False,
)
class SafetyNet(GraphComponent):
    """Danger and despair always win, and are read from the whole message (safety_patterns.yml)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"patterns_file": None}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SafetyNet":
        languages.warm_up()  # the detector's models load now, not on someone's first message
        return cls(load_safety_patterns(config.get("patterns_file")), languages.LanguageNet())

    def __init__(self, patterns: SafetyPatterns, other_languages: Optional["languages.LanguageNet"] = None) -> None:
        self.patterns = patterns
        self.other_languages = other_languages

    def process_training_data(self, training_data):
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT) or ""
            reading = self.patterns.read(text)
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in SAFETY_ENTITIES]
            found = {
                "danger": reading.danger,
                "despair": reading.despair and "yes",
                "told_to_self_harm": reading.told_to_self_harm and "yes",
                "harm_request": reading.harm_request and "yes",
            }
            for entity, value in found.items():
                if value:
                    entities.append(_whole(entity, value, text))
            if reading.told_to_self_harm and not any(
                e.get("entity") == "harm" and e.get("value") == INCITEMENT for e in entities
            ):
                entities.append(_whole("harm", INCITEMENT, text))
            flagged = reading.intent
            if not flagged and self.other_languages is not None:
                flagged = self._other_language(text, entities)
            if flagged:
                if intent_name(message) != flagged:
                    logger.info("safety net set intent %s (classifier said %s)", flagged, intent_name(message))
                set_intent(message, flagged, 1.0)
            elif intent_name(message) == "request_harm_other" and not self._trust_request(message, entities):
                # A story of harm suffered, or someone asking for a person they help, is never refused
                # on the classifier's word alone: refusing a victim harms them; our answers teach no harm.
                set_intent(message, "describe_harm", 1.0)
            elif intent_name(message) in CLASSIFIER_ONLY and not self._trust(message, text):
                # The classifier, trained on short messages, guessed danger or despair in words the
                # net doesn't see as such (a long story told in the past): keep its worry as a risk
                # line, and answer what the message is about.
                if intent_name(message) == "danger" and not reading.danger:
                    entities.append(_whole("danger", "risk", text))
                _demote(message, entities)
            message.set(ENTITIES, entities, add_to_output=True)
        return messages

    def _other_language(self, text: str, entities: List[dict]) -> Optional[str]:
        """A message in another language: its code as an entity, and the intent for its level."""
        flag = self.other_languages.classify(text[:MAX_MESSAGE_CHARS])
        if flag is None:
            return None
        entities.append(_whole("language", flag.language, text))
        if flag.level == "self_harm":
            entities.append(_whole("despair", "yes", text))
            return "self_harm"
        if flag.level == "danger":
            entities.append(_whole("danger", "immediate", text))
            return "danger"
        return OTHER_LANGUAGE

    @staticmethod
    def _trust_request(message: Message, entities: List[dict]) -> bool:
        """The classifier's "a request to harm someone", unless the person is telling of harm done
        to them ("harassing me", "posted my address") or asking for someone they help."""
        confidence = (message.get("intent") or {}).get("confidence", 0.0)
        helper = any(e.get("entity") == "asker" for e in entities)
        return confidence >= TRUST_CONFIDENCE and not helper and not _DONE_TO_ME.search(message.get(TEXT) or "")

    @staticmethod
    def _trust(message: Message, text: str) -> bool:
        """A confident guess on a short message stands: a false alarm costs one line, and the answer
        still follows (data/rules/safety.yml)."""
        confidence = (message.get("intent") or {}).get("confidence", 0.0)
        return confidence >= TRUST_CONFIDENCE and len(clauses(text)) <= 1 and len(text.split()) <= TRUST_WORDS


def _demote(message: Message, entities: List[dict]) -> None:
    if any(e.get("entity") == "harm" for e in entities):
        set_intent(message, "describe_harm", 1.0)
        return
    for candidate in message.get(INTENT_RANKING_KEY) or []:
        if candidate.get("name") not in CLASSIFIER_ONLY:
            set_intent(message, candidate["name"], candidate.get("confidence", 0.0))
            return
    set_intent(message, FALLBACK, 0.0)


def _whole(entity: str, value: str, text: str) -> dict:
    return {
        "entity": entity,
        "value": value,
        "start": 0,
        "end": len(text),
        "confidence_entity": 1.0,
        "extractor": SafetyNet.__name__,
    }
