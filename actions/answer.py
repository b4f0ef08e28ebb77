"""action_answer: one reply to the whole message, composed from the situation frame."""

from __future__ import annotations

from dataclasses import replace
from typing import List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from actions.frame import frame_from_tracker
from bot.compose import compose
from bot.frame import place_of
from bot.places import UNKNOWN

HARASSER_PLACE_NEEDED = "harasser_place_needed"


class ActionAnswer(KnowledgeAction):
    def name(self) -> Text:
        return "action_answer"

    def respond(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        frame = frame_from_tracker(self.kb, tracker)
        # The answer to "where are you?" is a place we don't cover, or nothing we can read ("dunno
        # lol", from the clarify action): the story is answered without a place, never asked again.
        unplaced = not frame.victim.said and frame.place_asked and frame.intent in ("inform_location", "nlu_fallback")
        if unplaced:
            frame = replace(frame, victim=place_of(self.kb, UNKNOWN), intent="inform_location")
        reply = compose(self.kb, frame)
        events: List[EventType] = [
            SlotSet("harms", frame.harms or None),
            SlotSet("platforms", frame.platforms or None),
            SlotSet("minor", frame.minor),
            SlotSet("asker", frame.asker),
        ]
        if unplaced:
            events.append(SlotSet("victim_country", UNKNOWN))
            reply.unknown_place = True
        if reply.unknown_place:  # an answer says it itself; alone, it answers "where are you?"
            if reply.answer is None or unplaced:
                dispatcher.utter_message(response="utter_unknown_place")
            events.append(SlotSet("place_asked", True))
        if reply.answer is not None:
            self.send(dispatcher, reply.answer)
            if reply.answer.opener:
                events.append(SlotSet("opener_shown", True))
        if reply.ask_harasser_place:  # a rule starts the form (data/rules/places.yml)
            return events + [SlotSet(HARASSER_PLACE_NEEDED, True)]
        if tracker.get_slot(HARASSER_PLACE_NEEDED):
            events.append(SlotSet(HARASSER_PLACE_NEEDED, False))
        if reply.ask_place:
            dispatcher.utter_message(response="utter_ask_place")
            events.append(SlotSet("place_asked", True))
        elif reply.answer is None and not reply.unknown_place and not frame.safety_sent:
            dispatcher.utter_message(response="utter_ask_harm")
        if frame.safety_sent and not frame.victim.said:
            events.append(SlotSet("place_asked", True))  # the safety response asked where they are
        return events
