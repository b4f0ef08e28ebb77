"""Unsure what the person meant: a clarifying question with options, never a dead end."""
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from actions.places import ActionLocation
from bot import answers


class ActionClarify(KnowledgeAction):
    def name(self) -> Text:
        return "action_clarify"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if tracker.get_slot("pending") and not self.place_asked(tracker):
            # We just asked where they are: an answer we can't read is a place we don't cover.
            return ActionLocation().answer(dispatcher, tracker)
        text = tracker.latest_message.get("text") or ""
        question = answers.clarify_question(text)
        dispatcher.utter_message(text=question, buttons=[{"title": t, "payload": p} for t, p in answers.CLARIFY_BUTTONS])
        return []
