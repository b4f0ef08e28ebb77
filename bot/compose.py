"""Compose one reply from the situation frame: short first, the rest one tap away.

`compose(kb, frame)` answers the whole message at once:
- safety adds, never subtracts: a risk disclosed gets one sentence with the emergency line
  (immediate danger and despair already got their response from a rule, before this);
- several harms: each offence named once (section and maximum), one combined
  "where to report", the cross-border route when the other person is elsewhere, the young
  person's routes for a minor, the platform's own report route when it is known;
- the questions asked, each answered from the knowledge base;
- a specific question gets the specific fact, not a topic dump.

Every section has a priority and a "more" button, so a channel that must cut (a phone
screen, three SMS) leaves out the least important first and offers it one tap away.
Nothing here states a fact of its own: numbers, sections and penalties come from
knowledge/. The words around them (openers, headings) are this module's.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from bot import answers
from bot.frame import IMMEDIATE, RISK, SELF, Frame, Place
from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import Contact, Offence
from bot.places import ABROAD, UNKNOWN
from bot.render import (
    ESSENTIAL, Answer, Button, contact_line, emergency_line, first_sentence, offence_brief, offence_lines, sentence,
    sources_of, topic_lines,
)

ASKS_FILE = Path(__file__).with_name("asks.yml")
DESCRIBE_HARM = "describe_harm"

OPENER = "I'm so sorry this is happening. It is not your fault, and you're doing the right thing by getting help."
HELPER_OPENER = "Thank you for looking out for them. None of this is their fault."
SHORT_OPENER = "I'm so sorry this is happening. It is not your fault."
MAX_OFFENCES = 3
MAX_CONTACTS = 3

# Priorities: lower is shown first and kept longest.
P_ASKED, P_SERVICE, P_LAW, P_MINOR, P_REPORT, P_ROUTE, P_PLATFORM, P_NEXT = 10, 12, 20, 25, 30, 35, 40, 60


@dataclass(frozen=True)
class Ask:
    intent: str
    kind: str
    topics: Sequence[str] = ()
    place: bool = False
    button: Optional[Button] = None
    contacts: Sequence[str] = ()


@lru_cache(maxsize=1)
def asks() -> Dict[str, Ask]:
    raw = yaml.safe_load(ASKS_FILE.read_text(encoding="utf-8")) or {}
    return {intent: Ask(intent, spec["kind"], tuple(spec.get("topics") or ()), bool(spec.get("place")),
                        tuple(spec["button"]) if spec.get("button") else None, tuple(spec.get("contacts") or ()))
            for intent, spec in raw.items()}


def button(intent: str) -> Optional[Button]:
    spec = asks().get(intent)
    return spec.button if spec else None


@dataclass
class Reply:
    """What the action sends: the answer (or nothing), and whether to ask where the person is."""

    answer: Optional[Answer] = None
    ask_place: bool = False
    ask_harasser_place: bool = False
    unknown_place: bool = False  # say honestly that we don't cover their country yet
    notes: List[str] = field(default_factory=list)


# -- the entry point --------------------------------------------------------------------------

def compose(kb: KnowledgeBase, frame: Frame) -> Reply:
    reply = Reply()
    answer = Answer()
    focus = _focus(frame)
    needs_place = bool(frame.new_harms) or any(asks()[a].place for a in frame.asks if a in asks())
    if needs_place and not frame.victim.said and not frame.place_asked and not frame.safety_sent:
        reply.ask_place = True
    if frame.victim.id == UNKNOWN and frame.victim.said and not frame.place_asked:
        reply.unknown_place = True

    _safety(kb, frame, answer)
    if frame.harm_request:
        answer.add(None, ["I can't help with finding, exposing or hurting someone, or getting into their accounts. "
                          "If someone has hurt or threatened you, I can help you report it and stay safe."],
                   priority=ESSENTIAL)
        reply.answer = answer
        return reply

    if focus == "harasser_overseas" and not frame.harasser.said:
        reply.ask_harasser_place = True
    if frame.new_harms or (focus == DESCRIBE_HARM and frame.harms):
        _opener(frame, answer)
        _situation(kb, frame, answer)
    for intent in frame.asks[:2]:
        _answer_ask(kb, frame, intent, answer, main=(intent == frame.asks[0] and not frame.new_harms))
    _services(kb, frame, answer)
    if not answer.sections and not reply.ask_place and not reply.ask_harasser_place:
        return reply  # nothing to say: the action asks what's happening
    _buttons(frame, answer)
    reply.answer = answer if answer.sections else None
    return reply


def _focus(frame: Frame) -> str:
    if frame.asks:
        return frame.asks[0]
    if frame.harms and frame.intent in (DESCRIBE_HARM, "inform_location", "danger", "self_harm",
                                        "told_to_self_harm"):
        return DESCRIBE_HARM
    return frame.intent


# -- safety and opener -----------------------------------------------------------------------

def _safety(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    """Risk disclosed (not immediate): one sentence with the emergency line, first."""
    risky = frame.danger == RISK or any(kb.harms[h].danger_hint for h in frame.new_harms if h in kb.harms)
    if frame.safety_sent or frame.danger == IMMEDIATE or not risky:
        return
    if frame.victim.known:
        line = emergency_line(kb.emergency(frame.victim.id)[:1]).replace("If you are in danger right now",
                                                                         "If you ever feel in danger")
    else:
        line = "If you ever feel in danger, call your local emergency number straight away."
    answer.add(None, [line], priority=ESSENTIAL)


def _opener(frame: Frame, answer: Answer) -> None:
    if frame.opener_shown or frame.safety_sent:
        return
    answer.opener = HELPER_OPENER if frame.asker != SELF else OPENER


# -- what happened -----------------------------------------------------------------------------

def harm_ids(kb: KnowledgeBase, frame: Frame) -> List[str]:
    """The harms to answer, refined ("doxxing" with hate cues or a hate harm -> "doxxing_hate")."""
    chosen: List[str] = []
    for harm in frame.harms:
        if harm not in kb.harms:
            continue
        refined = answers.refine_harm(kb, harm, frame.text)
        if harm == "doxxing" and "hate" in frame.harms and "doxxing_hate" in kb.harms:
            refined = "doxxing_hate"
        if refined not in chosen:
            chosen.append(refined)
    if "doxxing_hate" in chosen and "hate" in chosen:
        chosen.remove("hate")
    return chosen


def offences_for(kb: KnowledgeBase, harms: Sequence[str], place: Place, limit: int = MAX_OFFENCES,
                 depth: int = MAX_OFFENCES) -> List[Offence]:
    """Each harm's leading offence first (so every harm is named), then the rest; each once.
    `depth=1`: only each harm's leading offence (a first reply)."""
    per_harm = [answers.offences_for(kb, harm, place.id) for harm in harms]
    chosen: List[Offence] = []
    for depth in range(depth):
        for offences in per_harm:
            if depth < len(offences) and offences[depth] not in chosen:
                chosen.append(offences[depth])
    return chosen[:limit]


def report_contacts(kb: KnowledgeBase, harms: Sequence[str], place: Place, minor: bool,
                    limit: int = MAX_CONTACTS) -> List[Contact]:
    """One combined, deduplicated list: those made for these harms first, then those for all."""
    wanted = set(harms) | {kb.harms[h].refines for h in harms if h in kb.harms and kb.harms[h].refines}
    specific, general = [], []
    for contact in kb.reporting(place.id):
        if not _for_audience(contact, minor) or not contact.show_for:
            continue
        if wanted & set(contact.show_for):
            specific.append(contact)
        elif "all" in contact.show_for:
            general.append(contact)
    return (specific + general)[:limit]


def _for_audience(contact: Contact, minor: bool) -> bool:
    audience = getattr(contact, "audience", "all")
    return audience == "all" or audience == ("minors" if minor else "adults")


def _situation(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    harms = harm_ids(kb, frame)
    if not harms:
        return
    place = frame.victim
    labels = [kb.harms[h].label for h in harms]
    if not place.known:
        note = answers.place_unknown_note(kb, UNKNOWN) if place.id == UNKNOWN else None
        answer.add(None, [note or "", f"It sounds like {_join(labels)}."], priority=P_LAW)
        _first_steps(kb, frame, harms, answer)
        _route(kb, frame, answer)
        _platform(kb, frame, harms, answer)
        return
    offences = offences_for(kb, harms, place, depth=1)
    if offences:
        answer.add(f"What the law says ({place.country_name})", [offence_brief(o) for o in offences],
                   sources_of(offences[:1]), priority=P_LAW, more=button("ask_offence"))
        answer.legal = True
    else:
        answer.add(None, [f"It sounds like {_join(labels)}. I don't have a specific offence for this in "
                          f"{place.country_name}, but police can tell you what applies."], priority=P_LAW)
    if frame.minor:
        _minor(kb, frame, harms, answer)
    contacts = report_contacts(kb, harms, place, frame.minor)
    if contacts:
        answer.add("Where to report", [contact_line(c) for c in contacts] + [_reference_line()],
                   sources_of(contacts[:1]), priority=P_REPORT, more=button("ask_report"))
    _route(kb, frame, answer)
    _platform(kb, frame, harms, answer)


def _reference_line() -> str:
    return "Ask for the report or reference number, and keep it."


def _first_steps(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    """Before we know where the person is: what helps anywhere."""
    for topic_id in kb.harms[harms[0]].topics[:1]:
        topic = kb.topic(topic_id)
        if topic and topic.points:
            chosen = answers.relevant(topic, frame.text, 2)
            answer.add("What you can do now", topic_lines(chosen), topic.sources, priority=P_NEXT,
                       more=button("ask_evidence") if topic_id.startswith("evidence") else None)


def _minor(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    place = frame.victim
    lines = []
    youth = [c for c in kb.contacts(place.id, ("youth",)) if c.phone or c.url or c.text]
    lines += [contact_line(c) for c in youth[:1]]
    only_minors = [c for c in kb.reporting(place.id) if getattr(c, "audience", "all") == "minors"
                   and (not c.show_for or "all" in c.show_for or set(harms) & set(c.show_for))]
    lines += [contact_line(c) for c in only_minors[:2]]
    if lines:
        answer.add("For a young person", lines, sources_of((youth[:1] + only_minors[:2])[:1]), priority=P_MINOR)


def _route(kb: KnowledgeBase, frame: Frame, answer: Answer, detail: bool = False) -> None:
    if not frame.harasser_elsewhere:
        return
    route = kb.route(frame.victim.id, frame.harasser.id or ABROAD)
    where = frame.harasser.country_name if frame.harasser.known else "another country"
    lines: List[str] = []
    truth = route.over_there.honest_truth if route.over_there else None
    if not truth:
        interpol = kb.topic("interpol")
        truth = interpol.points[0].text if interpol and interpol.points else None
    if detail and route.at_home:
        lines += route.at_home.steps[:4]
    elif frame.victim.known:
        lines.append("Report where you are first and get a reference number.")
    if truth:
        lines.append(truth)
    lines += [f"You can also report directly: {contact_line(c)}" for c in route.report_directly[:2]]
    if detail and route.over_there:
        lines.append(f"**How your case reaches them:** {first_sentence(route.over_there.how_it_reaches_them)}.")
    answer.add(f"They're in {where}", lines,
               sources_of([e for e in (route.over_there, route.at_home) if e] + route.report_directly)[:1],
               priority=P_ASKED if detail else P_ROUTE, more=None if detail else button("harasser_overseas"))
    answer.legal = True


def _platform(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer, priority: int = P_PLATFORM
              ) -> bool:
    finder = getattr(kb, "platform_route", None)
    if finder is None:
        return False
    lines, sources = [], []
    for platform_id in frame.platforms[:2]:
        platform = kb.platforms.get(platform_id) if hasattr(kb, "platforms") else None
        route = None
        for harm in list(harms) or [None]:
            route = finder(platform_id, harm) if harm else None
            if route:
                break
        if platform is None or route is None:
            continue
        how = f" {sentence(route.how)}" if getattr(route, "how", None) else ""
        lines.append(f"**{route.title}**: {route.url}{how}")
        sources += list(getattr(route, "sources", None) or platform.sources)
    if lines:
        answer.add("On the platform", lines, sources[:1], priority=priority, more=button("ask_platform_removal"))
    return bool(lines)


# -- the questions asked ----------------------------------------------------------------------

def _answer_ask(kb: KnowledgeBase, frame: Frame, intent: str, answer: Answer, main: bool) -> None:
    spec = asks().get(intent)
    if spec is None:
        return
    place = frame.victim
    harms = harm_ids(kb, frame)
    priority = P_ASKED
    if spec.place and not place.said:
        return  # answered once they say where they are (asked once)
    if spec.kind == "offences":
        _offences_in_full(kb, frame, harms, answer)
    elif spec.kind == "report":
        _report_in_full(kb, frame, harms, answer)
    elif spec.kind == "route":
        _route(kb, frame, answer, detail=True)
    elif spec.kind == "escalation":
        ladder = kb.escalation(place.id) if place.known else None
        topic_ids = [ladder.id] if ladder else ["reference-number", "mp"]
        _topics(kb, frame, topic_ids, answer, limit=5 if ladder else 3, priority=priority)
    elif spec.kind == "emergency":
        for section in answers.emergency_answer(kb, place.id if place.known else None).sections:
            answer.add(section.heading, section.lines, section.sources, priority=priority)
    elif spec.kind == "recording":
        for section in answers.recording_answer(kb, place.id if place.known else None).sections:
            answer.add(section.heading, section.lines, section.sources, priority=priority)
        answer.legal = True
    elif spec.kind == "talk":
        for section in answers.talk_to_someone_answer(kb, place.id if place.known else None).sections:
            answer.add(section.heading, section.lines, section.sources, priority=priority)
    elif spec.kind == "takedown":
        _platform(kb, frame, harms, answer, priority=priority)
        _topics(kb, frame, spec.topics, answer, limit=3, priority=priority + 1)
    elif spec.kind == "reference":
        _specific(kb, frame, answer, priority) or _topics(kb, frame, [], answer)
    else:  # a guidance topic; a specific question gets its fact first
        if not _specific(kb, frame, answer, priority, topics=spec.topics):
            _topics(kb, frame, spec.topics, answer, limit=3 if main else 2, priority=priority)
    for contact_id in spec.contacts:
        contact = kb.contact(contact_id)
        if contact:
            answer.add(None, [contact_line(contact, brief=False)], contact.sources, priority=P_SERVICE)


def _offences_in_full(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    place = frame.victim
    if not place.known:
        answer.add(None, [answers.place_unknown_note(kb, UNKNOWN) or "The offences depend on the country."],
                   priority=P_ASKED)
        return
    offences = offences_for(kb, harms, place) if harms else list(place.jurisdiction.offences)
    if not offences:
        answer.add(None, [f"I don't have a specific offence for this in {place.country_name}; police can advise."],
                   priority=P_ASKED)
        return
    lines = []
    for offence in offences:
        lines.append(offence_lines(offence)[0])
        if offence.commenced:
            lines.append(f"In force: {offence.commenced}")
    answer.add(f"The law in {place.country_name}", lines, sources_of(offences), priority=P_ASKED)
    if not harms:
        answer.add(None, ["Tell me what happened and I'll point to the one that fits."], priority=P_NEXT)
    answer.legal = True


def _report_in_full(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    place = frame.victim
    if not place.known:
        answer.add(None, [answers.place_unknown_note(kb, UNKNOWN) or "",
                          "Report to your local police and ask for the report or reference number."], priority=P_ASKED)
        return
    contacts = report_contacts(kb, harms, place, frame.minor, limit=MAX_CONTACTS + 1)
    answer.add(f"Where to report ({place.country_name})", [contact_line(c, brief=False) for c in contacts],
               sources_of(contacts), priority=P_ASKED)
    reference = kb.topic("reference-number", place.id)
    if reference and reference.points:
        answer.add(None, [reference.points[0].text], reference.sources, priority=P_ASKED + 1)


def _topics(kb: KnowledgeBase, frame: Frame, topic_ids: Sequence[str], answer: Answer, limit: int = 3,
            priority: int = P_ASKED) -> bool:
    added = False
    place = frame.victim.id if frame.victim.known else None
    for topic_id in topic_ids:
        topic = kb.topic(topic_id, place)
        if topic is None or not topic.points:
            continue
        chosen = answers.relevant(topic, frame.text, limit)
        answer.add(topic.title, topic_lines(chosen), topic.sources, priority=priority)
        answer.legal = True
        added = True
        limit = max(1, limit - 1)
    return added


def _specific(kb: KnowledgeBase, frame: Frame, answer: Answer, priority: int, topics: Sequence[str] = ()) -> bool:
    """A single-fact question ("when did...", "is there a...", "how long can...") gets that fact."""
    finder = getattr(kb, "passages", None)
    if finder is None or not frame.text:
        return False
    hits = finder(frame.text, place=frame.victim.id if frame.victim.known else None, limit=2)
    if not hits:
        return False
    passage, score = hits[0]
    answer.add(passage.title, [passage.text], list(passage.sources), priority=priority)
    answer.legal = True
    return True


def _services(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    """A named service ("can eSafety...", "does Netsafe..."): how to reach it and what it does and doesn't."""
    for contact_id in frame.services[:2]:
        contact = kb.contact(contact_id)
        if contact is None:
            continue
        facts = [f"It can: {d}" for d in contact.does] + [f"It can't: {d}" for d in contact.does_not]
        asked = set(answers.words(frame.text))
        facts.sort(key=lambda fact: -len(asked & set(answers.words(fact))))
        answer.add(contact.name, [contact_line(contact)] + facts[:2], contact.sources, priority=P_SERVICE)


def _buttons(frame: Frame, answer: Answer) -> None:
    for intent in ("ask_offence", "ask_report", "ask_evidence", "harasser_overseas", "human_handoff"):
        if intent in frame.asks[:1]:
            continue
        if intent == "harasser_overseas" and frame.harasser_elsewhere:
            continue
        if intent in ("ask_offence", "ask_report") and not frame.harms:
            continue
        candidate = button(intent)
        if candidate:
            answer.offer(candidate)


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
