"""A volunteer's quick reference question: sections, penalties, dates. Brief, sourced."""
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from bot import answers


class ActionReference(KnowledgeAction):
    def name(self) -> Text:
        return "action_reference"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        question = tracker.latest_message.get("text") or ""
        self.send(dispatcher, tracker, answers.reference_answer(self.kb, question, self.place(tracker)))
        return []
