"""What our NLU graph components share: setting the intent, and the knowledge base."""

from __future__ import annotations

from typing import Any, Dict, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.knowledge import KnowledgeBase, load_knowledge

FALLBACK = "nlu_fallback"


def set_intent(message: Message, name: str, confidence: float) -> None:
    """Make `name` the message's intent, keeping the rest of the ranking below it."""
    intent = {"name": name, "confidence": confidence}
    ranking = [r for r in message.get(INTENT_RANKING_KEY, []) or [] if r.get("name") != name]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent] + ranking, add_to_output=True)


def intent_name(message: Message) -> str:
    return (message.get(INTENT) or {}).get("name") or ""


class KnowledgeComponent(GraphComponent):
    """A component with nothing to train that reads the knowledge base (config `knowledge_dir`,
    default the project's), loaded once per process."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {"knowledge_dir": None}

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "KnowledgeComponent":
        component = cls(config)
        component.warm_up()
        return component

    def warm_up(self) -> None:
        """What a subclass builds once, at start-up, so that the first message doesn't pay for it."""

    def __init__(self, config: Dict[Text, Any]) -> None:
        self.config = config
        self._kb = None

    @property
    def kb(self) -> KnowledgeBase:
        if self._kb is None:
            self._kb = load_knowledge(self.config.get("knowledge_dir"))
        return self._kb

    def process_training_data(self, training_data):
        return training_data
