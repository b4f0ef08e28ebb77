"""Where to report, which offence, which numbers, and people to talk to."""
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from bot import answers


class ActionReport(KnowledgeAction):
    def name(self) -> Text:
        return "action_report"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if not self.place_asked(tracker):
            return self.ask_place(dispatcher, self.name())
        self.send(dispatcher, tracker, answers.report_answer(self.kb, self.place(tracker), tracker.get_slot("harm")))
        return [SlotSet("pending", None)]


class ActionOffence(KnowledgeAction):
    def name(self) -> Text:
        return "action_offence"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        if not self.place_asked(tracker):
            return self.ask_place(dispatcher, self.name())
        self.send(dispatcher, tracker, answers.offence_answer(self.kb, tracker.get_slot("harm"), self.place(tracker)))
        return [SlotSet("pending", None)]


class ActionEmergencyNumber(KnowledgeAction):
    """Never asks first: with no place, every covered number at once."""

    def name(self) -> Text:
        return "action_emergency_number"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        self.send(dispatcher, tracker, answers.emergency_answer(self.kb, self.place(tracker)))
        return []


class ActionTalkToSomeone(KnowledgeAction):
    def name(self) -> Text:
        return "action_talk_to_someone"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        self.send(dispatcher, tracker, answers.talk_to_someone_answer(self.kb, self.place(tracker)))
        return []
