"""The volunteers' reference desk: what the page at /webhooks/volunteer/ and `python -m bot export` show.

One model, built from the knowledge base with the same queries (bot.knowledge) and the same
line functions (bot.render) as the chat and the CLI:

* a `Fact` is one entry as a volunteer reads it (a contact, an offence, a route, a topic, a
  state's recording rule): a title, labelled lists of lines, its sources, its review date, and
  a short plain-text version to copy for the person;
* a `Panel` is everything for one country, in `Block`s: emergency, crisis and young people's
  lines; reporting bodies with what each does and does not do; offences; call recording;
  the escalation ladder; the evidence checklist; routes across borders; the country's own
  guidance.

`panel_html` renders a panel for the page and for the printable card (`export_html`), so the
card and the page cannot drift apart; `panel_markdown` is the card as Markdown;
`search_payload` is the page's search as JSON. Lines may hold **bold** and bare https links:
the HTML renderer escapes everything else, and the JSON carries plain text with ranges, so
the page builds its DOM with text nodes only.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, Iterable, List, Optional, Sequence, Set, Tuple

from bot.config import PROJECT_ROOT
from bot.knowledge import KnowledgeBase
from bot.knowledge.base import REPORTING_KINDS
from bot.knowledge.schema import AbroadSteps, Contact, CrossBorder, Jurisdiction, Offence, RecordingRule, Region, Topic
from bot.knowledge.search import PREFIX_BONUS, EntryHit, extract_section, stem_of, typed_section, without_possessive
from bot.places import ABROAD, UNKNOWN
from bot.render import DISCLAIMER, contact_line, offence_lines, region_recording_line, sentence, topic_lines

STATIC = PROJECT_ROOT / "volunteer"
COPY_LIMIT = 640  # characters: about four SMS segments, and a short email
MAX_QUERY = 200  # characters; the page's search box has the same maxlength
GROUPS = (
    ("offence", "Offences"),
    ("contact", "Contacts"),
    ("route", "Routes across borders"),
    ("guidance", "Guidance"),
)
NOUNS = {
    "offence": ("offence", "offences"),
    "contact": ("contact", "contacts"),
    "route": ("route", "routes"),
    "guidance": ("guidance topic", "guidance topics"),
}
PER_GROUP = {"offence": 5, "contact": 8, "route": 4, "guidance": 6}
KEEP_RELATIVE = 0.15  # results scoring under this share of the best one are left out
_YOUNG = re.compile(r"\b(kids?|youth\w*|young|childline|teen\w*)\b", re.I)
_URL = re.compile(r"https://[^\s<>\"'),;]+[^\s<>\"'),;.:]")


# -- the model -----------------------------------------------------------------------------------


@dataclass
class Group:
    label: Optional[str]  # "Does not", "Elements"; None for the fact's opening lines
    lines: List[str]
    ordered: bool = False  # numbered steps
    checklist: bool = False  # things to tick off
    folded: bool = False  # on the page, behind a disclosure (printed open)


@dataclass
class Fact:
    id: str
    kind: str  # "offence" | "contact" | "route" | "guidance" | "recording"
    title: str
    groups: List[Group]
    sources: List[str]
    reviewed: dt.date
    jurisdiction: Optional[str]
    copy: str = ""  # plain text for the person
    legal: bool = False

    def lines(self) -> List[str]:
        return [line for g in self.groups for line in g.lines]


@dataclass
class Block:
    key: str  # "emergency", "offences", ...
    heading: str
    facts: List[Fact]
    note: Optional[str] = None


@dataclass
class Panel:
    country: str
    name: str
    blocks: List[Block]

    @property
    def reviewed(self) -> Optional[dt.date]:
        dates = [f.reviewed for b in self.blocks for f in b.facts]
        return min(dates) if dates else None


# -- entries -> facts ------------------------------------------------------------------------------


def contact_fact(kb: KnowledgeBase, contact: Contact, where: Optional[str]) -> Fact:
    reach = " / ".join([f"**{contact.phone}**"] * bool(contact.phone) + [x for x in (contact.text, contact.url) if x])
    groups = [Group(None, [reach, sentence(contact.when)])]
    if contact.does:
        groups.append(Group("Does", list(contact.does)))
    if contact.does_not:
        groups.append(Group("Does not", list(contact.does_not)))
    if contact.how:
        groups.append(Group("How to use it", list(contact.how), ordered=True, folded=True))
    keep = contact.does_not[:1]
    copy = _copy(
        [contact_line(contact, brief=False)] + [f"Keep in mind: {d}" for d in keep],
        [],
        contact.sources,
        contact.last_reviewed,
        legal=False,
    )
    regions = list(getattr(contact, "regions", None) or [])
    title = contact.name + (f" ({', '.join(kb.places.name(r) for r in regions)})" if regions else "")
    return Fact(
        contact.id,
        "contact",
        title,
        _clean(groups),
        list(contact.sources),
        contact.last_reviewed,
        regions[0] if len(regions) == 1 else where,
        copy,
    )


def offence_fact(kb: KnowledgeBase, offence: Offence, where: Optional[str]) -> Fact:
    head = offence_lines(offence)[0]
    title = f"{offence.section} {offence.law}"
    if offence.regions:  # Scots law, or England and Wales only
        title += f" ({', '.join(kb.places.name(r) for r in offence.regions)})"
    groups = [
        Group(None, [display(head, title), f"Covers: {offence.covers}"]),
        Group("Elements", list(offence.elements)),
    ]
    if offence.commenced:
        groups.append(Group("In force", [offence.commenced]))
    if offence.notes:
        groups.append(Group("Notes", list(offence.notes)))
    country = kb.places.name(kb.country_of(where)) if where else None
    lead = f"In {country}: {head}" if country else head
    copy = _copy(
        [lead] + ([f"In force: {offence.commenced}"] if offence.commenced else []),
        [],
        offence.sources,
        offence.last_reviewed,
        legal=True,
    )
    return Fact(
        offence.id, "offence", title, groups, list(offence.sources), offence.last_reviewed, where, copy, legal=True
    )


def recording_fact(region: Region) -> Fact:
    rule: RecordingRule = region.recording
    line = region_recording_line(region)
    return Fact(
        rule.id,
        "recording",
        f"Recording calls: {region.name}",
        [Group(None, [line])],
        list(rule.sources),
        rule.last_reviewed,
        region.id,
        _copy([line], [], rule.sources, rule.last_reviewed, legal=True),
        legal=True,
    )


def cross_border_fact(kb: KnowledgeBase, jurisdiction: Jurisdiction) -> Fact:
    route: CrossBorder = jurisdiction.harasser_here
    direct = [c for c in (kb.contact(ref) for ref in route.report_directly) if c]
    groups = [
        Group("Fastest lever", [route.fastest_lever]),
        Group("How it reaches them", [route.how_it_reaches_them], folded=True),
        Group("Channels", list(route.channels), folded=True),
    ]
    if direct:
        groups.append(Group("You can also file directly", [contact_line(c) for c in direct]))
    groups.append(Group("The honest truth", [route.honest_truth]))
    copy = _copy(
        [f"If the person harassing you is in {jurisdiction.name}: {route.fastest_lever}"],
        [f"Honestly: {route.honest_truth}"],
        route.sources,
        route.last_reviewed,
        legal=True,
    )
    return Fact(
        route.id,
        "route",
        f"If the harasser is in {jurisdiction.name}",
        groups,
        list(route.sources),
        route.last_reviewed,
        jurisdiction.id,
        copy,
        legal=True,
    )


def abroad_fact(jurisdiction: Jurisdiction) -> Fact:
    steps: AbroadSteps = jurisdiction.victim_here_harasser_abroad
    copy = _copy(
        [f"{i}. {s}" for i, s in enumerate(steps.steps, 1)],
        [],
        steps.sources,
        steps.last_reviewed,
        legal=True,
        opener="If the person harassing you is in another country:",
    )
    return Fact(
        steps.id,
        "route",
        f"In {jurisdiction.name}, with the harasser in another country",
        [Group(None, list(steps.steps), ordered=True)],
        list(steps.sources),
        steps.last_reviewed,
        jurisdiction.id,
        copy,
        legal=True,
    )


def topic_fact(kb: KnowledgeBase, topic: Topic, place: Optional[str] = None, checklist: bool = False) -> Fact:
    shown = kb.topic(topic.id, place) if place else topic
    points = [p.text for p in shown.points]
    groups = [
        Group(None, [shown.summary]),
        Group(None, points, ordered=shown.ordered, checklist=checklist and not shown.ordered),
    ]
    copy = _copy(topic_lines(shown), [], shown.sources, shown.last_reviewed, legal=False, opener=f"{shown.title}:")
    where = shown.jurisdictions[0] if len(shown.jurisdictions) == 1 else None
    return Fact(
        shown.id, "guidance", shown.title, groups, list(shown.sources), shown.last_reviewed, where, copy, legal=True
    )


def generic_fact(kb: KnowledgeBase, entry: Any, kind: str, where: Optional[str]) -> Fact:
    """An entry of a kind added to the knowledge base after this module: its passages as lines."""
    roles = kb.search_index.roles(entry)
    lines = [p.text for _, p in roles]
    title = roles[0][1].title if roles else getattr(entry, "name", None) or getattr(entry, "title", None) or entry.id
    return Fact(
        entry.id,
        kind,
        title,
        [Group(None, lines)],
        list(entry.sources),
        entry.last_reviewed,
        where,
        _copy(lines, [], entry.sources, entry.last_reviewed, legal=False),
    )


def fact_for(kb: KnowledgeBase, entry: Any, where: Optional[str]) -> Fact:
    if isinstance(entry, Contact):
        return contact_fact(kb, entry, where)
    if isinstance(entry, Offence):
        return offence_fact(kb, entry, where)
    if isinstance(entry, Topic):
        return topic_fact(kb, entry)
    if isinstance(entry, RecordingRule):
        region = next(r for j in kb.covered() for r in j.regions if r.recording is entry)
        return recording_fact(region)
    if isinstance(entry, CrossBorder):
        return cross_border_fact(kb, next(j for j in kb.covered() if j.harasser_here is entry))
    if isinstance(entry, AbroadSteps):
        return abroad_fact(next(j for j in kb.covered() if j.victim_here_harasser_abroad is entry))
    return generic_fact(kb, entry, "guidance", where)


def display(line: str, title: str) -> str:
    """A line under its title: without the title again in front ("**s 474.17C Criminal Code...**: ..."),
    with the maximum penalty in bold so it is found at a glance."""
    prefix = f"**{title}**: "
    if line.startswith(prefix):
        line = line[len(prefix) :]
    return line.replace("Maximum penalty:", "**Maximum penalty:**", 1) if "**Maximum penalty" not in line else line


def _clean(groups: List[Group]) -> List[Group]:
    for group in groups:
        group.lines = [line for line in group.lines if line]
    return [g for g in groups if g.lines]


# -- copy for the person -----------------------------------------------------------------------------


def strip_markup(text: str) -> str:
    """A line as plain text for the person: the knowledge base's lines carry only **bold**."""
    return re.sub(r"\*\*(.+?)\*\*", r"\1", text)


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(\"'])")


def _copy(
    lines: Sequence[str],
    must: Sequence[str],
    sources: Sequence[str],
    reviewed: dt.date,
    legal: bool,
    opener: Optional[str] = None,
    limit: int = COPY_LIMIT,
) -> str:
    """Plain text for an SMS or an email: whole sentences from the top while they fit, then the lines that
    must stay (the honest truth), the source with its review date, and the legal disclaimer."""
    tail = [strip_markup(m) for m in must]
    if sources:
        tail.append(f"Source: {sources[0]} (checked {_date(reviewed)})")
    if legal:
        tail.append(DISCLAIMER)
    head = [opener] if opener else []
    budget = limit - len("\n".join(head + tail)) - 1
    kept: List[str] = []
    for line in lines:
        line = strip_markup(line).strip()
        sentences = _SENTENCE_END.split(line)
        taken: List[str] = []
        for part in sentences:
            trial = kept + [" ".join(taken + [part])]
            if len("\n".join(trial)) > budget:
                break
            taken.append(part)
        if taken:
            kept.append(" ".join(taken))
        if len(taken) < len(sentences):
            break
    return "\n".join(head + kept + tail)


def _date(day: dt.date) -> str:
    return f"{day.day} {day.strftime('%B')} {day.year}"


# -- countries -> panels ---------------------------------------------------------------------------


def _young(contact: Contact) -> bool:
    return contact.kind.startswith(("youth", "young", "child")) or bool(_YOUNG.search(contact.name))


def country_panel(kb: KnowledgeBase, country: str) -> Panel:
    """Everything a volunteer needs for one country, in the order a call needs it."""
    jurisdiction = kb.jurisdictions[country]
    name = jurisdiction.name
    blocks: List[Block] = []
    shown: Set[str] = set()

    def facts(contacts: Iterable[Contact]) -> List[Fact]:
        chosen = [c for c in contacts if c.id not in shown]
        shown.update(c.id for c in chosen)
        return [contact_fact(kb, c, country) for c in chosen]

    young = facts(c for c in jurisdiction.contacts if _young(c))
    blocks.append(
        Block("emergency", "Emergency", facts(kb.contacts(country, ("emergency", "accessibility"), all_regions=True)))
    )
    blocks.append(
        Block("crisis", "Crisis and suicide support", facts(kb.contacts(country, ("crisis",), all_regions=True)))
    )
    blocks.append(
        Block("young", "Young people", young, None if young else f"No line for young people is listed for {name} yet.")
    )
    reporting = [c for c in kb.contacts(country, REPORTING_KINDS, "all", all_regions=True) if c.audience == "all"]
    blocks.append(Block("reporting", "Reporting bodies: what each does and does not do", facts(reporting)))
    minors = [c for c in kb.contacts(country, REPORTING_KINDS, "minors", all_regions=True) if c.audience == "minors"]
    if minors:
        blocks.append(Block("minors", "When the person is under 18", facts(minors)))
    adults = [c for c in kb.contacts(country, REPORTING_KINDS, "adults", all_regions=True) if c.audience == "adults"]
    if adults:
        blocks.append(Block("adults", "Adults' intimate images", facts(adults)))
    oversight = facts(kb.contacts(country, ("oversight",), all_regions=True))
    if oversight:
        blocks.append(Block("oversight", "Complaints about police", oversight))
    rest = facts(jurisdiction.contacts)  # any kind of contact added later
    if rest:
        blocks.append(Block("other", "Other contacts", rest))
    if jurisdiction.offences:
        blocks.append(
            Block(
                "offences",
                "Offences: section, maximum penalty, elements",
                [offence_fact(kb, o, country) for o in jurisdiction.offences],
                DISCLAIMER,
            )
        )
    rules = kb.recording_rules(country)
    if rules:
        blocks.append(
            Block("recording", "Recording a call you are part of", [recording_fact(r) for r in rules], DISCLAIMER)
        )
    ladder = kb.escalation(country)
    if ladder:
        blocks.append(Block("ladder", "If police don't act: the escalation ladder", [topic_fact(kb, ladder, country)]))
    else:
        steps = [kb.topic(t, country) for t in ("reference-number", "mp") if kb.topic(t, country)]
        blocks.append(
            Block(
                "ladder",
                "If police don't act",
                [topic_fact(kb, t, country) for t in steps],
                f"There is no step-by-step escalation ladder for {name} yet; these steps work almost " "everywhere.",
            )
        )
    evidence = [t for t in kb.topics.values() if t.id.startswith("evidence") and _applies(t, country)]
    blocks.append(
        Block("evidence", "Evidence checklist", [topic_fact(kb, t, country, checklist=True) for t in evidence])
    )
    routes = []
    if jurisdiction.victim_here_harasser_abroad:
        routes.append(abroad_fact(jurisdiction))
    if jurisdiction.harasser_here:
        routes.append(cross_border_fact(kb, jurisdiction))
    blocks.append(
        Block(
            "routes",
            "Across borders",
            routes,
            "The route finder puts the person's country and the harasser's together.",
        )
    )
    others = [cross_border_fact(kb, j) for j in kb.covered() if j.id != country and j.harasser_here]
    blocks.append(Block("elsewhere", "Harasser in another covered country", [_lever_only(f) for f in others]))
    used = {f.id for b in blocks for f in b.facts}
    own = [
        topic_fact(kb, t, country)
        for t in kb.topics.values()
        if t.id not in used and t.jurisdictions and _applies(t, country)
    ]
    if own:
        blocks.append(Block("guidance", f"More guidance for {name}", own))
    return Panel(country, name, [b for b in blocks if b.facts or b.note])


def _applies(topic: Topic, country: str) -> bool:
    return not topic.jurisdictions or any(p.split("-")[0] == country for p in topic.jurisdictions)


def _lever_only(fact: Fact) -> Fact:
    keep = [g for g in fact.groups if g.label in ("Fastest lever", "The honest truth")]
    return Fact(
        fact.id, fact.kind, fact.title, keep, fact.sources, fact.reviewed, fact.jurisdiction, fact.copy, fact.legal
    )


def route_parts(kb: KnowledgeBase) -> Tuple[Dict[str, Fact], Dict[str, Fact], Fact]:
    """For the route finder: what a person does at home (by their country), what works where the
    harasser is (by the harasser's country), and what to do when that country is not covered.
    Together they are `kb.route(victim, harasser)`, as the CLI's `route` command shows it."""
    home = {j.id: abroad_fact(j) for j in kb.covered() if j.victim_here_harasser_abroad}
    there = {j.id: cross_border_fact(kb, j) for j in kb.covered() if j.harasser_here}
    interpol = kb.topic("interpol")
    unknown = (
        topic_fact(kb, interpol)
        if interpol
        else Fact(
            "interpol",
            "guidance",
            "Another country",
            [Group(None, ["Report to the police where the person is and ask for the reference number."])],
            [],
            dt.date.today(),
            None,
        )
    )
    return home, there, unknown


# -- HTML ------------------------------------------------------------------------------------------------


def inline_html(text: str) -> str:
    """**bold** and bare https links; everything else escaped."""
    out = []
    for index, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        pieces, last = [], 0
        for match in _URL.finditer(part):
            pieces.append(html.escape(part[last : match.start()]))
            url = html.escape(match.group(0))
            pieces.append(f'<a href="{url}">{url}</a>')
            last = match.end()
        pieces.append(html.escape(part[last:]))
        chunk = "".join(pieces)
        out.append(f"<strong>{chunk}</strong>" if index % 2 else chunk)
    return "".join(out)


def fact_html(fact: Fact, prefix: str, copy: bool = True, heading: str = "h4") -> str:
    """One fact as an <article>. `copy` (the page) adds the copy button and folds the long how-to
    steps under a disclosure; without it (the printable card) everything is laid out flat."""
    title_id = f"{prefix}-{fact.id}-t"
    parts = [
        f'<article class="fact fact-{fact.kind}" id="{prefix}-{fact.id}" data-fact data-kind="{fact.kind}"'
        f' aria-labelledby="{title_id}">',
        f'<{heading} class="fact-title" id="{title_id}">{inline_html(fact.title)}</{heading}>',
    ]
    for group in fact.groups:
        body = _group_html(group)
        if group.folded and copy:
            parts.append(f'<details><summary>{html.escape(group.label or "More")}</summary>{body}</details>')
        else:
            if group.label:
                css = " label-not" if group.label == "Does not" else ""
                parts.append(f'<p class="label{css}">{html.escape(group.label)}</p>')
            parts.append(body)
    parts.append(meta_html(fact))
    if copy and fact.copy:
        parts.append(
            f'<button type="button" class="copy" data-copy="{html.escape(fact.copy)}" '
            f'aria-describedby="{title_id}">Copy for the person</button>'
        )
    parts.append("</article>")
    return "".join(parts)


def _group_html(group: Group) -> str:
    if group.checklist:
        items = "".join(
            f'<li><label><input type="checkbox"> <span>{inline_html(line)}</span></label></li>' for line in group.lines
        )
        return f'<ul class="checklist">{items}</ul>'
    if group.ordered:
        return '<ol class="lines">' + "".join(f"<li>{inline_html(x)}</li>" for x in group.lines) + "</ol>"
    if group.label is None or (len(group.lines) == 1 and group.label not in _LISTS):
        css = "line truth" if group.label == "The honest truth" else "line"
        return "".join(f'<p class="{css}">{inline_html(x)}</p>' for x in group.lines)
    css = "lines does-not" if group.label == "Does not" else "lines"
    return f'<ul class="{css}">' + "".join(f"<li>{inline_html(x)}</li>" for x in group.lines) + "</ul>"


_LISTS = ("Does", "Does not", "Elements", "Notes", "Channels")


def meta_html(fact: Fact) -> str:
    links = ", ".join(f'<a href="{html.escape(u)}">{html.escape(u)}</a>' for u in fact.sources)
    label = "Source" if len(fact.sources) == 1 else "Sources"
    return (
        f'<p class="meta">{label}: {links}. Checked <time datetime="{fact.reviewed.isoformat()}">'
        f"{_date(fact.reviewed)}</time>.</p>"
    )


def panel_html(panel: Panel, copy: bool = True, heading: str = "h2") -> str:
    prefix = panel.country
    sub = {"h1": "h2", "h2": "h3"}[heading]
    fact_heading = {"h2": "h3", "h3": "h4"}[sub]
    parts = [
        f'<section class="panel" id="panel-{prefix}" data-panel="{prefix}" aria-labelledby="panel-{prefix}-h">',
        f'<{heading} class="panel-title" id="panel-{prefix}-h" tabindex="-1">{html.escape(panel.name)}</{heading}>',
    ]
    for block in panel.blocks:
        parts.append(
            f'<section class="block block-{block.key}" aria-labelledby="{prefix}-{block.key}-h">'
            f'<{sub} id="{prefix}-{block.key}-h">{html.escape(block.heading)}</{sub}>'
        )
        if block.note:
            parts.append(f'<p class="note">{inline_html(block.note)}</p>')
        parts.extend(fact_html(f, f"{prefix}-{block.key}", copy, fact_heading) for f in block.facts)
        parts.append("</section>")
    parts.append("</section>")
    return "".join(parts)


def export_html(panel: Panel, title: str) -> str:
    """The printable card: the page's panel and the page's stylesheet, no script."""
    css = (STATIC / "volunteer.css").read_text(encoding="utf-8")
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(title)}</title><style>{css}</style></head>"
        f'<body class="card"><main><h1>{html.escape(title)}</h1>'
        f'<p class="disclaimer">{html.escape(DISCLAIMER)}</p>'
        f"{panel_html(panel, copy=False, heading='h2')}</main></body></html>\n"
    )


def panel_markdown(panel: Panel, title: str) -> str:
    out = [f"# {title}", "", f"_{DISCLAIMER}_", ""]
    for block in panel.blocks:
        out += [f"## {block.heading}", ""]
        if block.note:
            out += [block.note, ""]
        for fact in block.facts:
            out += [f"### {fact.title}", ""]
            for group in fact.groups:
                if group.label:
                    out.append(f"{group.label}:")
                for number, line in enumerate(group.lines, 1):
                    marker = f"{number}." if group.ordered else "- [ ]" if group.checklist else "-"
                    if group.label is None and not (group.ordered or group.checklist):
                        out += [line, ""]  # opening lines are paragraphs
                    else:
                        out.append(f"{marker} {line}")
                if out[-1] != "":
                    out.append("")
            label = "Source" if len(fact.sources) == 1 else "Sources"
            out += [f"{label}: {', '.join(fact.sources)} (checked {fact.reviewed.isoformat()})", ""]
    return "\n".join(out).rstrip() + "\n"


# -- the page -----------------------------------------------------------------------------------------------


def _options(kb: KnowledgeBase, extra: Sequence[Tuple[str, str]] = ()) -> str:
    items = [(j.id, j.name) for j in kb.covered()] + list(extra)
    return "".join(f'<option value="{html.escape(v)}">{html.escape(n)}</option>' for v, n in items)


@lru_cache(maxsize=4)
def page_html(kb: KnowledgeBase) -> str:
    """The whole page: the template in volunteer/index.html with every country's panel and the route
    finder's parts filled in (so all of it works offline once loaded)."""
    template = (STATIC / "index.html").read_text(encoding="utf-8")
    panels = [country_panel(kb, j.id) for j in kb.covered()]
    home, there, unknown = route_parts(kb)
    parts = "".join(
        f'<div data-route-home="{c}">{fact_html(f, f"rh-{c}", heading="h3")}</div>' for c, f in home.items()
    )
    parts += "".join(
        f'<div data-route-there="{c}">{fact_html(f, f"rt-{c}", heading="h3")}</div>' for c, f in there.items()
    )
    parts += f'<div data-route-unknown>{fact_html(unknown, "ru", heading="h3")}</div>'
    reviewed = [p.reviewed for p in panels if p.reviewed]
    slots = {
        "countries": _options(kb),
        "victim-options": _options(kb, [(UNKNOWN, "Another country")]),
        "harasser-options": _options(kb, [(ABROAD, "Another country, or not known")]),
        "panels": "".join(panel_html(p) for p in panels),
        "route-parts": parts,
        "disclaimer": html.escape(DISCLAIMER),
        "oldest-review": _date(min(reviewed)) if reviewed else "",
    }
    for name, value in slots.items():
        template = template.replace(f"<!-- slot:{name} -->", value)
    return template


# -- search as JSON ---------------------------------------------------------------------------------------


def search_payload(kb: KnowledgeBase, query: str, place: Optional[str] = None) -> Dict[str, Any]:
    """What the page shows for a query, grouped: offences, contacts, routes, guidance. Unknown words give
    no groups (never an error)."""
    query = (query or "").strip()[:MAX_QUERY]
    payload: Dict[str, Any] = {
        "query": query,
        "understood": {"section": None, "places": []},
        "count": 0,
        "groups": [],
        "disclaimer": DISCLAIMER,
    }
    if not query:
        return payload
    index = kb.search_index
    own = place if place and kb.jurisdiction(place) else None
    hits = index.entries(query, place=own, limit=60)
    places = [m for m in kb.places.find(without_possessive(query)) if m.place not in (ABROAD, UNKNOWN)]
    payload["understood"] = {
        "section": extract_section(query) or typed_section(query),
        "places": [
            {"id": p, "name": kb.places.name(p), "country": kb.country_of(p)}
            for p in dict.fromkeys(m.place for m in places)
        ],
    }
    if not hits:
        return payload
    # Leave out the long tail, measured against the best result on words (a section or a place puts its
    # own entries far above everything else, which must not hide what else matches).
    on_words = [h.score for h in hits if h.score < PREFIX_BONUS]
    best = on_words[0] if on_words else hits[0].score
    terms, section = index.highlight_terms(query)
    grouped: Dict[str, List[Dict[str, Any]]] = {kind: [] for kind, _ in GROUPS}
    regions_named = any("-" in m.place for m in places)
    merged: Set[str] = set()
    for hit in hits:
        group = "guidance" if hit.kind == "recording" else hit.kind
        if group not in grouped or hit.score < KEEP_RELATIVE * best or len(grouped[group]) >= PER_GROUP[group]:
            continue
        country = kb.country_of(hit.jurisdiction) if hit.jurisdiction else None
        if hit.kind == "recording" and not regions_named and country:
            # Several states' recording rules: one card with every state's rule, as the CLI's `recording AU`.
            if country not in merged and sum(1 for h in hits if h.kind == "recording") > 1:
                merged.add(country)
                grouped[group].append(_recording_result(kb, country, hit.score, terms, section))
                continue
            if country in merged:
                continue
        grouped[group].append(_result(kb, hit, terms, section))
    order = sorted((k for k, _ in GROUPS if grouped[k]), key=lambda k: -grouped[k][0]["score"])
    labels = dict(GROUPS)
    payload["groups"] = [{"kind": k, "label": labels[k], "noun": list(NOUNS[k]), "results": grouped[k]} for k in order]
    payload["count"] = sum(len(g["results"]) for g in payload["groups"])
    return payload


def _result(kb: KnowledgeBase, hit: EntryHit, terms: Set[str], section: Optional[str]) -> Dict[str, Any]:
    fact = fact_for(kb, hit.entry, hit.jurisdiction)
    roles = kb.search_index.roles(hit.entry)
    matched = {p.text for p, _ in hit.passages}
    # The lines to show first: an offence's head and "In force", a contact's name and reach, then the
    # passages where the query's words are (the rest is one click away, under "Everything on this").
    fixed = [
        p.text
        for role, p in roles
        if (hit.kind == "offence" and role in ("head", "commenced")) or (hit.kind == "contact" and role == "head")
    ]
    found = [
        p.text for _, p in roles if p.text in matched and p.text not in fixed and _line(p.text, terms, section)["marks"]
    ]
    key = (fixed + found)[:5] or [p.text for _, p in roles[:2]]
    must: List[str] = []
    if isinstance(hit.entry, CrossBorder):
        truth = next(p.text for role, p in roles if role == "honest_truth")
        key = [k for k in key if k != truth] + [truth]
        must = [truth]
    copy = _copy(
        [k for k in key if k not in must], must, fact.sources, fact.reviewed, fact.legal, opener=_copy_opener(kb, fact)
    )
    where = hit.jurisdiction
    return {
        "id": fact.id,
        "kind": fact.kind,
        "title": _line(fact.title, terms, section),
        "jurisdiction": where,
        "place": kb.places.name(where) if where else "Everywhere",
        "country": kb.country_of(where) if where else None,
        "key": [_line(display(k, fact.title), terms, section) for k in key],
        "full": [
            {"label": g.label, "ordered": g.ordered, "lines": [_line(x, terms, section) for x in g.lines]}
            for g in fact.groups
        ],
        "sources": fact.sources,
        "reviewed": fact.reviewed.isoformat(),
        "reviewed_text": _date(fact.reviewed),
        "copy": copy,
        "legal": fact.legal,
        "score": round(hit.score, 3),
    }


def _recording_result(
    kb: KnowledgeBase, country: str, score: float, terms: Set[str], section: Optional[str]
) -> Dict[str, Any]:
    facts = [recording_fact(r) for r in kb.recording_rules(country)]
    lines = [line for f in facts for line in f.lines()]
    sources = list(dict.fromkeys(u for f in facts for u in f.sources))
    reviewed = min(f.reviewed for f in facts)
    name = kb.places.name(country)
    copy = _copy(lines, [], sources, reviewed, legal=True, opener=f"Recording a call you are part of, in {name}:")
    return {
        "id": f"recording-{country}",
        "kind": "recording",
        "title": _line(f"Recording a call you are part of: each state's rule ({name})", terms, section),
        "jurisdiction": country,
        "place": name,
        "country": country,
        "key": [_line(x, terms, section) for x in lines],
        "full": [],
        "sources": sources,
        "reviewed": reviewed.isoformat(),
        "reviewed_text": _date(reviewed),
        "copy": copy,
        "legal": True,
        "score": round(score, 3),
    }


def _copy_opener(kb: KnowledgeBase, fact: Fact) -> Optional[str]:
    if fact.kind == "offence" and fact.jurisdiction:
        return f"In {kb.places.name(kb.country_of(fact.jurisdiction))}:"
    if fact.kind in ("guidance", "route"):
        return f"{strip_markup(fact.title)}:"
    return None


_TOKEN = re.compile(r"[A-Za-z0-9À-ÿ]+")


@lru_cache(maxsize=8192)
def _parsed(
    text: str,
) -> Tuple[str, Tuple[Tuple[int, int], ...], Tuple[Tuple[int, int], ...], Tuple[Tuple[int, int, str], ...]]:
    """A line's plain text, its bold and link ranges, and each word with its search stem."""
    plain, strong, cursor = [], [], 0
    for index, part in enumerate(re.split(r"\*\*(.+?)\*\*", text)):
        if index % 2:
            strong.append((cursor, cursor + len(part)))
        plain.append(part)
        cursor += len(part)
    flat = "".join(plain)
    links = tuple((m.start(), m.end()) for m in _URL.finditer(flat))
    tokens = tuple(
        (m.start(), m.end(), stem_of(m.group(0)))
        for m in _TOKEN.finditer(flat)
        if not any(a <= m.start() < b for a, b in links)
    )
    return flat, tuple(strong), links, tokens


def _line(text: str, terms: Set[str], section: Optional[str]) -> Dict[str, Any]:
    """{"text": plain text, "strong": [[start, end]...], "links": [...], "marks": [...]}: ranges, never markup."""
    flat, strong, links, tokens = _parsed(text)
    marks = [[a, b] for a, b, stem in tokens if stem in terms] if terms else []
    if section:
        pattern = re.compile(rf"(?<![\w.]){re.escape(section)}(?![\w])", re.I)
        marks += [[m.start(), m.end()] for m in pattern.finditer(flat)]
    return {
        "text": flat,
        "strong": [list(r) for r in strong],
        "links": [list(r) for r in links],
        "marks": _merge(marks),
    }


def _inside(position: int, ranges: List[List[int]]) -> bool:
    return any(start <= position < end for start, end in ranges)


def _merge(ranges: List[List[int]]) -> List[List[int]]:
    merged: List[List[int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def read_static(name: str) -> str:
    return (STATIC / name).read_text(encoding="utf-8")
