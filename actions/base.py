"""What every knowledge-base action shares: the knowledge base, and never failing silently."""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import Answer

logger = logging.getLogger(__name__)


class KnowledgeAction(Action, ABC):
    """Base for actions that answer from the knowledge base.

    Subclasses implement `respond()`, returning the events to apply. `run()` wraps it so
    that a failure never leaves a person without a reply: it is logged (without the
    message text) and the person gets `utter_action_failed`, which carries the emergency
    numbers. The knowledge base can be handed in (tests, another jurisdiction set);
    by default it is the project's, loaded once per process.
    """

    def __init__(self, kb: Optional[KnowledgeBase] = None) -> None:
        self._kb = kb

    @abstractmethod
    def name(self) -> Text:  # abstract: keeps this base class out of the action registry
        ...

    @abstractmethod
    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]: ...

    @property
    def kb(self) -> KnowledgeBase:
        return self._kb or load_knowledge()

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Dict[Text, Any]
    ) -> List[Dict[Text, Any]]:
        try:
            return self.respond(dispatcher, tracker)
        except Exception:  # noqa: BLE001 - a person in distress must always get a reply
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(response="utter_action_failed")
            return []

    @staticmethod
    def send(dispatcher: CollectingDispatcher, answer: Answer) -> None:
        """The answer as channel-neutral data; each channel renders it (bot/channels/output.py)."""
        dispatcher.utter_message(json_message={"answer": answer.as_dict()})
