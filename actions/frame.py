"""The tracker -> the situation frame (bot/frame.py): this message's entities over the
slots that remember earlier turns."""

from __future__ import annotations

from typing import Iterable, List, Optional

from rasa_sdk import Tracker

from bot.frame import HELPER, SELF, VOLUNTEER, Frame, place_of
from bot.knowledge import KnowledgeBase

SAFETY_RESPONSES = ("utter_emergency", "utter_crisis", "utter_told_to_self_harm")
SAFETY_INTENTS = ("danger", "self_harm", "told_to_self_harm")
RANKED_ASK = 0.05  # a question in the classifier's ranking, used when nothing else was found


def _values(entities: Iterable[dict], name: str) -> List[str]:
    found: List[str] = []
    for entity in sorted(
        (e for e in entities if e.get("entity") == name), key=lambda e: -(e.get("confidence_entity") or 0)
    ):
        value = entity.get("value")
        if isinstance(value, str) and value and value not in found:
            found.append(value)
    return found


def _merge(first: Iterable[str], then: Optional[Iterable[str]]) -> List[str]:
    merged: List[str] = []
    for item in list(first) + list(then or []):
        if item not in merged:
            merged.append(item)
    return merged


def safety_sent_this_turn(tracker: Tracker) -> bool:
    """True when a rule already sent the emergency or crisis response since the person's message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "action" and event.get("name") in SAFETY_RESPONSES:
            return True
    return False


def frame_from_tracker(kb: KnowledgeBase, tracker: Tracker) -> Frame:
    latest = tracker.latest_message or {}
    entities = latest.get("entities") or []
    intent = (latest.get("intent") or {}).get("name") or ""
    text = latest.get("text") or ""
    lowered = f" {text.lower()} "
    # a harm of its own with cues ("hate") is read only when one of them is there: the identity targeted
    new_harms = [
        h
        for h in _values(entities, "harm")
        if h in kb.harms
        and (kb.harms[h].refines or not kb.harms[h].cues or any(c in lowered for c in kb.harms[h].cues))
    ]
    asks = _merge(
        [intent] if intent.startswith("ask_") or intent in ("harasser_overseas", "human_handoff") else [],
        _values(entities, "ask"),
    )
    if not asks and not new_harms and intent in ("describe_harm", "nlu_fallback"):
        # told of nothing the frame could name: what the classifier thought it asked comes next
        asks = [
            r["name"]
            for r in latest.get("intent_ranking") or []
            if r.get("name", "").startswith("ask_") and r.get("confidence", 0) >= RANKED_ASK
        ][:1]
    ask_texts = {
        e["value"]: text[e.get("start", 0) : e.get("end", len(text))]
        for e in entities
        if e.get("entity") == "ask" and isinstance(e.get("value"), str)
    }
    asker = (_values(entities, "asker") or [None])[0] or tracker.get_slot("asker") or SELF
    danger = (_values(entities, "danger") or [None])[0]
    return Frame(
        text=latest.get("text") or "",
        intent=intent,
        harms=_merge(new_harms, tracker.get_slot("harms")),
        new_harms=new_harms,
        asks=asks,
        ask_texts=ask_texts,
        danger=danger,
        despair=intent == "self_harm" or bool(_values(entities, "despair")),
        told_to_self_harm=intent == "told_to_self_harm" or bool(_values(entities, "told_to_self_harm")),
        harm_request=intent == "request_harm_other" or bool(_values(entities, "harm_request")),
        language=(_values(entities, "language") or [None])[0],
        asker=asker if asker in (SELF, HELPER, VOLUNTEER) else SELF,
        minor=bool(_values(entities, "minor")) or bool(tracker.get_slot("minor")),
        platforms=_merge(_values(entities, "platform"), tracker.get_slot("platforms")),
        services=_values(entities, "service"),
        victim=place_of(kb, tracker.get_slot("victim_country"), tracker.get_slot("victim_region")),
        harasser=place_of(kb, tracker.get_slot("harasser_country")),
        harasser_new=any(e.get("entity") == "country" and e.get("role") == "harasser" for e in entities),
        opener_shown=bool(tracker.get_slot("opener_shown")),
        place_asked=bool(tracker.get_slot("place_asked")),
        safety_sent=safety_sent_this_turn(tracker) or intent in SAFETY_INTENTS,
    )
