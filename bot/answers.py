"""Compose answers from the knowledge base: one function per kind of question.

Actions and the volunteer CLI both call these, so what a person reads in the chat
and what a volunteer prints come from the same code and the same facts. Nothing
here states a fact of its own: every number, section and penalty comes from
knowledge/. The words around them (openers, headings) are this module's.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

from bot.knowledge import KnowledgeBase
from bot.knowledge.base import words
from bot.knowledge.schema import Contact, Offence, Topic
from bot.places import ABROAD, UNKNOWN
from bot.render import (
    Answer,
    Button,
    Section,
    contact_line,
    emergency_line,
    number_label,
    offence_lines,
    region_recording_line,
    route_lines,
    sources_of,
    topic_lines,
)

OPENER = (
    "I'm so sorry this is happening to you. It is not your fault, and you are doing the right "
    "thing by looking for help."
)
NEXT_BUTTONS: List[Button] = [
    ("Save evidence", "/ask_evidence"),
    ("Police not acting?", "/ask_police_inaction"),
    ("They're overseas", "/harasser_overseas"),
    ("Talk to someone", "/human_handoff"),
]
MAX_OFFENCES = 3
MAX_CONTACTS = 3


class NotFoundError(LookupError):
    """The question names nothing in the knowledge base; the message says so kindly."""


# -- places --------------------------------------------------------------------------------


def known(kb: KnowledgeBase, place: Optional[str]) -> bool:
    return kb.jurisdiction(place) is not None


def covered_numbers(kb: KnowledgeBase, kinds: Sequence[str] = ("emergency",)) -> List[str]:
    """One line per covered country: "Australia: 000 (Triple Zero), 112 (...)"."""
    lines = []
    for jurisdiction in kb.covered():
        contacts = [c for c in jurisdiction.contacts if c.kind in kinds and c.phone]
        if contacts:
            lines.append(f"{jurisdiction.name}: " + ", ".join(number_label(c) for c in contacts))
    return lines


def place_unknown_note(kb: KnowledgeBase, place: Optional[str]) -> Optional[str]:
    if place == UNKNOWN:
        names = ", ".join(j.name for j in kb.covered())
        return (
            f"I don't have details for your country yet (I cover {names}). "
            "Your local police and emergency number are the right first call."
        )
    return None


# -- safety --------------------------------------------------------------------------------

LAST_RESORT = "Sorry, something went wrong on my side. If you are in danger, call your local emergency number now."


def failure_reply(kb: Optional[KnowledgeBase]) -> str:
    """The one failure reply (a lookup failed, the action server is down): never a dead end, every
    covered emergency number. Rasa's utter_action_failed and every channel's "never silent" use it."""
    if kb is None:
        return LAST_RESORT
    return (
        "I'm sorry, something went wrong on my side and I couldn't look that up just now. "
        "If you are in danger, call your emergency number now:\n"
        + "\n".join(covered_numbers(kb))
        + "\nPlease try again in a moment."
    )


def emergency_answer(kb: KnowledgeBase, place: Optional[str]) -> Answer:
    """Emergency and crisis numbers for a place, or for every covered place."""
    answer = Answer()
    if known(kb, place):
        emergency, crisis = kb.emergency(place), kb.crisis(place)
        answer.add(
            f"Emergency ({kb.places.name(kb.country_of(place))})",
            [contact_line(c, brief=False) for c in emergency],
            sources_of(emergency),
        )
        answer.add(
            "If you are struggling or thinking about suicide",
            [contact_line(c, brief=False) for c in crisis],
            sources_of(crisis),
        )
        police = [c for c in kb.contacts(place, ("police",)) if c.phone]
        answer.add("Police, when it is not an emergency", [contact_line(c) for c in police], sources_of(police))
    else:
        answer.add(
            "Emergency numbers",
            covered_numbers(kb),
            sources_of(c for j in kb.covered() for c in j.contacts if c.kind == "emergency"),
        )
        answer.add("Crisis support", covered_numbers(kb, ("crisis",)))
        answer.add(None, ["Tell me where you are and I'll give you just the numbers for your place."])
    return answer


def talk_to_someone_answer(kb: KnowledgeBase, place: Optional[str]) -> Answer:
    answer = Answer()
    answer.add(
        None,
        [
            "I'm an automated assistant, so I can't put you through to a person myself. "
            "These services have real people who can talk with you:"
        ],
    )
    if known(kb, place):
        people = kb.crisis(place) + kb.contacts(place, ("support",))
        answer.add(None, [contact_line(c, brief=False) for c in people], sources_of(people))
        answer.add(None, [emergency_line(kb.emergency(place)[:1])])
    else:
        answer.add("Crisis support", covered_numbers(kb, ("crisis",)))
        answer.add(None, ["If you tell me where you are, I can find the right service for your place."])
    return answer


# -- harms, offences, reporting ----------------------------------------------------------------


def refine_harm(kb: KnowledgeBase, harm: str, text: str) -> str:
    """doxxing + "because I'm Jewish" -> doxxing_hate, using the cues in knowledge/harms.yml."""
    lowered = f" {(text or '').lower()} "
    for candidate in kb.harms.values():
        if candidate.refines == harm and any(cue in lowered for cue in candidate.cues):
            return candidate.id
    return harm


def offences_for(kb: KnowledgeBase, harm: str, place: Optional[str]) -> List[Offence]:
    offences = kb.offences(harm, place)
    parent = kb.harms[harm].refines if harm in kb.harms else None
    if parent:  # the aggravated form first, then the base offence
        offences += [o for o in kb.offences(parent, place) if o not in offences]
    return offences[:MAX_OFFENCES]


def report_contacts(kb: KnowledgeBase, place: Optional[str], harm: Optional[str]) -> List[Contact]:
    wanted = {harm, kb.harms[harm].refines} if harm in kb.harms else set()
    chosen = [c for c in kb.reporting(place) if "all" in c.show_for or wanted & set(c.show_for)]
    return chosen[:MAX_CONTACTS]


def reference_number_line(kb: KnowledgeBase, place: Optional[str]) -> Optional[str]:
    topic = kb.topic("reference-number", place)
    return topic.points[0].text if topic and topic.points else None


def harm_answer(
    kb: KnowledgeBase, harm: str, place: Optional[str], first: bool = True, question: Optional[str] = None
) -> Answer:
    """What happened -> safety line, the offence in the law's words, where to report, next step."""
    info = kb.harms[harm]
    answer = Answer(opener=OPENER if first else None, legal=True, buttons=list(NEXT_BUTTONS))
    if not known(kb, place):
        answer.add(None, [place_unknown_note(kb, place) or "", f"It sounds like {info.label}."])
        if info.danger_hint:
            answer.add(None, ["If you are in danger right now, call your local emergency number."])
        _add_next_step(kb, answer, info.topics, place, question)
        return answer
    if info.danger_hint:
        answer.add(None, [emergency_line(kb.emergency(place)[:1])])
    offences = offences_for(kb, harm, place)
    if offences:
        answer.add(
            f"What the law calls it ({kb.places.name(kb.country_of(place))})",
            [offence_lines(o)[0] for o in offences],
            sources_of(offences),
        )
    else:
        answer.add(
            None,
            [
                f"It sounds like {info.label}. I don't have a specific offence for this in "
                f"{kb.places.name(kb.country_of(place))}, but police can tell you what applies."
            ],
        )
    contacts = report_contacts(kb, place, harm)
    answer.add(
        "Where to report",
        [contact_line(c) for c in contacts] + [reference_number_line(kb, place)],
        sources_of(contacts),
    )
    _add_next_step(kb, answer, info.topics, place, question)
    return answer


def harm_first_steps(
    kb: KnowledgeBase, harm: str, first: bool = True, limit: int = 3, question: Optional[str] = None
) -> Answer:
    """Before the place is known: what helps wherever the person is (the law and where to
    report come once they say where they are)."""
    info = kb.harms[harm]
    answer = Answer(opener=OPENER if first else None)
    answer.add(None, [f"It sounds like {info.label}."])
    if info.danger_hint:
        answer.add(None, ["If you are in danger right now, call your local emergency number."])
    for topic_id in info.topics[:1]:
        topic = kb.topic(topic_id)
        if topic and topic.points:
            answer.add("What you can do now", topic_lines(relevant(topic, question, limit)), topic.sources)
    return answer


def _add_next_step(
    kb: KnowledgeBase,
    answer: Answer,
    topic_ids: Sequence[str],
    place: Optional[str],
    question: Optional[str] = None,
    limit: int = 2,
) -> None:
    for topic_id in topic_ids[:1]:
        topic = kb.topic(topic_id, place)
        if topic and topic.points:
            answer.add("Next step", topic_lines(relevant(topic, question, limit)), topic.sources)


def offence_answer(kb: KnowledgeBase, harm: Optional[str], place: Optional[str]) -> Answer:
    answer = Answer(legal=True, buttons=list(NEXT_BUTTONS))
    if not known(kb, place):
        answer.add(None, [place_unknown_note(kb, place) or "The offences depend on the country."])
        return answer
    if harm is None:
        offences = kb.jurisdiction(place).offences
        answer.add(
            f"Offences for online abuse ({kb.places.name(kb.country_of(place))})",
            [offence_lines(o)[0] for o in offences],
            sources_of(offences),
        )
        answer.add(None, ["Tell me what happened and I'll point to the one that fits."])
        return answer
    offences = offences_for(kb, harm, place)
    lines = [line for o in offences for line in offence_lines(o, detail=False)]
    answer.add(
        f"What the law calls it ({kb.places.name(kb.country_of(place))})",
        lines or [f"I don't have a specific offence for {kb.harms[harm].label} there; police can advise."],
        sources_of(offences),
    )
    return answer


def report_answer(kb: KnowledgeBase, place: Optional[str], harm: Optional[str] = None) -> Answer:
    answer = Answer(buttons=list(NEXT_BUTTONS))
    if not known(kb, place):
        answer.add(
            None,
            [
                place_unknown_note(kb, place) or "",
                "Report to your local police and ask for the report or reference number.",
            ],
        )
        return answer
    contacts = kb.reporting(place) if harm is None else report_contacts(kb, place, harm)
    if harm is None:
        contacts = [c for c in contacts if "all" in c.show_for or c.show_for][: MAX_CONTACTS + 1]
    answer.add(
        f"Where to report ({kb.places.name(kb.country_of(place))})",
        [contact_line(c, brief=False) for c in contacts],
        sources_of(contacts),
    )
    answer.add(None, [reference_number_line(kb, place)])
    answer.add(None, [emergency_line(kb.emergency(place)[:1])])
    return answer


# -- guidance ------------------------------------------------------------------------------


def relevant(topic: Topic, question: Optional[str], limit: int) -> Topic:
    """The topic with at most `limit` points: those sharing most words with the question,
    in the topic's own order. Words naming the topic itself ("swatting" in the swatting
    topic) don't count. Ordered topics (ladders, steps) keep their first points."""
    if topic.ordered or not question or len(topic.points) <= limit:
        return topic.copy(update={"points": topic.points[:limit]})
    asked = set(words(question)) - set(words(" ".join([topic.title] + topic.keywords)))
    scores = [(-len(asked & set(words(p.text))), i) for i, p in enumerate(topic.points)]
    keep = sorted(i for _, i in sorted(scores)[:limit])
    return topic.copy(update={"points": [topic.points[i] for i in keep]})


def topic_answer(
    kb: KnowledgeBase,
    topic_ids: Sequence[str],
    place: Optional[str],
    limit: int = 6,
    question: Optional[str] = None,
    contacts: Sequence[str] = (),
) -> Answer:
    answer = Answer(buttons=list(NEXT_BUTTONS))
    services = [c for c in (kb.contact(i) for i in contacts) if c is not None]
    answer.add(None, [contact_line(c, brief=False) for c in services], sources_of(services))
    for topic_id in topic_ids:
        topic: Optional[Topic] = kb.topic(topic_id, place)
        if topic is None or not topic.points:
            continue
        topic = relevant(topic, question, limit)
        answer.add(topic.title, topic_lines(topic), topic.sources)
        answer.legal = True
    if not answer.sections:
        raise NotFoundError(f"no guidance for {', '.join(topic_ids)}")
    return answer


def escalation_answer(kb: KnowledgeBase, place: Optional[str]) -> Answer:
    ladder = kb.escalation(place)
    if ladder is not None:
        answer = topic_answer(kb, [ladder.id], place, limit=9)
    else:
        answer = topic_answer(kb, ["reference-number", "mp"], place, limit=4)
        answer.sections.insert(
            0,
            Section(
                None,
                [
                    "I don't have a step-by-step escalation ladder for your country yet. "
                    "These steps work almost everywhere:"
                ],
            ),
        )
    return answer


def recording_answer(kb: KnowledgeBase, place: Optional[str]) -> Answer:
    answer = Answer(legal=True, buttons=list(NEXT_BUTTONS))
    region = kb.recording(place)
    regions = [region] if region else kb.recording_rules(place if known(kb, place) else "AU")
    if known(kb, place) and not kb.recording_rules(place):
        answer.add(
            None,
            [
                f"I don't have call-recording rules for {kb.places.name(kb.country_of(place))} yet. "
                "Ask police or a lawyer before recording; keeping screenshots and a diary is always safe."
            ],
        )
        return answer
    general = kb.topic("recording-au")
    if general and not region:
        answer.add(None, [general.points[0].text], general.sources)
    answer.add(
        "Recording a call you are part of",
        [region_recording_line(r) for r in regions],
        sources_of(r.recording for r in regions),
    )
    if not region:
        answer.add(None, ["Tell me your state or territory and I'll give you just its rule."])
    return answer


def route_answer(kb: KnowledgeBase, victim: Optional[str], harasser: str) -> Answer:
    route = kb.route(victim, harasser)
    answer = Answer(legal=True, buttons=list(NEXT_BUTTONS))
    if not route.known:
        interpol = kb.topic("interpol")
        answer.add(
            None,
            [
                place_unknown_note(kb, victim) or "",
                "Report to the police where you are and ask for the reference number.",
            ]
            + ([p.text for p in interpol.points[:3]] if interpol else []),
            interpol.sources if interpol else [],
        )
        return answer
    heading = (
        f"They are in {kb.places.name(route.harasser)}"
        if route.harasser not in (ABROAD, UNKNOWN)
        else "They are in another country"
    )
    answer.add(heading, route_lines(route), sources_of([route.at_home, route.over_there] + route.report_directly))
    return answer


def reference_answer(kb: KnowledgeBase, question: str, place: Optional[str] = None) -> Answer:
    """A volunteer's quick question: the best match, briefly, with its source."""
    results = kb.search(question, place=place if known(kb, place) else None, limit=3)
    if not results:
        raise NotFoundError(question)
    best = results[0]
    answer = Answer(legal=True)
    item = best.item
    if isinstance(item, Offence):
        lines = offence_lines(item)
        if item.commenced:
            lines.append(f"In force: {item.commenced}")
        answer.add(None, lines, item.sources)
    elif isinstance(item, Topic):
        topic = relevant(kb.topic(item.id, place if known(kb, place) else None), question, 4)
        answer.add(item.title, [item.summary] + topic_lines(topic), item.sources)
    else:
        facts = [f"Does: {d}" for d in item.does] + [f"Does not: {d}" for d in item.does_not]
        asked = set(words(question))
        facts.sort(key=lambda fact: -len(asked & set(words(fact))))
        answer.add(None, [contact_line(item, brief=False)] + facts[:3], item.sources)
    return answer


# -- volunteer tool ----------------------------------------------------------------------------


def search_answer(kb: KnowledgeBase, query: str, place: Optional[str] = None) -> Answer:
    results = kb.search(query, place=place, limit=5)
    if not results:
        raise NotFoundError(
            f"Nothing in the knowledge base matches {query!r}. " "Try a section number (474.17C, 264.1) or other words."
        )
    answer = Answer(legal=any(isinstance(r.item, Offence) for r in results))
    for result in results:
        item, where = result.item, result.jurisdiction or "all"
        if isinstance(item, Offence):
            answer.add(f"{kb.places.name(where)} offence", offence_lines(item, detail=True), item.sources)
        elif isinstance(item, Contact):
            answer.add(
                f"{kb.places.name(where)} contact",
                [contact_line(item, brief=False)]
                + [f"Does: {d}" for d in item.does]
                + [f"Does not: {d}" for d in item.does_not],
                item.sources,
            )
        else:
            answer.add(item.title, [item.summary] + topic_lines(item, limit=6), item.sources)
    return answer


def contacts_answer(kb: KnowledgeBase, place: str) -> Answer:
    answer = Answer()
    name = kb.places.name(kb.country_of(place))
    for kinds, heading in (
        (("emergency", "accessibility"), "Emergency"),
        (("crisis",), "Crisis and suicide support"),
        (("police", "report", "regulator", "support"), "Reporting and support"),
    ):
        contacts = kb.contacts(place, kinds)
        lines = []
        for contact in contacts:
            lines.append(contact_line(contact, brief=False))
            lines += [f"  does not: {d}" for d in contact.does_not]
        answer.add(f"{heading} ({name})", lines, sources_of(contacts))
    return answer


# -- clarifying ----------------------------------------------------------------------------

CLARIFY_BUTTONS: List[Button] = [
    ("Someone is harassing me", '/describe_harm{"harm": "harassment"}'),
    ("My details were posted", '/describe_harm{"harm": "doxxing"}'),
    ("I was threatened", '/describe_harm{"harm": "threats"}'),
    ("Where to report", "/ask_report"),
    ("Emergency numbers", "/ask_emergency_number"),
]


def clarify_question(text: str) -> str:
    """When the assistant is unsure: say so plainly and offer the likely next steps."""
    if not (text or "").strip():
        return "It looks like that message was empty. What's happening? You can also pick one of these:"
    return (
        "I'm sorry, I'm not sure I understood. Could you tell me a little more about what's happening, "
        "or pick one of these?"
    )
