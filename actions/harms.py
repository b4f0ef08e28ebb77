"""What happened: name the harm in the law's words, where to report, the next step."""
from typing import List, Optional, Text

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.base import KnowledgeAction
from bot import answers

HARM_INTENT_PREFIX = "harm_"


def harm_from_intent(intent: Optional[str]) -> Optional[str]:
    """"harm_doxxing" -> "doxxing"; anything else -> None."""
    if intent and intent.startswith(HARM_INTENT_PREFIX):
        return intent[len(HARM_INTENT_PREFIX):]
    return None


class ActionHarm(KnowledgeAction):
    def name(self) -> Text:
        return "action_harm"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker) -> List[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        harm = harm_from_intent(intent)
        events: List[EventType] = []
        question = None
        if harm in self.kb.harms:
            question = tracker.latest_message.get("text") or ""
            harm = answers.refine_harm(self.kb, harm, question)
            events.append(SlotSet("harm", harm))
        else:  # resumed after the person said where they are
            harm = tracker.get_slot("harm")
        if harm not in self.kb.harms:
            dispatcher.utter_message(response="utter_ask_harm")
            return events
        if not self.place_asked(tracker):  # help now with what holds anywhere, then ask where
            self.send(dispatcher, tracker, answers.harm_first_steps(self.kb, harm, first=not self.opened(tracker),
                                                                    question=question))
            return events + [SlotSet("opened", True)] + self.ask_place(dispatcher, self.name())
        self.send(dispatcher, tracker, answers.harm_answer(self.kb, harm, self.place(tracker),
                                                           first=not self.opened(tracker), question=question))
        return events + [SlotSet("opened", True), SlotSet("pending", None)]
