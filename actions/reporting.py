"""Where to report, which offence, which numbers, and people to talk to."""
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from bot import answers


class ActionReport(KnowledgeAction):
    def name(self) -> Text:
        return "action_report"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        harm = tracker.get_slot("harm")
        return self.answer_for_place(dispatcher, tracker, lambda place: answers.report_answer(self.kb, place, harm))


class ActionOffence(KnowledgeAction):
    def name(self) -> Text:
        return "action_offence"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        harm = tracker.get_slot("harm")
        return self.answer_for_place(dispatcher, tracker, lambda place: answers.offence_answer(self.kb, harm, place))


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
