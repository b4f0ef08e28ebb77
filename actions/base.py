"""What every knowledge-base action shares: the place, asking for it once, and sending answers."""
from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any, Callable, Dict, List, Optional, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.answers import NotFound
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.places import UNKNOWN
from bot.render import Answer, to_markdown, to_plain

logger = logging.getLogger(__name__)

# Input channels whose people read plain text (no Markdown, options as numbers).
PLAIN_TEXT_CHANNELS = {"twilio_sms", "sms", "cmdline"}


class KnowledgeAction(Action, ABC):
    """Base for actions that answer from the knowledge base.

    Subclasses implement `answer()`, returning the events to apply. `run()` wraps it
    so that a failure never leaves a person without a reply: it is logged (without
    the message text) and the person gets `utter_action_failed`, which carries the
    emergency numbers.
    """

    @abstractmethod
    def name(self) -> Text:  # abstract: keeps this base class out of the action registry
        ...

    @abstractmethod
    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        ...

    @property
    def kb(self) -> KnowledgeBase:
        return load_knowledge()

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            return self.answer(dispatcher, tracker)
        except NotFound:
            dispatcher.utter_message(response="utter_ask_harm")
            return []
        except Exception:  # noqa: BLE001 - a person in distress must always get a reply
            logger.exception("action %s failed", self.name())
            dispatcher.utter_message(response="utter_action_failed")
            return []

    # -- helpers -------------------------------------------------------------------------

    @staticmethod
    def place(tracker: Tracker) -> Optional[str]:
        """The person's place: their state if we know it (and it is in their country), else the country."""
        country = tracker.get_slot("victim_country")
        region = tracker.get_slot("victim_region")
        if region and country and region.startswith(country + "-"):
            return region
        return country

    @staticmethod
    def place_asked(tracker: Tracker) -> bool:
        """True once the person has answered "where are you?", even with a place we don't cover."""
        return tracker.get_slot("victim_country") is not None

    def ask_place(self, dispatcher: CollectingDispatcher, resume: str) -> List[EventType]:
        """Ask where the person is, and remember which action to run once they say."""
        dispatcher.utter_message(response="utter_ask_place")
        return [SlotSet("pending", resume)]

    def answer_for_place(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                         compose: Callable[[Optional[str]], Answer], resume: Optional[str] = None) -> List[EventType]:
        """Ask where the person is (once), or answer with `compose(place)` and clear what was waiting."""
        if not self.place_asked(tracker):
            return self.ask_place(dispatcher, resume or self.name())
        self.send(dispatcher, tracker, compose(self.place(tracker)))
        return [SlotSet("pending", None)]

    def send(self, dispatcher: CollectingDispatcher, tracker: Tracker, answer: Answer) -> None:
        buttons = [{"title": title, "payload": payload} for title, payload in answer.buttons]
        if tracker.get_latest_input_channel() in PLAIN_TEXT_CHANNELS:
            dispatcher.utter_message(text=to_plain(answer, reserve=buttons), buttons=buttons)
        else:
            dispatcher.utter_message(text=to_markdown(answer), buttons=buttons)

    def opened(self, tracker: Tracker) -> bool:
        return bool(tracker.get_slot("opened"))


__all__ = ["KnowledgeAction", "UNKNOWN", "PLAIN_TEXT_CHANNELS"]
