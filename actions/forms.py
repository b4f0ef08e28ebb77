"""validate_harasser_place_form: "Which country are they in?", asked once.

The form's slot mapping (domain.yml) takes a bare place ("Canada") as the harasser's while
the form asks. Anything else ("not sure", "somewhere in Europe") is taken as another
country we can't name, so the question is never asked twice; the answer still comes.
"""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import FormValidationAction, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.places import ABROAD

# Messages that must go to their own rules rather than answer the question.
NOT_AN_ANSWER = {"danger", "self_harm", "told_to_self_harm", "request_harm_other"}


class ValidateHarasserPlaceForm(FormValidationAction):
    def name(self) -> Text:
        return "validate_harasser_place_form"

    async def extract_harasser_country(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        if tracker.get_slot("harasser_country") or tracker.get_slot("requested_slot") != "harasser_country":
            return {}
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in NOT_AN_ANSWER:
            return {}
        return {"harasser_country": ABROAD}

    def validate_harasser_country(
        self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> Dict[Text, Any]:
        return {"harasser_country": slot_value if isinstance(slot_value, str) and slot_value else ABROAD}

    async def required_slots(
        self, domain_slots: List[Text], dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> List[Text]:
        return ["harasser_country"]
