"""Guidance topics: evidence, platforms, protection orders, INTERPOL..., escalation and recording."""
from typing import Dict, List, Text, Tuple

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from bot import answers

# The contacts shown with a question about a service: how to reach it comes first.
CONTACTS: Dict[str, List[str]] = {"ask_netsafe": ["nz-netsafe"], "ask_wiredsafety": ["us-wiredsafety"]}

# intent -> (topic ids in knowledge/topics/, does the answer depend on where the person is?)
TOPICS: Dict[str, Tuple[List[str], bool]] = {
    "ask_evidence": (["evidence", "evidence-nz", "evidence-email"], False),
    "ask_protection_order": (["protection-orders"], True),
    "ask_platform_removal": (["platforms-levers", "platforms-report-each-item"], False),
    "ask_mass_reporting": (["platforms-mass-reporting"], False),
    "ask_interpol": (["interpol"], False),
    "ask_mp": (["mp"], False),
    "ask_mlat": (["mlat"], False),
    "ask_budapest": (["budapest"], False),
    "ask_netsafe": (["netsafe-faq", "netsafe-service"], False),
    "ask_wiredsafety": (["wiredsafety-rules"], False),
    "ask_multi_victim": (["multi-victim", "reference-number"], False),
}
TOPIC_LIMIT = 5  # points per topic: short enough for a phone


class ActionGuidance(KnowledgeAction):
    def name(self) -> Text:
        return "action_guidance"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent not in TOPICS:  # resumed after the place was given: the question is in `pending`
            intent = (tracker.get_slot("pending") or "").partition(":")[2]
        topics, needs_place = TOPICS.get(intent, ([], False))
        if not topics:
            dispatcher.utter_message(response="utter_ask_harm")
            return []
        question = tracker.latest_message.get("text") if intent == (tracker.latest_message.get("intent") or {}).get("name") else None

        def compose(place):
            return answers.topic_answer(self.kb, topics, place, limit=TOPIC_LIMIT, question=question,
                                        contacts=CONTACTS.get(intent, []))

        if not needs_place:
            self.send(dispatcher, tracker, compose(self.place(tracker)))
            return [SlotSet("pending", None)]
        return self.answer_for_place(dispatcher, tracker, compose, resume=f"{self.name()}:{intent}")


class ActionEscalation(KnowledgeAction):
    """Police haven't acted: the escalation ladder for the person's country."""

    def name(self) -> Text:
        return "action_escalation"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        return self.answer_for_place(dispatcher, tracker, lambda place: answers.escalation_answer(self.kb, place))


class ActionRecording(KnowledgeAction):
    """Never asks first: with no state known, every state's rule (volunteers ask this way too)."""

    def name(self) -> Text:
        return "action_recording"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        self.send(dispatcher, tracker, answers.recording_answer(self.kb, self.place(tracker)))
        return []
