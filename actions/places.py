"""Where the person is, where the harasser is, and the cross-border route between them."""
from typing import Dict, List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from actions.guidance import ActionEscalation, ActionGuidance
from actions.harms import ActionHarm
from actions.reporting import ActionOffence, ActionReport
from bot import answers
from bot.places import ABROAD, UNKNOWN

ASKING_HARASSER = "action_route:harasser"
SAFETY_RESPONSES = ("utter_emergency", "utter_crisis")  # asked "where are you?" when the place was unknown


class ActionRoute(KnowledgeAction):
    """The harasser is in another country: what to do at home and what works over there."""

    def name(self) -> Text:
        return "action_route"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        harasser = tracker.get_slot("harasser_country")
        if not harasser:
            dispatcher.utter_message(response="utter_ask_harasser_place")
            return [SlotSet("pending", ASKING_HARASSER)]
        return self.answer_for_place(dispatcher, tracker, lambda place: answers.route_answer(self.kb, place, harasser))


# Questions that wait for a place, by the name stored in the `pending` slot.
RESUMABLE: Dict[str, KnowledgeAction] = {
    action.name(): action
    for action in (ActionHarm(), ActionReport(), ActionOffence(), ActionGuidance(), ActionEscalation(), ActionRoute())
}


def _countries(tracker: Tracker) -> List[dict]:
    return [e for e in tracker.latest_message.get("entities") or [] if e.get("entity") == "country"]


def _slot_before_latest_message(tracker: Tracker, slot: str) -> Optional[str]:
    """The slot's value before this message's entities were mapped onto it (None if never set)."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            seen_latest_user = True
        elif seen_latest_user and event.get("event") == "slot" and event.get("name") == slot:
            return event.get("value")
    return None


def _previous_bot_action(tracker: Tracker) -> Optional[str]:
    """The last action the assistant ran before the person's latest message."""
    seen_latest_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_latest_user:
                return None
            seen_latest_user = True
        elif seen_latest_user and event.get("event") == "action" and event.get("name") != "action_listen":
            return event.get("name")
    return None


def _with(tracker: Tracker, events: List[EventType]) -> Tracker:
    """A copy of the tracker with these SlotSet events applied, for answering in the same turn."""
    updated = tracker.copy()
    for event in events:
        if event.get("event") == "slot":
            updated.slots[event["name"]] = event["value"]
    return updated


class ActionLocation(KnowledgeAction):
    """The person said where they are (or where the harasser is): answer what was waiting for it."""

    def name(self) -> Text:
        return "action_location"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        pending = tracker.get_slot("pending")
        countries = _countries(tracker)
        previous = _previous_bot_action(tracker)
        if previous in SAFETY_RESPONSES and countries:  # danger first: the numbers for their place, now
            dispatcher.utter_message(response=previous)
            return []
        if pending == ASKING_HARASSER:
            events = self._harasser_events(tracker, countries)
            return events + RESUMABLE["action_route"].answer(dispatcher, _with(tracker, events))
        events: List[EventType] = []
        if not countries:  # "I'm in Ireland": a place we don't cover. Never ask again.
            events.append(SlotSet("victim_country", UNKNOWN))
            dispatcher.utter_message(response="utter_unknown_place")
        resume = RESUMABLE.get((pending or "").partition(":")[0])
        victim, harasser = tracker.get_slot("victim_country"), tracker.get_slot("harasser_country")
        if resume is None and any(e.get("role") == "harasser" for e in countries) and harasser != victim:
            resume = RESUMABLE["action_route"]
        if resume is None and countries and tracker.get_slot("harm"):
            resume = RESUMABLE["action_harm"]
        if resume is not None:
            return events + resume.answer(dispatcher, _with(tracker, events))
        if countries and victim:
            dispatcher.utter_message(text=f"Thank you. I'll keep in mind that you're in "
                                          f"{self.kb.places.name(self.place(tracker))}.")
        dispatcher.utter_message(response="utter_ask_harm")
        return events

    @staticmethod
    def _harasser_events(tracker: Tracker, countries: List[dict]) -> List[EventType]:
        """The answer to "which country are they in?": a bare place belongs to the harasser."""
        if not countries:  # "not sure"
            return [SlotSet("harasser_country", ABROAD)]
        events: List[EventType] = [SlotSet("harasser_country", countries[0]["value"])]
        if not any(e.get("role") == "harasser" for e in countries):  # undo the default victim role
            events += [SlotSet("victim_country", _slot_before_latest_message(tracker, "victim_country")),
                       SlotSet("victim_region", _slot_before_latest_message(tracker, "victim_region"))]
        return events
