"""Build trackers the way the action server receives them, and run actions for real."""

from typing import Dict, List, Optional

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from bot.channels.output import answer_of, button_dicts, markdown_reply, text_reply
from bot.channels.twilio_text import SMS, render

SLOTS = (
    "victim_country",
    "victim_region",
    "harasser_country",
    "harms",
    "platforms",
    "minor",
    "asker",
    "place_asked",
    "opener_shown",
    "requested_slot",
    "harasser_place_needed",
)


def make_tracker(
    text: str = "",
    intent: str = "greet",
    entities: Optional[List[Dict]] = None,
    slots: Optional[Dict] = None,
    channel: str = "rest",
    history: Optional[List[Dict]] = None,
    after_user: Optional[List[Dict]] = None,
) -> Tracker:
    """A tracker whose latest message is `text`; `after_user`: events since that message (e.g. a
    rule's response that already went out this turn)."""
    values = {name: None for name in SLOTS}
    values.update(slots or {})
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.97}, "entities": entities or []}
    events = list(history or []) + [{"event": "user", "text": text, "parse_data": latest, "input_channel": channel}]
    events += list(after_user or [])
    return Tracker("test-user", values, latest, events, False, None, {}, "action_listen")


def place(country: str, role: str = "victim", region: Optional[str] = None) -> List[Dict]:
    found = [{"entity": "country", "value": country, "role": role, "start": 0, "end": 1}]
    if region:
        found.append({"entity": "region", "value": region, "role": role, "start": 0, "end": 1})
    return found


def harm(*ids: str) -> List[Dict]:
    return [
        {"entity": "harm", "value": h, "confidence_entity": 0.9 - i / 100, "start": 0, "end": 1}
        for i, h in enumerate(ids)
    ]


def entity(name: str, value: str) -> List[Dict]:
    return [{"entity": name, "value": value, "start": 0, "end": 1}]


class Run:
    """One action run: the messages it sent (answers rendered as the widget would show them) and
    the events it returned."""

    def __init__(self, messages: List[Dict], events: List[Dict]):
        self.messages, self.events = messages, events

    def _rendered(self):
        for message in self.messages:
            answer = answer_of(message.get("custom"))
            if answer is not None:
                yield markdown_reply(answer)
            elif message.get("text"):
                yield message["text"], [(b["title"], b["payload"]) for b in message.get("buttons") or []]

    @property
    def text(self) -> str:
        return "\n".join(text for text, _ in self._rendered())

    @property
    def sms(self) -> str:
        """The answers as the SMS channel sends them."""
        bodies = []
        for answer in self.answers:
            markdown, buttons = text_reply(answer, SMS)
            bodies.append(render(markdown, button_dicts(buttons), SMS))
        return "\n".join(bodies)

    @property
    def answers(self):
        return [answer_of(m.get("custom")) for m in self.messages if answer_of(m.get("custom"))]

    @property
    def responses(self) -> List[str]:
        return [m["response"] for m in self.messages if m.get("response")]

    @property
    def buttons(self) -> List[Dict]:
        return [{"title": t, "payload": p} for _, buttons in self._rendered() for t, p in buttons]

    def slot(self, name: str):
        values = [e["value"] for e in self.events if e.get("event") == "slot" and e.get("name") == name]
        return values[-1] if values else "<not set>"

    @property
    def followup(self) -> Optional[str]:
        return next((e["name"] for e in self.events if e.get("event") == "followup"), None)


@pytest.fixture
def run():
    async def _run(action, tracker: Tracker) -> Run:
        dispatcher = CollectingDispatcher()
        events = await action.run(dispatcher, tracker, {})
        return Run(dispatcher.messages, events)

    return _run
