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

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import groupby
from pathlib import Path
from typing import Dict, List, Optional, Sequence

import yaml

from bot import answers
from bot.frame import IMMEDIATE, RISK, SELF, Frame, Place
from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import Contact, Offence
from bot.nlu.languages import language_reply
from bot.nlu.text import clauses
from bot.places import ABROAD, UNKNOWN
from bot.render import (
    ESSENTIAL,
    Answer,
    Button,
    contact_line,
    emergency_line,
    first_sentence,
    offence_brief,
    offence_lines,
    sentence,
    sources_of,
)

ASKS_FILE = Path(__file__).with_name("asks.yml")
DESCRIBE_HARM = "describe_harm"

OPENER = "I'm so sorry this is happening. It is not your fault, and you're doing the right thing by getting help."
HELPER_OPENER = "Thank you for looking out for them. None of this is their fault."
SHORT_OPENER = "I'm so sorry this is happening. It is not your fault."
MAX_OFFENCES = 3
BRIEF_OFFENCES = 2  # in a first reply; "More on the law" has them all
MAX_CONTACTS = 3

# Priorities: lower is shown first and kept longest in a first reply. A child's routes (Take It
# Down, Cybertip.ca, CEOP, a youth line) come before the law: they are what works for them.
P_ASKED, P_SERVICE, P_MINOR, P_LAW, P_REPORT, P_ROUTE, P_PLATFORM, P_NEXT = 10, 12, 17, 20, 30, 35, 40, 60


@dataclass(frozen=True)
class Ask:
    intent: str
    kind: str
    topics: Sequence[str] = ()
    place: bool = False
    button: Optional[Button] = None
    contacts: Sequence[str] = ()
    start: int = 1


@lru_cache(maxsize=1)
def asks() -> Dict[str, Ask]:
    raw = yaml.safe_load(ASKS_FILE.read_text(encoding="utf-8")) or {}
    return {
        intent: Ask(
            intent,
            spec["kind"],
            tuple(spec.get("topics") or ()),
            bool(spec.get("place")),
            tuple(spec["button"]) if spec.get("button") else None,
            tuple(spec.get("contacts") or ()),
            int(spec.get("start", 1)),
        )
        for intent, spec in raw.items()
    }


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

    if frame.language:  # in the person's language: the numbers, and that the rest is in English
        # The list of numbers is one section (bulleted once); each sentence around it stands alone.
        lines = language_reply(kb, frame.language, frame.victim.id if frame.victim.known else None).splitlines()
        for is_list, grouped in groupby(lines, key=lambda line: line.startswith("- ")):
            group = list(grouped)
            chunks = [[line[2:] for line in group]] if is_list else [[line] for line in group]
            for chunk in chunks:
                answer.add(None, chunk, priority=ESSENTIAL)
        reply.answer = answer
        return reply
    _safety(kb, frame, answer)
    if frame.harm_request:
        answer.add(
            None,
            [
                "I can't help with finding, exposing or hurting someone, or getting into their accounts. "
                "If someone has hurt or threatened you, I can help you report it and stay safe."
            ],
            priority=ESSENTIAL,
        )
        reply.answer = answer
        return reply

    if frame.intent == "harasser_overseas" and not frame.harasser.said:
        reply.ask_harasser_place = True
    if frame.new_harms or (focus == DESCRIBE_HARM and frame.harms):
        _opener(frame, answer)
        _situation(kb, frame, answer)
    for rank, intent in enumerate(frame.asks[:2]):
        _answer_ask(
            kb,
            frame,
            intent,
            answer,
            main=rank == 0 and not frame.new_harms,
            priority=P_ASKED + rank,
            limit=2 if rank == 0 and not frame.new_harms else 1,
        )
    _services(kb, frame, answer)
    if not _content(answer) and not frame.asks and frame.intent == "inform_location":
        _place_given(kb, frame, answer)
    elif (
        frame.harasser_new
        and frame.asks
        and not any(s.heading and s.heading.startswith("Where they are") for s in answer.sections)
    ):
        _route(kb, frame, answer)  # "I'm in the UK and he's in the US, can the FBI do anything?"
    if not answer.sections and not reply.ask_place and not reply.ask_harasser_place:
        return reply  # nothing to say: the action asks what's happening
    if reply.unknown_place and answer.sections:  # said once, in the answer itself
        answer.add(None, [answers.place_unknown_note(kb, UNKNOWN)], priority=P_ASKED - 1)
    _buttons(frame, answer)
    answer.full = frame.tapped
    reply.answer = answer if answer.sections else None
    return reply


def _focus(frame: Frame) -> str:
    if frame.asks:
        return frame.asks[0]
    if frame.harms and frame.intent in (DESCRIBE_HARM, "inform_location", "danger", "self_harm", "told_to_self_harm"):
        return DESCRIBE_HARM
    return frame.intent


# -- safety and opener -----------------------------------------------------------------------


def _safety(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    """Risk disclosed (not immediate): one sentence with the emergency line, first."""
    told = frame.new_harms or (frame.harms if _focus(frame) == DESCRIBE_HARM else [])
    risky = frame.danger == RISK or any(kb.harms[h].danger_hint for h in told if h in kb.harms)
    if frame.safety_sent or frame.danger == IMMEDIATE or not risky:
        return
    if frame.victim.known:
        line = emergency_line(kb.emergency(frame.victim.id)[:1]).replace(
            "If you are in danger right now", "If you ever feel in danger"
        )
    else:
        line = "If you ever feel in danger, call your local emergency number straight away."
    answer.add(None, [line], priority=ESSENTIAL)


def _opener(frame: Frame, answer: Answer) -> None:
    if frame.opener_shown or frame.safety_sent:
        return
    answer.opener = HELPER_OPENER if frame.asker != SELF else SHORT_OPENER


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
    # A harm and its refinement (extortion, sextortion): the refinement alone; its offences
    # include the broader harm's (answers.offences_for).
    chosen = [h for h in chosen if not any(kb.harms[c].refines == h for c in chosen)]
    return sorted(chosen, key=lambda h: kb.harms[h].broad)  # stable: the umbrella harm last


def offences_for(
    kb: KnowledgeBase, harms: Sequence[str], place: Place, limit: int = MAX_OFFENCES, depth: int = MAX_OFFENCES
) -> List[Offence]:
    """Each harm's leading offence first (so every harm is named), then the rest; each once.
    `depth=1`: only each harm's leading offence (a first reply)."""
    per_harm = [answers.offences_for(kb, harm, place.id) for harm in harms]
    chosen: List[Offence] = []
    for rank in range(depth):
        for offences in per_harm:
            if rank < len(offences) and offences[rank] not in chosen:
                chosen.append(offences[rank])
    return chosen[:limit]


def report_contacts(
    kb: KnowledgeBase, harms: Sequence[str], place: Place, minor: bool, limit: int = MAX_CONTACTS
) -> List[Contact]:
    """One combined, deduplicated list: those made for these harms first, then those for all."""
    wanted = set(harms) | {kb.harms[h].refines for h in harms if h in kb.harms and kb.harms[h].refines}
    specific, general = [], []
    for contact in kb.reporting(place.id, audience="minors" if minor else None):
        if not contact.show_for:
            continue
        if wanted & set(contact.show_for):
            specific.append(contact)
        elif "all" in contact.show_for:
            general.append(contact)
    return (specific + general)[:limit]


def _situation(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    harms = harm_ids(kb, frame)
    if not harms:
        return
    place = frame.victim
    labels = [kb.harms[h].label for h in harms]
    if not place.known:  # what helps anywhere; where the other person is, what works there
        answer.add(None, [f"It sounds like {_join(labels[:2])}."], priority=P_LAW)  # more is a wall
        _route(kb, frame, answer, priority=P_LAW)
        _first_steps(kb, frame, harms, answer)
        _platform(kb, frame, harms, answer)
        return
    offences = offences_for(kb, harms, place, limit=BRIEF_OFFENCES, depth=1)
    stretch = [h for h in harms if _law_names_it_otherwise(kb, h, place, offences)]
    if offences and stretch:  # the law's name for it is not the person's: say what we understood
        answer.add(None, [f"It sounds like {_join([kb.harms[h].label for h in stretch])}."], priority=P_LAW + 1)
    if offences:
        laws = {o.law for o in offences}
        heading = f"The law in {_law_place(kb, offences, place)}" + (f": {offences[0].law}" if len(laws) == 1 else "")
        answer.add(
            heading,
            [offence_brief(o, with_law=len(laws) > 1) for o in offences],
            sources_of(offences[:1]),
            priority=P_LAW,
            more=button("ask_offence"),
        )
        answer.legal = True
    else:
        answer.add(  # the main harm in the person's terms; a list of long labels is a wall
            None,
            [
                f"It sounds like {labels[0]}. I don't have a specific offence for this in "
                f"{place.in_country}, but police can tell you what applies."
            ],
            priority=P_LAW,
        )
    if frame.minor:
        _minor(kb, frame, harms, answer)
    contacts = report_contacts(kb, harms, place, frame.minor, limit=2)
    if contacts:
        reference = ["Ask for a reference number."] if frame.harasser_elsewhere else [_reference_line()]
        answer.add(
            "Where to report",
            [contact_line(c) for c in contacts] + reference,
            sources_of(contacts[:1]),
            priority=P_REPORT,
            more=button("ask_report"),
        )
    _route(kb, frame, answer)
    if "ask_platform_removal" not in frame.asks:  # asked, it leads the answer instead
        _platform(kb, frame, harms, answer)
    _next_step(kb, frame, harms, answer)


def _law_place(kb: KnowledgeBase, offences: Sequence[Offence], place: Place) -> str:
    """Where the laws shown hold: "Scotland", "England and Wales", else the country."""
    regions = {tuple(o.regions) for o in offences}
    if offences and len(regions) == 1 and offences[0].regions:
        return _join([kb.places.name(r) for r in offences[0].regions])
    return place.in_country


def _law_names_it_otherwise(kb: KnowledgeBase, harm: str, place: Place, shown: Sequence[Offence]) -> bool:
    """No offence here for this harm, or the one shown for it is named for another harm (stalking,
    shown as "menace, harass"). A harm whose offence a short reply had no room for is not one:
    "More on the law" has it."""
    own = answers.offences_for(kb, harm, place.id)
    if not own:
        return True
    named = own[0].harms and own[0].harms[0] in (harm, kb.harms[harm].refines)
    return own[0] in shown and not named


def _next_step(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    """The first thing to do for the main harm ("don't pay" for sextortion), from its first topic;
    kept ahead of the law when the person asked about it ("should I just pay?")."""
    # a harm with a guide of its own ("sextortion", "swatting") first: its first steps are urgent
    dedicated = next((h for h in harms if h in kb.harms[h].topics), None)
    topic_id = dedicated or next((t for h in harms for t in kb.harms[h].topics[:1]), None)
    topic = kb.topic(topic_id, frame.victim.id if frame.victim.known else None) if topic_id else None
    if topic is None or not topic.points or not _applies(topic, frame):
        return
    questions = " ".join(c.text for c in clauses(frame.text) if _QUESTION.search(c.text))
    if topic.ordered:  # a guide of steps: its first caution ("Don't pay"), and the step asked about
        first = next((i for i, p in enumerate(topic.points) if _CAUTION.search(p.text)), 0)
        chosen = [f"{first + 1}. {_brief(topic.points[first].text)}"]
        asked = _points(topic, questions, 1) if questions else []
        if asked and not asked[0].startswith(f"{first + 1}. "):
            chosen += [_brief(asked[0])]
        # steps picked from a guide are not its steps 1 and 2: no numbers ("More" has the guide)
        chosen = [re.sub(r"^\d+\.\s+", "", line) for line in chosen]
    else:
        chosen = [_brief(p) for p in _points(topic, questions or frame.text, 1)]
    priority = P_LAW - 2 if dedicated else P_NEXT
    answer.add(
        topic.title if dedicated else "What to do now",
        chosen,
        topic.sources[:1],
        priority=priority,
        more=button("ask_evidence"),
    )


def _content(answer: Answer) -> List:
    return [s for s in answer.sections if s.priority != ESSENTIAL]


def _place_given(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    """Only places were given: the route when the other person is elsewhere, else a thank-you."""
    if frame.harasser_elsewhere:
        _route(kb, frame, answer, detail=True)
    elif frame.victim.known:
        answer.add(
            None,
            [
                f"Thank you. I'll keep in mind that you're in {frame.victim.name}. "
                "What's happening? Tell me in your own words."
            ],
            priority=P_ASKED,
        )


def _reference_line() -> str:
    return "Ask for the report or reference number, and keep it."


def _first_steps(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    """Before we know where the person is: what helps anywhere, for the most urgent harm told."""
    urgent = sorted(harms, key=lambda h: not kb.harms[h].danger_hint)
    for topic_id in kb.harms[urgent[0]].topics[:1]:
        topic = kb.topic(topic_id)
        if topic:  # points for one country only wait for the place
            topic = topic.copy(update={"points": [p for p in topic.points if not p.jurisdictions]})
        if topic and topic.points:
            chosen = [_brief(p) for p in _points(topic, frame.text, 1 if len(harms) > 1 else 2)]
            answer.add("What you can do now", chosen, topic.sources, priority=P_LAW + 1, more=button("ask_evidence"))


def _minor(kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer) -> None:
    place = frame.victim
    lines = []
    youth = kb.youth(place.id)
    lines += [contact_line(c) for c in youth[:1]]
    only_minors = [
        c
        for c in kb.reporting(place.id, audience="minors")
        if c.audience == "minors" and (not c.show_for or "all" in c.show_for or set(harms) & set(c.show_for))
    ]
    lines += [contact_line(c) for c in only_minors[:2]]
    if lines:
        answer.add("For a young person", lines, sources_of((youth[:1] + only_minors[:2])[:1]), priority=P_MINOR)


def _route(
    kb: KnowledgeBase, frame: Frame, answer: Answer, detail: bool = False, priority: Optional[int] = None
) -> None:
    if not frame.harasser_elsewhere:
        return
    route = kb.route(frame.victim.id, frame.harasser.id or ABROAD)
    where = frame.harasser.country_name if frame.harasser.known else "another country"
    lines: List[str] = []
    truth = route.over_there.honest_truth if route.over_there else None
    if not truth:
        interpol = kb.topic("interpol")
        truth = interpol.points[0].text if interpol and interpol.points else None
    if detail and route.at_home:  # at home: the report, and asking police to reach out abroad
        steps = [step for step in route.at_home.steps if not _IMMEDIATE_STEP.match(step)]
        key = [step for step in steps if _INTERPOL.search(step)][:1]
        lines += steps[:4] if frame.tapped else [_brief(step) for step in _unique(steps[:1] + key)]
    elif not frame.victim.known:
        lines.append("Report to the police where you are and get a reference number.")
    if truth:
        lines.append(truth if frame.tapped else f"{first_sentence(truth)}.")
    if detail and route.over_there:
        there = route.over_there
        reach = [x for x in _sentences(there.how_it_reaches_them) if _INTERPOL.search(x)]
        if reach:
            lines.append(
                f"**How your case reaches them:** {' '.join(sentence(x) for x in reach[:3 if frame.tapped else 1])}"
            )
        levers = _sentences(there.fastest_lever)  # "Two levers work fastest." says nothing on its own
        lever = next((x for x in levers if len(x.split()) > 8 or re.search(r"\bAct\b", x)), levers[0] if levers else "")
        lines.append(f"**What works there:** {_brief(sentence(lever))}")
    lines += [f"You can also report directly: {contact_line(c)}" for c in route.report_directly[: 2 if detail else 1]]
    answer.add(
        f"Where they are: {where}",
        lines,
        sources_of([e for e in (route.over_there, route.at_home) if e] + route.report_directly)[:1],
        priority=priority if priority is not None else (P_ASKED if detail else P_ROUTE),
        more=None if detail else button("harasser_overseas"),
    )
    answer.legal = True


def _platform(
    kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer, priority: int = P_PLATFORM
) -> bool:
    lines, sources = [], []
    for platform_id in frame.platforms[:2]:
        platform = kb.platforms.get(platform_id)
        route = next((r for r in (kb.platform_route(platform_id, h) for h in list(harms) or ["all"]) if r), None)
        if platform is None or route is None:
            continue
        how = f" {sentence(route.how)}" if route.how else ""
        lines.append(f"**{route.title}**: {route.url}{how}")
        sources += list(kb.route_sources(platform, route))
    if lines:
        answer.add("On the platform", lines, sources[:1], priority=priority, more=button("ask_platform_removal"))
    return bool(lines)


# -- the questions asked ----------------------------------------------------------------------


def _answer_ask(
    kb: KnowledgeBase, frame: Frame, intent: str, answer: Answer, main: bool, priority: int = P_ASKED, limit: int = 2
) -> None:
    spec = asks().get(intent)
    if spec is None:
        return
    place = frame.victim
    harms = harm_ids(kb, frame)
    if spec.place and not place.said:
        return  # answered once they say where they are (asked once)
    if frame.new_harms and spec.kind in ("offences", "report", "route"):
        # a story with "what laws does this break, who do I report to?": the brief answer to the
        # story says it; what was asked leads it
        heading = {"offences": "The law in", "report": "Where to report", "route": "Where they are"}[spec.kind]
        if _lead(answer, heading, priority):
            if spec.kind == "route":  # "can anything be done when he's overseas?" starts with a report here
                _lead(answer, "Where to report", priority + 1)
            return
    if spec.kind == "offences":
        _offences_in_full(kb, frame, harms, answer, priority)
    elif spec.kind == "report":
        _report_in_full(kb, frame, harms, answer, priority)
    elif spec.kind == "route":
        _route(kb, frame, answer, detail=True, priority=priority)
    elif spec.kind == "escalation":
        ladder = kb.escalation(place.id) if place.known else None
        topic_ids = [ladder.id] if ladder else ["reference-number", "mp"]
        oversight = kb.oversight(place.id) if place.known else []
        if not place.region and any(c.regions for c in kb.oversight(place.id, all_regions=True)):
            oversight = []  # each state has its own body: named once we know the state
        if oversight:  # the body that hears complaints about police, for the person's state
            answer.add(
                "If police mishandle your report",
                [contact_line(c) for c in oversight[:2]],
                sources_of(oversight[:1]),
                priority=priority + 1,
            )
        _topics(
            kb,
            frame,
            topic_ids,
            answer,
            limit=2 if ladder else 3,
            priority=priority,
            more=spec.button,
            start=spec.start,
        )
    elif spec.kind == "emergency":
        non_urgent = bool(_NON_URGENT.search(frame.text))  # "the non-urgent police number": police first
        for section in answers.emergency_answer(kb, place.id if place.known else None).sections:
            police = (section.heading or "").startswith("Police")
            answer.add(
                section.heading,
                section.lines,
                section.sources,
                priority=priority - 1 if police and non_urgent else priority,
            )
    elif spec.kind == "recording":
        _recording(kb, frame, answer, priority)
    elif spec.kind == "talk":
        for section in answers.talk_to_someone_answer(kb, place.id if place.known else None).sections:
            answer.add(section.heading, section.lines, section.sources, priority=priority)
    elif spec.kind == "takedown":
        shown = _platform(kb, frame, harms, answer, priority=priority)
        if not (shown and frame.new_harms):  # a story: its law and where to report follow the platform's route
            _topics(
                kb, frame, spec.topics, answer, limit=limit, priority=priority + 1, question=frame.ask_texts.get(intent)
            )
    elif spec.kind == "reference":
        if not _specific(kb, frame, answer, priority):
            try:
                found = answers.reference_answer(kb, frame.text, place.id if place.known else None)
            except answers.NotFoundError:
                return
            for section in found.sections:
                answer.add(section.heading, section.lines, section.sources, priority=priority)
            answer.legal = True
    elif spec.contacts and frame.new_harms and not _asked(frame, intent):
        return  # a service told of, not asked about, in a story ("netsafe said they'd look at it")
    else:  # a guidance topic; a specific question gets its fact first
        if not _specific(kb, frame, answer, priority, topics=spec.topics):
            _topics(
                kb,
                frame,
                spec.topics,
                answer,
                limit=limit,
                priority=priority,
                more=spec.button,
                question=frame.ask_texts.get(intent),
            )
    for contact_id in spec.contacts:
        if contact_id in frame.services:
            continue  # named, it has its own section (_services)
        contact = kb.contact(contact_id)
        if contact:
            answer.add(None, [contact_line(contact, brief=False)], contact.sources, priority=P_SERVICE)


def _asked(frame: Frame, intent: str) -> bool:
    """Was it asked? The clause its words are in is a question ("can netsafe...?"), not a
    statement ("netsafe said they'd look at it")."""
    words = frame.ask_texts.get(intent)
    if not words:
        return bool(_QUESTION.search(frame.text))
    around = next((c.text for c in clauses(frame.text) if words in c.text or c.text in words), words)
    return bool(_QUESTION.search(around) or _QUESTION.search(words))


def _recording(kb: KnowledgeBase, frame: Frame, answer: Answer, priority: int) -> None:
    """A state's rule; with no state, which states need whose consent, in one line each."""
    place = frame.victim
    region = kb.recording(place.id) if place.known else None
    if region is not None or frame.tapped or (place.known and not kb.recording_rules(place.id)):
        for section in answers.recording_answer(kb, place.id if place.known else None).sections:
            answer.add(section.heading, section.lines, section.sources, priority=priority)
    else:
        rules = kb.recording_rules(place.id if place.known else "AU")
        by_consent: Dict[str, List[str]] = {}
        for r in rules:
            by_consent.setdefault(r.recording.consent, []).append(r.name)
        general = kb.topic("recording-au")
        lines = [general.points[0].text] if general and general.points else []
        lines += [f"**{consent.capitalize()} consent**: {_join(names)}." for consent, names in by_consent.items()]
        lines.append("Tell me your state or territory and I'll give you its rule, with the Act.")
        answer.add(
            "Recording a call you are part of",
            lines,
            sources_of(r.recording for r in rules)[:2] + (general.sources[:1] if general else []),
            priority=priority,
        )
    answer.legal = True


def _lead(answer: Answer, heading: str, priority: int) -> bool:
    """The section that answers what was asked comes first (and is kept longest)."""
    found = [s for s in answer.sections if s.heading and s.heading.startswith(heading)]
    for section in found:
        section.priority = min(section.priority, priority)
    return bool(found)


def _offences_in_full(
    kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer, priority: int = P_ASKED
) -> None:
    place = frame.victim
    if not place.known:
        answer.add(
            None, [answers.place_unknown_note(kb, UNKNOWN) or "The offences depend on the country."], priority=priority
        )
        return
    offences = offences_for(kb, harms, place) if harms else list(place.jurisdiction.offences)
    if not offences:
        answer.add(
            None,
            [f"I don't have a specific offence for this in {place.in_country}; police can advise."],
            priority=priority,
        )
        return
    lines = []
    for offence in offences:
        lines.append(offence_lines(offence)[0])
        if offence.commenced:
            lines.append(f"In force: {offence.commenced}")
    answer.add(f"The law in {_law_place(kb, offences, place)}", lines, sources_of(offences), priority=priority)
    if not harms:
        answer.add(None, ["Tell me what happened and I'll point to the one that fits."], priority=P_NEXT)
    answer.legal = True


def _report_in_full(
    kb: KnowledgeBase, frame: Frame, harms: Sequence[str], answer: Answer, priority: int = P_ASKED
) -> None:
    place = frame.victim
    if not place.known:
        answer.add(
            None,
            [
                answers.place_unknown_note(kb, UNKNOWN) or "",
                "Report to your local police and ask for the report or reference number.",
            ],
            priority=priority,
        )
        return
    contacts = report_contacts(kb, harms, place, frame.minor, limit=MAX_CONTACTS + 1 if frame.tapped else MAX_CONTACTS)
    reference = kb.topic("reference-number", place.id)
    answer.add(
        f"Where to report ({place.country_name})",
        [contact_line(c, brief=not frame.tapped) for c in contacts]
        + ([reference.points[0].text] if reference and reference.points else []),
        sources_of(contacts),
        priority=priority,
        more=button("ask_report"),
    )


def _topics(
    kb: KnowledgeBase,
    frame: Frame,
    topic_ids: Sequence[str],
    answer: Answer,
    limit: int = 3,
    priority: int = P_ASKED,
    more: Optional[Button] = None,
    question: Optional[str] = None,
    start: int = 1,
) -> bool:
    added = False
    place = frame.victim.id if frame.victim.known else None
    # a topic for the person's own country before the general one ("Preserving evidence in New Zealand")
    topic_ids = sorted(topic_ids, key=lambda t: not (kb.topics.get(t) and kb.topics[t].jurisdictions))
    for topic_id in topic_ids:
        topic = kb.topic(topic_id, place)
        if topic is None or not topic.points or not _applies(topic, frame):
            continue
        general = [p for p in topic.points if not p.jurisdictions]
        if place is None and general:  # a point for one country only waits for the place
            topic = topic.copy(update={"points": general})
        topic = _for_platforms(kb, topic, frame.platforms)
        chosen = _points(topic, question or frame.text, limit + (2 if frame.tapped else 0), start=start)
        if not frame.tapped:
            chosen = [_brief(line) for line in chosen]
        answer.add(topic.title, chosen, topic.sources, priority=priority, more=more)
        answer.legal = True
        added = True
        limit = max(1, limit - 1)
    return added


_IMMEDIATE_STEP = re.compile(r"^\s*If you are in immediate danger", re.I)  # the safety line says it
_INTERPOL = re.compile(r"INTERPOL|National Central Bureau|\bNCB\b", re.I)
# A question after one fact: "when did...", "is there a...", "how long can someone get..."
_SINGLE_FACT = re.compile(
    r"^\W*(when|is there|are there|is it|does|do they|did|has|have|how long|how many|which|who)\b"
    r"|\b(in force|into force|commenc\w*|maximum|max|penalty|sentence|what date|how many years)\b"
    r"|\bhow long (can|could|would|will|do|does|did)\b",  # "in australia how long can someone get for..."
    re.I,
)
_NON_URGENT = re.compile(r"\bnon[- ]?(urgent|emergency)\b|\bnot (an? )?(urgent|emergency)\b", re.I)
_QUESTION = re.compile(r"\?\s*$|^\s*(should|can|could|do|does|is|how|what|where|who|will|would)\b", re.I)
_CAUTION = re.compile(r"\b(do not|don'?t|never|illegal|before you delete|not an offence to keep)\b", re.I)


def _points(topic, question: str, limit: int, start: int = 1) -> List[str]:
    """At most `limit` lines of a topic: the points sharing most words with the question, then
    cautions ("do not screenshot objectionable content"), in the topic's own order. A ladder
    starts from the rung the question is about ("police did nothing" -> "if nothing happens"),
    numbered as in the ladder."""
    words = set(answers.words(question or ""))
    if topic.ordered:  # the words that name the ladder ("police did nothing") find its rung, from `start`
        overlap = [len(words & set(answers.words(p.text))) if i >= start else -1 for i, p in enumerate(topic.points, 1)]
        first = overlap.index(max(overlap)) if max(overlap, default=0) > 0 else start - 1
        return [f"{i}. {p.text}" for i, p in enumerate(topic.points, 1)][first : first + limit]
    asked = words - set(answers.words(" ".join([topic.title] + topic.keywords)))  # not the words naming the topic
    points = [p for p in topic.points if not _IMMEDIATE_STEP.match(p.text)] or topic.points  # the safety line says it
    if len(points) <= limit:
        return [p.text for p in points]
    overlap = [len(asked & set(answers.words(p.text))) for p in points]
    scores = [(-(2 * overlap[i] + bool(_CAUTION.search(p.text))), i) for i, p in enumerate(points)]
    return [points[i].text for i in sorted(i for _, i in sorted(scores)[:limit])]


def _for_platforms(kb: KnowledgeBase, topic, platforms: Sequence[str]):
    """The topic without points about other platforms ("On TikTok you can...") than the person's;
    with no platform known, general points first."""
    names = {p.id: [p.name] + list(p.aliases) for p in kb.platforms.values()}

    def named(point, ids):
        return any(re.search(rf"\b{re.escape(n)}\b", point.text, re.I) for i in ids for n in names.get(i, []))

    others = [i for i in names if i not in platforms]
    keep = [p for p in topic.points if not named(p, others) or named(p, platforms)]
    if not platforms and not topic.ordered:
        keep = sorted(keep, key=lambda p: named(p, others))
    return topic.copy(update={"points": keep or topic.points})


def _applies(topic, frame: Frame) -> bool:
    """A topic for one country only for people there; the email topic only when email is involved."""
    if topic.jurisdictions and frame.victim.country not in topic.jurisdictions:
        return False
    return not topic.id.endswith("-email") or "email" in frame.platforms


def _specific(kb: KnowledgeBase, frame: Frame, answer: Answer, priority: int, topics: Sequence[str] = ()) -> bool:
    """A single-fact question ("when did...", "is there a...", "how long can...") gets that fact."""
    questions = [c.text for c in clauses(frame.text) if _SINGLE_FACT.search(c.text)]
    if not questions or frame.new_harms or frame.harasser_elsewhere and frame.harasser_new:
        return False  # a story with a question in it is answered as a story
    hits = kb.passages(questions[0], place=frame.victim.id if frame.victim.known else None, limit=5)
    if topics:  # guidance from the topics asked about; offences, contacts and routes from anywhere
        hits = [h for h in hits if h[0].kind != "guidance" or h[0].entry_id in topics]
    if not hits:
        return False
    passage, _ = hits[0]
    heading = None if passage.text.startswith(f"**{passage.title}**") else passage.title  # said once
    answer.add(heading, [passage.text], list(passage.sources), priority=priority)
    answer.legal = True
    return True


def _services(kb: KnowledgeBase, frame: Frame, answer: Answer) -> None:
    """A named service ("can eSafety...", "does Netsafe..."): how to reach it and what it does and doesn't."""
    for contact_id in frame.services[:2]:
        contact = kb.contact(contact_id)
        if contact is None:
            continue
        facts = [f"It can: {d}" for d in contact.does] + [f"It can't: {d}" for d in contact.does_not]
        asked = set(answers.words(frame.text)) - set(answers.words(contact.name))  # not "Netsafe" itself
        facts.sort(key=lambda fact: -len(asked & set(answers.words(fact))))
        # a question about the service ("can eSafety...") is answered by what it does, first; a
        # service named in passing in a story comes after the law and where to report
        asked = any(contact_id in asks()[a].contacts and _asked(frame, a) for a in frame.asks if a in asks())
        story = bool(frame.new_harms) and not asked
        answer.add(
            contact.name,
            [contact_line(contact)] + facts[: 1 if story else 2],
            contact.sources[:1],
            priority=P_REPORT + 1 if story else P_ASKED - 1,
        )


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


BRIEF_POINT_WORDS = 30  # a point longer than this is shown by its first two sentences in a first reply


def _brief(text: str) -> str:
    """A long point by its first two sentences ("Don't pay... Paying usually leads to more demands.")."""
    if len(text.split()) <= BRIEF_POINT_WORDS:
        return text
    sentences = _sentences(text)
    return " ".join(sentences[:2]) if len(sentences) > 2 else text


def _sentences(text: str) -> List[str]:
    return [x.strip() for x in re.split(r"(?<=[.!?])\s+(?=[A-Z])", text or "") if x.strip()]


def _unique(items: Sequence[str]) -> List[str]:
    return [x for i, x in enumerate(items) if x not in items[:i]]


def _join(items: Sequence[str]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
