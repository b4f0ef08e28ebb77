"""Build trackers the way the action server receives them, and run actions for real."""
from typing import Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

SLOTS = ("victim_country", "victim_region", "harasser_country", "harm", "pending", "opened")


def make_tracker(text: str = "", intent: str = "greet", entities: Optional[List[Dict]] = None,
                 slots: Optional[Dict] = None, channel: str = "rest", history: Optional[List[Dict]] = None) -> Tracker:
    values = {name: None for name in SLOTS}
    values.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.97}, "entities": entities or []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    return Tracker("test-user", values, latest, events, False, None, {}, "action_listen")


def place(country: str, role: str = "victim", region: Optional[str] = None) -> List[Dict]:
    found = [{"entity": "country", "value": country, "role": role, "start": 0, "end": 1}]
    if region:
        found.append({"entity": "region", "value": region, "role": role, "start": 0, "end": 1})
    return found


class Run:
    """One action run: the messages it sent and the events it returned."""

    def __init__(self, messages: List[Dict], events: List[Dict]):
        self.messages, self.events = messages, events

    @property
    def text(self) -> str:
        return "\n".join(m.get("text") or "" for m in self.messages)

    @property
    def responses(self) -> List[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def buttons(self) -> List[Dict]:
        return [b for m in self.messages for b in m.get("buttons") or []]

    def slot(self, name: str):
        values = [e["value"] for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        return values[-1] if values else "<not set>"


@pytest.fixture
def run():
    async def _run(action, tracker: Tracker) -> Run:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, {})
        return Run(dispatcher.messages, events)
    return _run
