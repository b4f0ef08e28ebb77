"""Unsure what the person meant: a clarifying question with options, never a dead end."""

from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.base import KnowledgeAction
from bot import answers


class ActionClarify(KnowledgeAction):
    def name(self) -> Text:
        return "action_clarify"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        # Answered here, not through a FollowupAction: after a follow-up action no rule says "now
        # listen", so the core fallback would run this action again, up to ten replies in a row.
        if tracker.get_slot("place_asked") and not tracker.get_slot("victim_country"):
            # We just asked where they are: an answer we can't read is a place we don't cover.
            return ActionAnswer(self._kb).respond(dispatcher, tracker)
        if tracker.get_slot("harms") and (tracker.latest_message.get("text") or "").strip():
            # A short follow-up about what they already told us ("what's the most he could get for
            # that?"): answered from the remembered story and what the classifier thought was asked.
            return ActionAnswer(self._kb).respond(dispatcher, tracker)
        question = answers.clarify_question(tracker.latest_message.get("text") or "")
        dispatcher.utter_message(
            text=question, buttons=[{"title": t, "payload": p} for t, p in answers.CLARIFY_BUTTONS]
        )
        return []
