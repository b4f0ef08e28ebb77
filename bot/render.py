"""Knowledge entries -> answers, and answers -> text for each kind of channel.

An `Answer` is channel-neutral: a few sections of short lines, the sources behind
them, and suggested next questions. `to_markdown` is for the website widget, the
REST channel and the volunteer CLI (a small, safe Markdown subset: **bold**,
bullets and bare https links); `to_plain` is for SMS (no markup, numbered options
instead of buttons, within a segment budget).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, List, Optional, Sequence, Tuple

from bot.knowledge.schema import Contact, CrossBorder, Offence, Region, Topic

DISCLAIMER = "This is general legal information, not legal advice."
SMS_LIMIT = 1530  # ten concatenated GSM-7 segments of 153 characters

Button = Tuple[str, str]  # (title, payload)


@dataclass
class Section:
    heading: Optional[str]
    lines: List[str]


@dataclass
class Answer:
    sections: List[Section] = field(default_factory=list)
    opener: Optional[str] = None
    sources: List[str] = field(default_factory=list)
    legal: bool = False  # adds DISCLAIMER
    buttons: List[Button] = field(default_factory=list)

    def add(self, heading: Optional[str], lines: Iterable[str], sources: Iterable[str] = ()) -> "Answer":
        shown = {line for section in self.sections for line in section.lines}
        lines = [line for line in lines if line and line not in shown]  # never say the same thing twice
        if lines:
            self.sections.append(Section(heading, lines))
            self.cite(sources)
        return self

    def cite(self, sources: Iterable[str]) -> None:
        for url in sources:
            if url not in self.sources:
                self.sources.append(url)


# -- knowledge entries -> lines ------------------------------------------------------------

def sentence(text: str) -> str:
    """End with a full stop unless the text already ends with punctuation."""
    text = text.rstrip()
    return text if not text or text[-1] in ".!?:" else text + "."


def contact_line(contact: Contact, brief: bool = True) -> str:
    reach = " / ".join(x for x in (contact.phone, contact.text, contact.url) if x)
    line = f"**{contact.name}**: {reach}" if reach else f"**{contact.name}**"
    return line if brief else f"{sentence(line)} {sentence(contact.when)}"


def number_label(contact: Contact) -> str:
    """"000 (Triple Zero)"; just the name when it already says the number ("112 (from mobiles)")."""
    return contact.name if contact.phone in contact.name else f"{contact.phone} ({contact.name})"


def emergency_line(contacts: Sequence[Contact]) -> str:
    numbers = ", ".join(number_label(c) for c in contacts if c.phone)
    return f"If you are in danger right now, call {numbers}." if numbers else ""


def offence_lines(offence: Offence, detail: bool = False) -> List[str]:
    head = f"**{offence.section} {offence.law}**: {sentence(offence.title)} Maximum penalty: {sentence(offence.max_penalty)}"
    lines = [head]
    if detail:
        lines.append(f"Covers: {offence.covers}")
        lines += [f"Element: {e}" for e in offence.elements]
        if offence.commenced:
            lines.append(f"In force: {offence.commenced}")
        lines += offence.notes
    return lines


def region_recording_line(region: Region) -> str:
    rule = region.recording
    return f"**{region.name}**: {rule.consent} consent ({rule.law}). {sentence(rule.detail)}"


def route_lines(route) -> List[str]:
    lines: List[str] = []
    if route.at_home:
        lines += route.at_home.steps
    if route.over_there:
        there: CrossBorder = route.over_there
        lines += [f"**Fastest lever there:** {there.fastest_lever}",
                  f"**How your case reaches them:** {there.how_it_reaches_them}"]
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

def to_markdown(answer: Answer, max_sources: int = 4) -> str:
    parts: List[str] = []
    if answer.opener:
        parts.append(answer.opener)
    for section in answer.sections:
        block = [f"**{section.heading}**"] if section.heading else []
        bullets = len(section.lines) > 1
        block += [f"- {line}" if bullets and not re.match(r"^\d+\. ", line) else line for line in section.lines]
        parts.append("\n".join(block))
    if answer.sources:
        shown = answer.sources[:max_sources]
        parts.append("Sources: " + ", ".join(shown))
    if answer.legal:
        parts.append(f"_{DISCLAIMER}_")
    return "\n\n".join(parts)


def strip_markup(text: str) -> str:
    text = re.sub(r"\*\*(.+?)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)_(.+?)_(?!\w)", r"\1", text)
    return text


def sms_options(buttons: Sequence) -> str:
    """Buttons as numbered options for text channels: "Reply 1 for Save evidence, 2 for ..."."""
    titles = [b["title"] if isinstance(b, dict) else b[0] for b in buttons or []]
    if not titles:
        return ""
    return "Reply " + ", ".join(f"{i} for {t}" for i, t in enumerate(titles, 1)) + "."


def to_plain(answer: Answer, limit: int = SMS_LIMIT, reserve: Sequence = ()) -> str:
    """SMS: no markup, first source only, cut at a line break to leave room for the options line
    that the text channel appends for `reserve` (the buttons)."""
    lines: List[str] = []
    if answer.opener:
        lines.append(answer.opener)
    for section in answer.sections:
        if section.heading:
            lines.append(section.heading.upper())
        lines += [strip_markup(s) for s in section.lines]
    tail: List[str] = []
    if answer.sources:
        tail.append(f"Source: {answer.sources[0]}")
    if answer.legal:
        tail.append(DISCLAIMER)
    options = sms_options(reserve)
    return fit(lines, tail, limit - (len(options) + 1 if options else 0))


def fit(lines: List[str], tail: List[str], limit: int) -> str:
    """Keep whole lines from the top while they fit, then always keep the tail."""
    budget = limit - len("\n".join(tail)) - 1
    kept: List[str] = []
    for line in lines:
        if len("\n".join(kept + [line])) > budget:
            break
        kept.append(line)
    return "\n".join(kept + tail)
