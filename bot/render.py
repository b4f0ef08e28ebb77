"""Knowledge entries -> lines, and answers -> text for each kind of channel.

An `Answer` is channel-neutral data: sections of short lines, each with its sources and a
priority, plus suggested next questions (buttons). It travels from the action to the
channel as a custom payload (`{"answer": answer.as_dict()}`), and each channel renders
it once, in one place:

- `render_markdown` gives a small, safe Markdown subset (**bold**, _italic_, "- " bullets,
  numbered lines, bare https links) for the website widget, the REST channel and the
  volunteer CLI; the text channels (SMS, WhatsApp) turn that Markdown into their own text
  in one place, bot/channels/twilio_text.py.

It takes a budget (words, or a channel's own measure). When the answer doesn't fit, whole
sections are left out, least important first, and each one left out with a `more` button
offers it one tap away ("Where to report", "More on the law"): short first, the rest on request.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from bot.knowledge.schema import Contact, CrossBorder, Offence, Region, Topic

DISCLAIMER = "This is general legal information, not legal advice."
FIRST_REPLY_WORDS = 125  # the widget's budget for one answer: about 120 words, a phone screen

Button = Tuple[str, str]  # (title, payload)
ESSENTIAL = 0  # a section with this priority is never left out (safety lines)
OPENER_PRIORITY = 19  # the opener is kept before the law; a text channel may give it up (bot/channels/output.py)


@dataclass
class Section:
    heading: Optional[str]
    lines: List[str]
    sources: List[str] = field(default_factory=list)
    priority: int = 50  # lower is more important
    more: Optional[Button] = None  # offered as a button when the section is left out


@dataclass
class Answer:
    sections: List[Section] = field(default_factory=list)
    opener: Optional[str] = None
    legal: bool = False  # adds DISCLAIMER
    buttons: List[Button] = field(default_factory=list)
    extra_sources: List[str] = field(default_factory=list)
    full: bool = False  # a follow-up the person asked for: a larger budget than a first reply

    def add(
        self,
        heading: Optional[str],
        lines: Iterable[str],
        sources: Iterable[str] = (),
        priority: int = 50,
        more: Optional[Button] = None,
    ) -> "Answer":
        shown = {line for section in self.sections for line in section.lines}
        lines = [line for line in lines if line and line not in shown]  # never say the same thing twice
        if lines:
            self.sections.append(Section(heading, lines, _unique(sources), priority, more))
        return self

    def cite(self, sources: Iterable[str]) -> None:
        self.extra_sources = _unique(list(self.extra_sources) + list(sources))

    @property
    def sources(self) -> List[str]:
        return _unique([url for s in self.sections for url in s.sources] + list(self.extra_sources))

    def offer(self, button: Button) -> None:
        if button[1] not in {payload for _, payload in self.buttons}:
            self.buttons.append(button)

    # -- the payload that travels to the channel ----------------------------------------------

    def as_dict(self) -> dict:
        return {
            "opener": self.opener,
            "legal": self.legal,
            "buttons": [list(b) for b in self.buttons],
            "extra_sources": list(self.extra_sources),
            "full": self.full,
            "sections": [{**asdict(s), "more": list(s.more) if s.more else None} for s in self.sections],
        }

    @classmethod
    def from_dict(cls, data: dict) -> "Answer":
        sections = [
            Section(
                s.get("heading"),
                list(s.get("lines") or []),
                list(s.get("sources") or []),
                int(s.get("priority", 50)),
                tuple(s["more"]) if s.get("more") else None,
            )
            for s in data.get("sections") or []
        ]
        return cls(
            sections,
            data.get("opener"),
            bool(data.get("legal")),
            [tuple(b) for b in data.get("buttons") or []],
            list(data.get("extra_sources") or []),
            bool(data.get("full")),
        )


def _unique(items: Iterable[str]) -> List[str]:
    seen: List[str] = []
    for item in items:
        if item and item not in seen:
            seen.append(item)
    return seen


# -- knowledge entries -> lines ------------------------------------------------------------


def sentence(text: str) -> str:
    """End with a full stop unless the text already ends with punctuation."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:" else text + "."


def first_sentence(text: str) -> str:
    """ "Threat to kill: 10 years imprisonment; threat to cause ..." -> "Threat to kill: 10 years imprisonment"."""
    return re.split(r"(?<=[.;])\s", text.strip(), maxsplit=1)[0].rstrip(".;")


def short_name(contact: Contact) -> str:
    """ "ReportCyber (national online cybercrime reporting portal)" -> "ReportCyber"; names that are
    their number ("112 (from mobiles)") stay whole."""
    short = re.sub(r"\s*\([^)]*\)", "", contact.name).strip()
    return short if short and not short[0].isdigit() else contact.name


BRIEF_TEXT = 40  # a contact's "text" is shown in a brief line only when it is this short ("text 4282")


def contact_line(contact: Contact, brief: bool = True) -> str:
    text = contact.text if contact.text and (not brief or len(contact.text) <= BRIEF_TEXT) else None
    reach = " / ".join(x for x in (contact.phone, text, contact.url) if x)
    name = short_name(contact) if brief else contact.name
    line = f"**{name}**: {reach}" if reach else f"**{name}**"
    return line if brief else f"{sentence(line)} {sentence(contact.when)}"


def number_label(contact: Contact) -> str:
    """ "000 (Triple Zero)"; just the name when it already says the number ("112 (from mobiles)")."""
    return contact.name if contact.phone in contact.name else f"{contact.phone} ({contact.name})"


def emergency_line(contacts: Sequence[Contact]) -> str:
    numbers = ", ".join(number_label(c) for c in contacts if c.phone)
    return f"If you are in danger right now, call {numbers}." if numbers else ""


def offence_lines(offence: Offence, detail: bool = False) -> List[str]:
    penalty = sentence(offence.max_penalty)
    head = f"**{offence.section} {offence.law}**: {sentence(offence.title)} Maximum penalty: {penalty}"
    lines = [head]
    if detail:
        lines.append(f"Covers: {offence.covers}")
        lines += [f"Element: {e}" for e in offence.elements]
        if offence.commenced:
            lines.append(f"In force: {offence.commenced}")
        lines += offence.notes
    return lines


_PENALTY_LABEL = re.compile(r"^([^:]{1,60}):\s*(.+)$")  # "Threat to kill: 10 years", "Individual: up to 2 years"


def _up_to(penalty: str) -> str:
    """ "10 years imprisonment" -> "up to 10 years imprisonment"; a label first keeps its place:
    "Threat to kill: 10 years" -> "threat to kill: up to 10 years"."""
    penalty = penalty.strip()
    label = _PENALTY_LABEL.match(penalty)
    if label:
        return f"{label.group(1)[0].lower()}{label.group(1)[1:]}: {_up_to(label.group(2))}"
    penalty = penalty[0].lower() + penalty[1:]
    if penalty.startswith(("up to", "a fine", "imprisonment", "summary")):
        return penalty
    return f"up to {penalty}"


def offence_brief(offence: Offence, with_law: bool = True) -> str:
    """One short line: section (and law), the offence in the law's words, the headline maximum."""
    penalty = _up_to(first_sentence(offence.max_penalty))
    where = f"**{offence.section} {offence.law}**" if with_law else f"**{offence.section}**"
    return f"{where}: {offence.title[0].lower() + offence.title[1:]}, {penalty}"


def region_recording_line(region: Region) -> str:
    rule = region.recording
    return f"**{region.name}**: {rule.consent} consent ({rule.law}). {sentence(rule.detail)}"


def route_lines(route) -> List[str]:
    lines: List[str] = []
    if route.at_home:
        lines += route.at_home.steps
    if route.over_there:
        there: CrossBorder = route.over_there
        lines += [
            f"**Fastest lever there:** {there.fastest_lever}",
            f"**How your case reaches them:** {there.how_it_reaches_them}",
        ]
        lines += [f"**You can also file directly:** {contact_line(c)}" for c in route.report_directly]
        lines.append(f"**Honestly:** {there.honest_truth}")
    return lines


def topic_lines(topic: Topic, limit: Optional[int] = None) -> List[str]:
    points = topic.points[:limit] if limit else topic.points
    if topic.ordered:
        return [f"{i}. {p.text}" for i, p in enumerate(points, 1)]
    return [p.text for p in points]


def sources_of(entries: Iterable) -> List[str]:
    urls: List[str] = []
    for entry in entries:
        for url in getattr(entry, "sources", []) or []:
            if url not in urls:
                urls.append(url)
    return urls


# -- answers -> text ----------------------------------------------------------------------


def words(text: str) -> int:
    """Words a person reads: a link counts as one; bullets and other marks don't count."""
    return len([t for t in re.sub(r"https?://\S+", "link", text or "").split() if re.search(r"\w", t)])


def _ordered(answer: Answer, sections: List[Section]) -> List[Section]:
    """Safety lines first, then the opener, then the rest by importance (what was asked before
    the law, the law before where to report), in the order added among equals."""
    safety = [s for s in sections if s.priority == ESSENTIAL]
    opener = [s for s in sections if s.priority == OPENER_PRIORITY]
    rest = sorted((s for s in sections if s.priority not in (ESSENTIAL, OPENER_PRIORITY)), key=lambda s: s.priority)
    return safety + opener + rest


def _with_opener(answer: Answer) -> List[Section]:
    opener = [Section(None, [answer.opener], priority=OPENER_PRIORITY)] if answer.opener else []
    return opener + list(answer.sections)


def _markdown_parts(answer: Answer, sections: List[Section], max_sources: int) -> List[str]:
    parts: List[str] = []
    for section in _ordered(answer, sections):
        block = [f"**{section.heading}**"] if section.heading else []
        bullets = len(section.lines) > 1
        block += [f"- {line}" if bullets and not re.match(r"^\d+\. ", line) else line for line in section.lines]
        parts.append("\n".join(block))
    sources = _unique([url for s in sections for url in s.sources] + answer.extra_sources)
    if sources and max_sources:
        parts.append("Sources: " + ", ".join(sources[:max_sources]))
    if answer.legal and any(s.priority not in (ESSENTIAL, OPENER_PRIORITY) for s in sections):
        parts.append(f"_{DISCLAIMER}_")
    return parts


def fitted(answer: Answer, fits: Callable[[List[Section], List[Button]], bool]) -> Tuple[List[Section], List[Button]]:
    """The sections to show and the buttons, within `fits(sections, buttons)`.

    The least important section goes first: cut line by line while that is enough, else left
    out; either way its `more` button is offered in its place ("More on the law"). Never a
    heading without its lines, and never nothing: the last section left keeps its first line,
    cut to the sentences that fit (one at least). Safety lines (priority ESSENTIAL) always stay."""
    offered: List[Section] = []

    def buttons_for() -> List[Button]:
        buttons = list(answer.buttons)
        for section in offered:
            if section.more and section.more[1] not in {p for _, p in buttons}:
                buttons.insert(0, section.more)
        return buttons

    everything = _with_opener(answer)
    kept = list(everything)
    order = {id(s): i for i, s in enumerate(everything)}
    for section in sorted(everything, key=lambda s: (-s.priority, -order[id(s)])):
        if fits(kept, buttons_for()) or section.priority == ESSENTIAL:
            break
        offered.append(section)
        index = kept.index(section)
        for size in range(len(section.lines) - 1, 0, -1):
            kept[index] = Section(
                section.heading, section.lines[:size], section.sources, section.priority, section.more
            )
            if fits(kept, buttons_for()):
                return kept, buttons_for()
        if all(s.priority == ESSENTIAL or s is kept[index] for s in kept):
            # the last thing said: shortened to what fits, never left out (an answer of buttons only)
            def with_cut(cut: Section, i: int = index) -> bool:
                return fits(kept[:i] + [cut] + kept[i + 1 :], buttons_for())

            kept[index] = _shortest(section, with_cut)
            return kept, buttons_for()
        kept.pop(index)
    return kept, buttons_for()


def _shortest(section: Section, fits: Callable[[Section], bool]) -> Section:
    """The section's first line, sentence by sentence, as much of it as fits (one sentence at least)."""
    sentences = re.split(r"(?<=[.!?])\s+", section.lines[0].strip()) if section.lines else [""]
    for size in range(len(sentences), 0, -1):
        cut = Section(section.heading, [" ".join(sentences[:size])], section.sources, section.priority, section.more)
        if fits(cut):
            return cut
    return cut


BRIEF_SOURCES = 2  # a first reply shows this many sources; the rest are one tap away


def to_markdown(answer: Answer, max_sources: int = 4, max_words: Optional[int] = None) -> str:
    return render_markdown(answer, max_sources, max_words)[0]


def render_markdown(
    answer: Answer,
    max_sources: int = 4,
    max_words: Optional[int] = None,
    fits: Optional[Callable[[str, List[Button]], bool]] = None,
) -> Tuple[str, List[Button]]:
    """(Markdown text, buttons) within a budget: `max_words`, or `fits(text, buttons)` for a
    channel that measures otherwise (characters of an SMS). None: everything."""

    def text_of(sections):
        return "\n\n".join(_markdown_parts(answer, sections, max_sources))

    def ok(sections, buttons):
        text = text_of(sections)
        if fits is not None:
            return fits(text, buttons)
        return max_words is None or words(text) <= max_words

    sections, buttons = fitted(answer, ok) if (fits or max_words) else (_with_opener(answer), list(answer.buttons))
    return text_of(sections), buttons
