"""SituationReader: the trained part of the situation frame, as a Rasa graph component.

It reads the whole message, clause by clause (bot/nlu/frame_model.py), and adds:
- one `harm` entity per harm described (value: a harm id from knowledge/harms.yml; span:
  the clause that showed it; `confidence_entity`: the classifier's score);
- one `ask` entity per question asked (value: an ask intent such as `ask_evidence`).

Training data is Rasa's own: `describe_harm` examples carry their harm ids in Rasa's
example (or intent) metadata, `harms: [image_abuse, doxxing]`; other examples may carry
them too. Examples of `harm_free_intents` are the negatives.

When a message tells of harm or asks something but the classifier took it for small talk
or was unsure ("hi, my ex posted my nudes..."), the intent becomes `describe_harm` (or
the question asked), so substance is never answered with "hello".
"""

from __future__ import annotations

import logging
from typing import Any, Dict, List, Optional, Sequence, Text, Tuple

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.limits import MAX_MESSAGE_CHARS  # every character any channel accepts is read
from bot.nlu.base import FALLBACK, intent_name, set_intent
from bot.nlu.frame_model import NONE, FrameModel
from bot.nlu.text import clauses

logger = logging.getLogger(__name__)

DESCRIBE_HARM = "describe_harm"
FRAME_ENTITIES = ("harm", "ask")
SMALL_TALK = {"greet", "goodbye", "thank", "affirm", "deny", "bot_challenge", "out_of_scope", FALLBACK}
MODEL_FILE = "frame_model.skops"
SURE_OF_HARM, BEST_GUESS = 0.8, 0.25  # the intent's confidence; the least score of a harm named then


# Labels the classifiers don't learn on their own: the composer derives them (doxxing of
# someone for who they are is doxxing plus hate), so they train their parts instead.
COMPOUND = {"doxxing_hate": ("doxxing", "hate")}


def harms_of(message: Message) -> Optional[List[str]]:
    """The harm labels an example carries in its metadata (example first, then its intent block)."""
    metadata = message.get("metadata") or {}
    for level in ("example", "intent"):
        block = metadata.get(level) or {}
        if isinstance(block, dict) and "harms" in block:
            harms: List[str] = []
            for harm in block.get("harms") or []:
                for part in COMPOUND.get(harm, (harm,)):
                    if part not in harms:
                        harms.append(part)
            return harms
    return None


def training_sets(
    examples: Sequence[Message], harm_free: Sequence[str], ask_intents: Optional[Sequence[str]] = None
) -> Tuple[List[Tuple[str, List[str]]], List[Tuple[str, str]]]:
    """(harm examples, ask examples) from NLU examples, as the component trains on them."""
    harm_examples: List[Tuple[str, List[str]]] = []
    ask_examples: List[Tuple[str, str]] = []
    for message in examples:
        text, intent = message.get(TEXT) or "", message.get(INTENT) or ""
        if not text or not intent:
            continue
        harms = harms_of(message)
        if harms is not None:
            harm_examples.append((text, harms))
        elif intent in harm_free:
            harm_examples.append((text, []))
        is_ask = intent in ask_intents if ask_intents else intent.startswith("ask_") or intent == "harasser_overseas"
        if is_ask:
            ask_examples.append((text, intent))
        elif len(clauses(text)) <= 1:  # a story with questions inside isn't a "no question" example
            ask_examples.append((text, NONE))
    return harm_examples, ask_examples


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True
)
class SituationReader(GraphComponent, EntityExtractorMixin):
    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {
            "harm_threshold": 0.5,
            "harm_thresholds": {},  # per harm, where cross-validation finds a better one (config.yml)
            "ask_threshold": 0.55,
            "random_state": 42,
            # intents whose examples tell of no harm: the negatives for the harm classifiers
            "harm_free_intents": [
                "greet",
                "goodbye",
                "thank",
                "affirm",
                "deny",
                "bot_challenge",
                "human_handoff",
                "out_of_scope",
                "inform_location",
                "ask_emergency_number",
                "ask_recording",
                "ask_mp",
                "ask_mlat",
                "ask_budapest",
                "ask_interpol",
                "ask_netsafe",
                "ask_wiredsafety",
                "ask_reference",
            ],
            "ask_intents": None,  # default: every ask_* intent and harasser_overseas
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        model: Optional[FrameModel] = None,
    ) -> None:
        self.config = config
        self._model_storage = model_storage
        self._resource = resource
        self.model = model

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SituationReader":
        return cls(config, model_storage, resource)

    # -- training and persistence ------------------------------------------------------------

    def train(self, training_data: TrainingData) -> Resource:
        harm_examples, ask_examples = training_sets(
            training_data.intent_examples, self.config["harm_free_intents"], self.config.get("ask_intents")
        )
        if not harm_examples or not any(h for _, h in harm_examples):
            logger.warning("SituationReader: no examples carry `harms` metadata; no harm classifier trained")
            return self._resource
        self.model = FrameModel(
            harm_threshold=self.config["harm_threshold"],
            harm_thresholds=dict(self.config.get("harm_thresholds") or {}),
            ask_threshold=self.config["ask_threshold"],
            random_state=self.config["random_state"],
        ).fit(harm_examples, ask_examples)
        self.persist()
        return self._resource

    def persist(self) -> None:
        import skops.io as sio

        with self._model_storage.write_to(self._resource) as directory:
            sio.dump(self.model.state(), directory / MODEL_FILE)

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SituationReader":
        import skops.io as sio

        try:
            with model_storage.read_from(resource) as directory:
                path = directory / MODEL_FILE
                state = sio.load(path, trusted=sio.get_untrusted_types(file=path))
        except ValueError:  # nothing was trained: the reader adds nothing
            logger.warning("SituationReader: no trained frame model in this model")
            return cls(config, model_storage, resource)
        return cls(config, model_storage, resource, FrameModel.from_state(state))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    # -- reading -----------------------------------------------------------------------------

    def read(self, text: str, sure_of_harm: bool = False) -> Tuple[List[dict], List[dict]]:
        """(harm entities, ask entities) for one message. `sure_of_harm`: the intent classifier is
        confident the message tells of harm, so the likeliest harm is named even below threshold."""
        if self.model is None or not text.strip():
            return [], []
        reading = self.model.read(text[:MAX_MESSAGE_CHARS], best_guess=sure_of_harm)
        found = reading.harms
        if not found and reading.best is not None and reading.best.score >= BEST_GUESS:
            found = [reading.best]
        harms = [self._entity("harm", f.label, f.score, f.piece) for f in found]
        asks = [self._entity("ask", f.label, f.score, f.piece) for f in reading.asks]
        return harms, asks

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = message.get(INTENT) or {}
            sure = intent.get("name") == DESCRIBE_HARM and intent.get("confidence", 0.0) >= SURE_OF_HARM
            harms, asks = self.read(message.get(TEXT) or "", sure_of_harm=sure)
            kept = [
                e
                for e in message.get(ENTITIES) or []
                if e.get("entity") not in FRAME_ENTITIES or e.get("extractor") != self.__class__.__name__
            ]
            message.set(ENTITIES, kept + harms + asks, add_to_output=True)
            if intent_name(message) in SMALL_TALK | {"inform_location"} and (harms or asks):
                if harms:
                    set_intent(message, DESCRIBE_HARM, harms[0]["confidence_entity"])
                elif intent_name(message) != "inform_location":
                    set_intent(message, asks[0]["value"], asks[0]["confidence_entity"])
        return messages

    def _entity(self, entity: str, value: str, score: float, piece) -> dict:
        return {
            "entity": entity,
            "value": value,
            "start": piece.start,
            "end": piece.end,
            "confidence_entity": round(score, 3),
            "extractor": self.__class__.__name__,
        }
