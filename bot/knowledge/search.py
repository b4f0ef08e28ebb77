"""Search over the knowledge base: single facts (passages) and whole entries, ranked with BM25.

Every entry in knowledge/ is cut into passages, each one fact as a person reads it: an
offence's head (section, law, title, maximum penalty), its "In force" line, each element
and note; a contact's name, reach and when to use it, and each does / does-not line; each
line of a cross-border route; each step for a victim whose harasser is abroad; each
state's call-recording rule; each point of a guidance topic. The cutting is generic:
a field added to an entry later (a string or a list of strings) becomes passages
without code here, and so does a new kind of entry inside a jurisdiction.

Ranking, in order of strength:

1. A section number in the query ("474.17C", "s 264", "2261A") puts that offence first.
2. A place named in the query ("Canadian", "Joburg", "the States", "WA", resolved by the
   knowledge base's own place resolver) restricts the results to that country and to what
   applies everywhere, and boosts that country's (and that state's) passages above the
   general ones. A query that is only a place lists that place's contacts, emergency first.
3. BM25 over the passage, its entry's title and a few words that say what the field is
   ("in force", "does not", an offence's everyday names, a topic's keywords); words are
   lower-cased, stop words dropped and lightly stemmed.
4. What the question asks for: a penalty question ("how long can someone get", "max
   sentence") prefers an offence's head, a "when" question prefers passages with a date,
   an "in force" question the commencement lines; adjacent query words found together
   score more.
5. `place`, the person's own place, is a softer boost: their country first, others after.

Why BM25 is written here rather than imported: the action server runs in the rasa-sdk image,
which has no numpy, and `bm25s` needs numpy (and imports jax when it is installed, as it is
beside Rasa); `rank-bm25` needs numpy too and has had no release since 2022. The corpus is
about 700 passages, so plain postings lists score a query in well under a millisecond. The
formula is Lucene's, the one `bm25s` uses by default, and the tests check our scores against
`bm25s` (a test-only dependency). The stemmer is light for the same reason: no C extension
to ship to the action server, and the few words it must join or keep apart are tested.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple, Union

from bot.knowledge.schema import AbroadSteps, Contact, CrossBorder, Entry, Jurisdiction, Offence, Region, Topic
from bot.places import ABROAD, UNKNOWN

if TYPE_CHECKING:  # pragma: no cover
    from bot.knowledge.base import KnowledgeBase

KINDS = ("offence", "contact", "route", "guidance", "recording")

# -- words -------------------------------------------------------------------------------------

_STOP_WORDS = frozenset(
    """a an and are as at be been by can could did do does for from had has have how i if
in into is it its me my of on or our so that the their them there they this to us was we were what when where
which who whom why will with would you your s""".split()
)
# Words the stemmer leaves apart that people use for the same thing.
_SAME = {
    "dox": "doxx",
    "doxxx": "doxx",  # "doxing", "doxed" -> "doxxing", "doxxed"
    "suicidal": "suicid",
    "suicid": "suicid",
}
_VOWELS = set("aeiouy")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    """A light English stemmer: plurals, -ing, -ed, -ment and a final e, so that "offence" and
    "offences", "images" and "image", "threatened" and "threatening", "commenced" and
    "commencement", "harassment" and "harassed" meet, while "officer" and "office", "states"
    and "statement" do not. Digits and short words are left alone."""
    if len(word) <= 3 or not word.isalpha():
        return _SAME.get(word, word)
    for suffix, keep in (("ies", 2), ("ied", 2)):
        if word.endswith(suffix) and len(word) - 3 >= keep:
            return word[:-3] + "y"
    if word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("es") and re.search(r"(?:[sxz]|ch|sh)es$", word):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix, minimum in (("ment", 6), ("ing", 3), ("ed", 3)):
        if word.endswith(suffix) and len(word) - len(suffix) >= minimum and _VOWELS & set(word[: -len(suffix)]):
            word = word[: -len(suffix)]
            if (
                suffix != "ment"
                and len(word) > 3
                and word[-1] == word[-2]
                and word[-1] not in "lsz"
                and word[-1] not in _VOWELS
            ):
                word = word[:-1]  # "stopped" -> "stop", "doxxed" keeps "doxx" below
            break
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return _SAME.get(word, word)


def _fold(text: str) -> str:
    """Accents off ("attaché" -> "attache"); "U.S.C." -> "usc"; "US", "U.S.", "USA" as written -> "usa"
    (so "help us" is not the United States); other dotted abbreviations lose their dots."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"\bU\.S\.C\.?", " usc ", text)
    text = re.sub(r"\bU\.?S\.?(?:A\.?)?(?![A-Za-z])", " usa ", text)
    text = text.lower()
    text = re.sub(r"\bnon[- ](?=[a-z])", "non", text)  # "non-emergency" is not "emergency"
    return re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group(0).replace(".", ""), text)


@lru_cache(maxsize=65536)
def stem_of(token: str) -> str:
    """The search word for one word as written ("Threatening" -> "threaten"); "" for punctuation."""
    found = re.findall(r"[a-z0-9]+", _fold(token))
    return _stem(found[0]) if found else ""


def words(text: str) -> List[str]:
    """Search words: lower case, no stop words, stemmed ("Threatening messages" -> ["threaten", "messag"])."""
    return [_stem(w) for w in re.findall(r"[a-z0-9]+", _fold(text or "")) if w not in _STOP_WORDS]


# -- section numbers ---------------------------------------------------------------------------

_SECTION = re.compile(
    r"(?:\b(?:s|sec|section|ss)\.?\s*)?(?<![\d.])(\d{2,4}(?:\.\d+)?[a-z]{0,2})(?:\s*\(\s*[0-9a-z]+\s*\))*", re.I
)
_BARE_SECTION = re.compile(r"\s*(?:(?:s|sec|section|§)\.?\s*)?(\d{2,4}(?:\.\d*)?[a-z]{0,2})\s*", re.I)


def extract_section(query: str) -> Optional[str]:
    """A section number named in a question ("penalty for s 474.17C?" -> "474.17c";
    "18 USC 2261A" -> "2261a"), or None for prose."""
    for match in _SECTION.finditer(query or ""):
        candidate = match.group(1).lower()
        if "." in candidate or re.search(r"[a-z]$", candidate) or match.group(0).lower().startswith(("s", "sec")):
            return candidate
        if re.search(r"\b(section|s\.?|u\.?s\.?c\.?|§)\s*$", query[: match.start()], re.I):
            return candidate
    return None


def section_key(section: str) -> str:
    """ "s 474.17C" / "18 U.S.C. § 2261A" / "s 264.1" -> "474.17c" / "2261a" / "264.1"."""
    numbers = re.findall(r"(\d{2,4}(?:\.\d+)?[A-Za-z]{0,2})(?:\([^)]*\))*", section)
    return numbers[-1].lower() if numbers else section.lower()


def subsection_key(section: str) -> Optional[str]:
    """ "18 U.S.C. § 875(c)" -> "(c)"; "s 474.17C" -> None: what tells 875(c) from 875(d)."""
    found = re.search(r"\d[\w.]*\s*(\([^)]*\))", section or "")
    return found.group(1).lower() if found else None


def typed_section(query: str) -> Optional[str]:
    """The query is nothing but a (perhaps half-typed) section: "474.1", "s 26", "2261"."""
    match = _BARE_SECTION.fullmatch(query or "")
    return match.group(1).lower() if match else None


# -- what a question asks for ------------------------------------------------------------------

_PENALTY = re.compile(
    r"\b(how long|how many years|penalt\w*|sentenc\w*|jail\w*|prison\w*|imprison\w*|max|maximum"
    r"|punish\w*|locked up|years?|fines?|get for|go down for|top sentence)\b",
    re.I,
)
_PENALTY_WORDS = words("penalty maximum imprisonment years")
_WHEN = re.compile(
    r"^\W*when\b|\bwhen (did|was|were|does|do|will|is|has)\b|\b(what|which) (date|day|year)\b"
    r"|\bsince when\b|\bhow long ago\b|\bdate\b",
    re.I,
)
_IN_FORCE = re.compile(
    r"\b(in force|into force|in effect|into effect|in operation|commenc\w*|come in|came in"
    r"|start(ed)?|began|begin)\b",
    re.I,
)
_IN_FORCE_WORDS = words("force operation commenced")
_CONTACT = re.compile(
    r"\b(numbers?|phone|call|ring|text|hotline|helplines?|lines?|contacts?|website|reach"
    r"|who (do|can|should) i|talk to)\b",
    re.I,
)
_ILLEGAL = re.compile(
    r"\b(illegal|unlawful|a crime|criminal|offen[cs]es?|against the law|what law|which law"
    r"|the law|charged?|press charges)\b",
    re.I,
)
_DATE = re.compile(
    r"\b(\d{1,2} )?(January|February|March|April|May|June|July|August|September|October|November"
    r"|December) (\d{4})\b"
)
_FORCE_TEXT = re.compile(r"\b(in force|in operation|commenced|came into force|into effect|since \d)", re.I)
_POSSESSIVE = re.compile(r"(\w)['’]s\b")


def without_possessive(text: str) -> str:
    """ "South Africa's" -> "South Africa" (the place resolver knows the name, not the possessive)."""
    return _POSSESSIVE.sub(r"\1", text)


# Words that add nothing to a place ("contacts in Joburg", "numbers for the States").
_PLACE_ONLY = frozenset(
    words(
        "contacts contact numbers number phone lines line help helplines services service "
        "support reporting report who call please"
    )
)


# -- passages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    text: str  # one fact, as a person reads it (may contain **bold**)
    kind: str  # "offence" | "contact" | "route" | "guidance" | "recording"
    entry_id: str
    title: str  # e.g. "s 474.17D Criminal Code Act 1995 (Cth)", the topic title, the contact name
    jurisdiction: Optional[str]  # "AU", "AU-VIC", or None when it applies everywhere
    sources: Tuple[str, ...]
    last_reviewed: dt.date


@dataclass
class _Doc:
    passage: Passage
    entry: Any  # the knowledge entry the passage comes from
    role: str  # "head", "commenced", "note", "element", "does", "step", "point", ... (the field)
    order: int  # position within its entry
    places: FrozenSet[str]  # where it applies; empty: everywhere
    extra: str = ""  # words that are searched but not shown


Hit = Union[Offence, Topic, Contact]


@dataclass
class SearchResult:
    """What `KnowledgeBase.search` returns (the CLI's and the chat's reference answers read it)."""

    item: Hit
    jurisdiction: Optional[str]  # where the item lives; None for topics that apply everywhere
    score: float


@dataclass
class EntryHit:
    """One knowledge entry found, with its passages that matched (best first)."""

    entry: Any
    kind: str
    jurisdiction: Optional[str]
    score: float
    passages: List[Tuple[Passage, float]] = field(default_factory=list)


# Field names that say how to read a line, searched with it ("in force", "does not").
_LABELS = {
    "head": "maximum penalty",
    "covers": "covers",
    "element": "elements",
    "commenced": "in force commenced",
    "note": "",
    "does": "does",
    "does_not": "does not",
    "how": "how to",
    "fastest_lever": "fastest lever",
    "how_it_reaches_them": "how it reaches them",
    "channels": "channel",
    "report_directly": "file directly",
    "honest_truth": "honest truth",
    "step": "what to do",
    "summary": "",
    "point": "",
    "recording": "recording",
    "platform_route": "how to report",
}
# What each kind of contact is for, in the words people use.
_CONTACT_KIND_WORDS = {
    "emergency": "emergency danger urgent",
    "crisis": "crisis suicide self-harm struggling mental health",
    "youth": "young people children kids teens youth helpline",
    "oversight": "complaint about police oversight misconduct",
    "police": "police report",
    "report": "report reporting portal online",
    "regulator": "regulator takedown removal",
    "support": "support help advice",
    "accessibility": "deaf hearing speech relay accessibility",
}
# Fields that are references, settings or search aids rather than facts to show.
# review_notes and unverified are for maintainers and never shown to people (schema.Entry).
_NOT_FACTS = {
    "id",
    "sources",
    "last_reviewed",
    "kind",
    "show_for",
    "harms",
    "report_directly",
    "jurisdictions",
    "ordered",
    "keywords",
    "aka",
    "aliases",
    "case_sensitive_aliases",
    "consent",
    "refines",
    "cues",
    "topics",
    "danger_hint",
    "escalation_topic",
    "phone",
    "text",
    "url",
    "review_notes",
    "unverified",
    "audience",
    "regions",
    "routes",
}
_JURISDICTION_FIELDS = {
    "id",
    "name",
    "aliases",
    "case_sensitive_aliases",
    "contacts",
    "offences",
    "regions",
    "harasser_here",
    "victim_here_harasser_abroad",
    "escalation_topic",
}


def _label(name: str) -> str:
    return name.replace("_", " ").capitalize()


def _other_fields(entry: Any, handled: Set[str]) -> Iterator[Tuple[str, str]]:
    """Fields this module does not know yet (added to the schema later): each string, and each
    string of a list, as a labelled line."""
    for name, value in entry:
        if name in handled or name in _NOT_FACTS:
            continue
        if isinstance(value, str):
            yield name, f"{_label(name)}: {value}"
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            for item in value:
                yield name, f"{_label(name)}: {item}"


class _Builder:
    """Knowledge entries -> passages. The lines are the ones the answers use (bot.render)."""

    def __init__(self, kb: "KnowledgeBase") -> None:
        # Imported here: bot.render imports the schema, whose package imports this module.
        from bot import render

        self.kb, self.render = kb, render
        self.docs: List[_Doc] = []
        self._counts: Dict[int, int] = {}

    def add(
        self,
        entry: Entry,
        kind: str,
        title: str,
        places: Iterable[str],
        role: str,
        text: str,
        extra: str = "",
        label: bool = True,
        sources: Optional[Sequence[str]] = None,
        reviewed: Optional[dt.date] = None,
    ) -> None:
        places = frozenset(p for p in places if p)
        if not text or not text.strip():
            return
        order = self._counts[id(entry)] = self._counts.get(id(entry), -1) + 1
        passage = Passage(
            text=text,
            kind=kind,
            entry_id=entry.id,
            title=title,
            jurisdiction=_one_place(places),
            sources=tuple(sources or entry.sources),
            last_reviewed=reviewed or entry.last_reviewed,
        )
        words_for_role = _LABELS.get(role, _label(role)) if label else ""
        self.docs.append(_Doc(passage, entry, role, order, places, f"{words_for_role} {extra}"))

    def build(self) -> List[_Doc]:
        for jurisdiction in self.kb.jurisdictions.values():
            self.jurisdiction(jurisdiction)
        for topic in self.kb.topics.values():
            self.topic(topic)
        for platform in getattr(self.kb, "platforms", {}).values():
            self.platform(platform)
        return self.docs

    def platform(self, platform: Any) -> None:
        """A platform's own report routes (knowledge/platforms.yml): one passage per route, with the
        route's own page, sources and review date."""
        names = " ".join([platform.name] + list(platform.aliases))
        for route in platform.routes:
            harms = " ".join(self.kb.harms[h].label for h in route.harms if h in self.kb.harms)
            text = f"**{route.title}**: {route.url}" + (f" {self.render.sentence(route.how)}" if route.how else "")
            self.add(
                platform,
                "guidance",
                f"Reporting on {platform.name}",
                [],
                "platform_route",
                text,
                f"report {names} {harms}",
                sources=route.sources or platform.sources,
                reviewed=route.last_reviewed or platform.last_reviewed,
            )
        for role, line in _other_fields(platform, {"name"}):
            self.add(platform, "guidance", f"Reporting on {platform.name}", [], role, line, names)

    def jurisdiction(self, j: Jurisdiction) -> None:
        for contact in j.contacts:
            self.contact(contact, j.id)
        for offence in j.offences:
            self.offence(offence, j.id)
        for region in j.regions:
            if region.recording:
                self.recording(region)
            for name, value in region:
                if name != "recording":  # a kind of regional entry added later
                    for entry in _entries(value):
                        self.generic(entry, region.id)
        if j.harasser_here:
            self.cross_border(j.harasser_here, j)
        if j.victim_here_harasser_abroad:
            self.abroad(j.victim_here_harasser_abroad, j)
        for name, value in j:
            if name not in _JURISDICTION_FIELDS:
                for entry in _entries(value):
                    self.generic(entry, j.id)

    def contact(self, c: Contact, where: str) -> None:
        kind_words = _CONTACT_KIND_WORDS.get(c.kind, c.kind)
        regions = list(getattr(c, "regions", None) or [])
        where = regions or [where]  # a state's own body (IBAC in Victoria) belongs to that state
        self.add(
            c,
            "contact",
            c.name,
            where,
            "head",
            self.render.contact_line(c, brief=False),
            f"number phone contact {kind_words}",
            label=False,
        )
        for line in c.does:
            self.add(c, "contact", c.name, where, "does", f"Does: {line}", c.name)
        for line in c.does_not:
            self.add(c, "contact", c.name, where, "does_not", f"Does not: {line}", c.name)
        for line in c.how:
            self.add(c, "contact", c.name, where, "how", f"How: {line}", c.name)
        for role, line in _other_fields(c, {"name", "when", "does", "does_not", "how"}):
            self.add(c, "contact", c.name, where, role, line, c.name)

    def offence(self, o: Offence, where: str) -> None:
        title = f"{o.section} {o.law}"
        names = " ".join(o.aka + [self.kb.harms[h].label for h in o.harms if h in self.kb.harms])
        self.add(o, "offence", title, [where], "head", self.render.offence_lines(o)[0], names)
        if o.commenced:
            self.add(o, "offence", title, [where], "commenced", f"In force: {o.commenced}", o.title)
        self.add(o, "offence", title, [where], "covers", f"Covers: {o.covers}", o.title)
        for line in o.elements:
            self.add(o, "offence", title, [where], "element", f"Element: {line}", o.title)
        for line in o.notes:
            self.add(o, "offence", title, [where], "note", line, o.title)
        handled = {"section", "law", "title", "covers", "elements", "max_penalty", "commenced", "notes"}
        for role, line in _other_fields(o, handled):
            self.add(o, "offence", title, [where], role, line, o.title)

    def recording(self, region: Region) -> None:
        rule = region.recording
        self.add(
            rule,
            "recording",
            f"Recording calls: {region.name}",
            [region.id],
            "recording",
            self.render.region_recording_line(region),
            f"record call {region.name}",
        )

    def cross_border(self, route: CrossBorder, j: Jurisdiction) -> None:
        title = f"If the harasser is in {j.name}"
        extra = "harasser abroad overseas another country cross-border"
        self.add(route, "route", title, [j.id], "fastest_lever", f"**Fastest lever:** {route.fastest_lever}", extra)
        self.add(
            route,
            "route",
            title,
            [j.id],
            "how_it_reaches_them",
            f"**How it reaches them:** {route.how_it_reaches_them}",
            extra,
        )
        for line in route.channels:
            self.add(route, "route", title, [j.id], "channels", line, extra)
        for ref in route.report_directly:
            contact = self.kb.contact(ref)
            if contact:
                self.add(
                    route,
                    "route",
                    title,
                    [j.id],
                    "report_directly",
                    f"**You can also file directly:** {self.render.contact_line(contact)}",
                    extra,
                )
        self.add(route, "route", title, [j.id], "honest_truth", f"**The honest truth:** {route.honest_truth}", extra)
        handled = {"fastest_lever", "how_it_reaches_them", "channels", "honest_truth"}
        for role, line in _other_fields(route, handled):
            self.add(route, "route", title, [j.id], role, line, extra)

    def abroad(self, steps: AbroadSteps, j: Jurisdiction) -> None:
        title = f"In {j.name}, with the harasser in another country"
        extra = "harasser abroad overseas another country cross-border"
        for line in steps.steps:
            self.add(steps, "route", title, [j.id], "step", line, extra)
        for role, line in _other_fields(steps, {"steps"}):
            self.add(steps, "route", title, [j.id], role, line, extra)

    def topic(self, topic: Topic) -> None:
        extra = " ".join(topic.keywords)
        self.add(topic, "guidance", topic.title, topic.jurisdictions, "summary", topic.summary, extra)
        lines = self.render.topic_lines(topic)
        for point, line in zip(topic.points, lines, strict=False):
            self.add(topic, "guidance", topic.title, point.jurisdictions or topic.jurisdictions, "point", line, extra)
        for role, line in _other_fields(topic, {"title", "summary", "points"}):
            self.add(topic, "guidance", topic.title, topic.jurisdictions, role, line, extra)

    def generic(self, entry: Entry, where: str) -> None:
        """A kind of entry this module does not know yet: its name or title, then each fact."""
        title = getattr(entry, "name", None) or getattr(entry, "title", None) or entry.id
        kind = "contact" if any(getattr(entry, f, None) for f in ("phone", "url")) else "guidance"
        reach = " / ".join(str(getattr(entry, f)) for f in ("phone", "text", "url") if getattr(entry, f, None))
        if reach:
            self.add(entry, kind, title, [where], "head", f"**{title}**: {reach}")
        for role, line in _other_fields(entry, {"name", "title"}):
            self.add(entry, kind, title, [where], role, line, title)


def _entries(value: Any) -> List[Entry]:
    if isinstance(value, Entry):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, Entry)]
    return []


def _one_place(places: FrozenSet[str]) -> Optional[str]:
    """A passage's jurisdiction: its one place; the country when several regions of one country."""
    if not places:
        return None
    if len(places) == 1:
        return next(iter(places))
    countries = {p.split("-")[0] for p in places}
    return countries.pop() if len(countries) == 1 else sorted(places)[0]


# -- the index ---------------------------------------------------------------------------------

K1, B = 1.2, 0.75  # BM25's usual constants (Lucene's defaults)
SECTION_BONUS = 1000.0  # the offence whose section was asked for comes first, whatever else matches
PREFIX_BONUS = 500.0  # half-typed sections ("474.1") bring up the offences they start
MENTION_BONUS = 5.0  # passages that name the section ("the aggravated offence s 474.17D") come next
NAMED_PLACE = 2.0  # the country named in the query, over what applies everywhere
NAMED_REGION = 1.5  # ... and the state named, over the rest of its country
MENTIONED_PLACE = 1.25  # a general passage that names the place ("Wellington (New Zealand)")
OWN_PLACE, OTHER_PLACE = 1.5, 0.6  # the person's own place: a softer preference
EVERYWHERE = 1.2  # no place named or known: general guidance before one country's
PENALTY_HEAD, PENALTY_OFFENCE = 2.5, 1.2
HAS_DATE, IN_FORCE = 1.6, 1.5
CONTACT_HEAD = 1.4
ILLEGAL_OFFENCE = 1.5  # "is that illegal", "what's the law": the offences
PLACE_WORDS = 0.3  # the words of a place named in the query, against the other words
PHRASE = 0.3  # per pair of query words found side by side, up to PHRASE_MAX
PHRASE_MAX = 2.0

Scores = Dict[int, float]  # passage number -> score; absent: no match


class BM25:
    """Okapi BM25 as Lucene computes it: idf = ln(1 + (N - df + 0.5) / (df + 0.5)), and
    tf / (tf + k1 * (1 - b + b * length / average length)) for each query word in a passage.
    tests/knowledge/test_search.py checks the scores against the `bm25s` library's."""

    def __init__(self, corpus: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.size = len(corpus)
        average = (sum(len(d) for d in corpus) / self.size) if self.size else 1.0
        counts: Dict[str, Dict[int, int]] = {}
        for i, doc in enumerate(corpus):
            for word in doc:
                postings = counts.setdefault(word, {})
                postings[i] = postings.get(i, 0) + 1
        self.postings: Dict[str, List[Tuple[int, float]]] = {}
        for word, postings in counts.items():
            idf = math.log(1 + (self.size - len(postings) + 0.5) / (len(postings) + 0.5))
            self.postings[word] = [
                (i, idf * tf / (tf + k1 * (1 - b + b * len(corpus[i]) / average))) for i, tf in postings.items()
            ]

    def scores(self, query: Iterable[str], weight: float = 1.0, into: Optional[Scores] = None) -> Scores:
        scores: Scores = {} if into is None else into
        for word in dict.fromkeys(query):
            for i, value in self.postings.get(word, ()):
                scores[i] = scores.get(i, 0.0) + weight * value
        return scores


class SearchIndex:
    """Built once per knowledge base (on its first search), read-only after that."""

    def __init__(self, kb: "KnowledgeBase") -> None:
        self.kb = kb
        self.docs = _Builder(kb).build()
        self.tokens = [words(f"{d.passage.text} {d.passage.title} {d.extra}") for d in self.docs]
        self.bm25 = BM25(self.tokens)
        self.size = len(self.docs)
        self.bigrams = [_pairs(words(d.passage.text + " " + d.extra)) for d in self.docs]
        self.countries = [frozenset(p.split("-")[0] for p in d.places) for d in self.docs]
        self.offence_head = [d.role == "head" and d.passage.kind == "offence" for d in self.docs]
        self.contact_head = [d.role == "head" and d.passage.kind == "contact" for d in self.docs]
        self.dated = [bool(_DATE.search(d.passage.text)) for d in self.docs]
        self.in_force = [d.role == "commenced" or bool(_FORCE_TEXT.search(d.passage.text)) for d in self.docs]
        self.by_entry: Dict[int, List[int]] = {}
        for i, d in enumerate(self.docs):
            self.by_entry.setdefault(id(d.entry), []).append(i)
        self.sections: Dict[str, List[int]] = {}
        for i, d in enumerate(self.docs):
            if isinstance(d.entry, Offence):
                self.sections.setdefault(section_key(d.entry.section), []).append(i)
        # Places that general passages name, each with its country: "Wellington (New Zealand)" -> NZ.
        self.mentions: List[FrozenSet[str]] = []
        for d in self.docs:
            named = {m.place for m in kb.places.find(d.passage.text)} if not d.places else set()
            self.mentions.append(frozenset(named | {kb.country_of(p) for p in named} - {None}))

    # -- queries -----------------------------------------------------------------------------

    def scores(self, query: str, place: Optional[str] = None, only: Optional[str] = None) -> Scores:
        """The passages that match, each with its score."""
        query = without_possessive((query or "").strip()[:500])
        if not query:
            return {}
        found = [m for m in self.kb.places.find(query) if m.place not in (ABROAD, UNKNOWN)]
        named_countries = {self.kb.country_of(m.place) for m in found} - {None}
        named_regions = {m.place for m in found if "-" in m.place}
        # The place itself is handled by the place weights below, not by matching its name.
        rest = _without(query, found) if named_countries else query
        terms = list(dict.fromkeys(words(rest)))
        if named_countries and not (set(terms) - _PLACE_ONLY):
            return self._place_listing(named_countries, named_regions, only)

        penalty, when, in_force = bool(_PENALTY.search(query)), bool(_WHEN.search(query)), bool(_IN_FORCE.search(query))
        expanded = list(terms) + (_PENALTY_WORDS if penalty else []) + (_IN_FORCE_WORDS if in_force else [])
        scores = self.bm25.scores(expanded)
        place_terms = [t for t in words(query) if t not in expanded]
        if place_terms:  # "Scottish", "Canadian": a little weight; the place weights do the rest
            self.bm25.scores(place_terms, PLACE_WORDS, into=scores)
        self._sections(scores, query)

        # What the question asks for; after the section bonus, so "when did 474.17A start" gets that
        # offence's commencement line rather than its head, and "when was the max raised" a date.
        pairs = _pairs(terms)
        contact = bool(_CONTACT.search(query))
        illegal = bool(_ILLEGAL.search(query))
        own = self.kb.country_of(place) if place and not named_countries else None
        for i in list(scores):
            value = scores[i]
            if penalty and not when:
                value *= (
                    PENALTY_HEAD
                    if self.offence_head[i]
                    else PENALTY_OFFENCE
                    if self.docs[i].passage.kind == "offence"
                    else 1.0
                )
            if when and self.dated[i]:
                value *= HAS_DATE
            if in_force and self.in_force[i]:
                value *= IN_FORCE
            if contact and self.contact_head[i]:
                value *= CONTACT_HEAD
            if illegal and self.docs[i].passage.kind == "offence":
                value *= ILLEGAL_OFFENCE * (PENALTY_OFFENCE if self.offence_head[i] else 1.0)
            if pairs:
                value *= min(1.0 + PHRASE * len(pairs & self.bigrams[i]), PHRASE_MAX)
            if named_countries:
                value *= self._place_weight(i, named_countries, named_regions)
            if own and self.countries[i]:
                value *= OWN_PLACE if own in self.countries[i] else OTHER_PLACE
            elif not own and not named_countries and self.docs[i].passage.kind == "guidance":
                # Nothing says where: general guidance before one country's ("Preserving evidence
                # in New Zealand"); contacts and offences always belong to a country.
                value *= 1.0 if not self.countries[i] else 1.0 / EVERYWHERE
            if only and self.countries[i] and only not in self.countries[i]:
                value = 0.0
            scores[i] = value
        return {i: v for i, v in scores.items() if v > 0}

    def passages(
        self, query: str, place: Optional[str] = None, limit: int = 5, only: Optional[str] = None
    ) -> List[Tuple[Passage, float]]:
        ranked = _ranked(self.scores(query, place, only))
        return [(self.docs[i].passage, value) for i, value in ranked[: max(limit, 0)]]

    def entries(
        self,
        query: str,
        place: Optional[str] = None,
        limit: int = 10,
        only: Optional[str] = None,
        passages_per_entry: int = 5,
    ) -> List[EntryHit]:
        """Whole entries: the best passage's score, plus a little for the next two that matched."""
        hits: Dict[int, EntryHit] = {}
        for i, value in _ranked(self.scores(query, place, only)):
            doc = self.docs[i]
            hit = hits.get(id(doc.entry))
            if hit is None:
                hit = hits[id(doc.entry)] = EntryHit(doc.entry, doc.passage.kind, _entry_place(doc), value)
            elif len(hit.passages) < 3:
                hit.score += 0.1 * value
            if len(hit.passages) < passages_per_entry:
                hit.passages.append((doc.passage, value))
        return sorted(hits.values(), key=lambda h: -h.score)[: max(limit, 0)]

    def highlight_terms(self, query: str) -> Tuple[Set[str], Optional[str]]:
        """What to mark in a result: the stemmed query words (not the place it names, not the parts of
        a section number) and the section number itself."""
        query = without_possessive((query or "").strip()[:500])
        found = [m for m in self.kb.places.find(query) if m.place not in (ABROAD, UNKNOWN)]
        section = extract_section(query) or typed_section(query)
        terms = set(words(_without(query, found)))
        return (terms - set(words(section)) if section else terms), section

    def roles(self, entry: Any) -> List[Tuple[str, Passage]]:
        """All of an entry's passages with the field each comes from, in the entry's own order."""
        return [(self.docs[i].role, self.docs[i].passage) for i in self.by_entry.get(id(entry), [])]

    # -- parts of the score ------------------------------------------------------------------

    def _sections(self, scores: Scores, query: str) -> None:
        wanted = extract_section(query)
        exact = self.sections.get(wanted, []) if wanted else []
        for i in exact:
            scores[i] = scores.get(i, 0.0) + SECTION_BONUS * (1.2 if self.docs[i].role == "head" else 1.0)
        typed = typed_section(query)
        if typed and not exact:
            for key, indexes in self.sections.items():
                if key.startswith(typed):
                    for i in indexes:
                        scores[i] = scores.get(i, 0.0) + PREFIX_BONUS * (1.2 if self.docs[i].role == "head" else 1.0)
        shown = wanted or typed
        if shown:
            pattern = re.compile(rf"(?<![\w.]){re.escape(shown)}(?![\w.])", re.I)
            for i, d in enumerate(self.docs):
                if i not in exact and pattern.search(d.passage.text):
                    scores[i] = scores.get(i, 0.0) + MENTION_BONUS

    def _place_weight(self, i: int, countries: Set[str], regions: Set[str]) -> float:
        if not self.docs[i].places:
            return MENTIONED_PLACE if self.mentions[i] & (countries | regions) else 1.0
        places = self.docs[i].places
        if not self.countries[i] & countries:
            return 0.0
        if places & regions:
            return NAMED_PLACE * NAMED_REGION
        if regions and all("-" in p for p in places):
            return 0.0  # another state's rule, when a state is named
        return NAMED_PLACE

    def _place_listing(self, countries: Set[str], regions: Set[str], only: Optional[str]) -> Scores:
        """A query that is only a place: that place's contacts (emergency, crisis, then reporting), its
        recording rule, its routes, its offences and its own guidance, in that order."""
        rank = {"contact": 0, "recording": 1, "route": 2, "offence": 3, "guidance": 4}
        kind_rank = {"emergency": 0, "accessibility": 1, "crisis": 2}
        eligible = []
        for i, d in enumerate(self.docs):
            if not (self.countries[i] & countries) or (only and only not in self.countries[i]):
                continue
            if regions and d.places and all("-" in p for p in d.places) and not (d.places & regions):
                continue  # another state's own rule or body
            sub = kind_rank.get(getattr(d.entry, "kind", ""), 3) if d.passage.kind == "contact" else 0
            eligible.append((rank.get(d.passage.kind, 5), sub, 0 if d.places & regions else 1, i))
        eligible.sort()
        return {i: 100.0 - 99.0 * n / len(eligible) for n, (*_, i) in enumerate(eligible)}


def _ranked(scores: Scores) -> List[Tuple[int, float]]:
    """Best first; ties in the knowledge base's own order."""
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def _pairs(terms: Sequence[str]) -> Set[Tuple[str, str]]:
    return {(a, b) for a, b in zip(terms, terms[1:], strict=False) if a != b}


def _without(query: str, matches: Sequence[Any]) -> str:
    """The query with the places it names cut out ("contacts in Joburg" -> "contacts in ")."""
    for match in sorted(matches, key=lambda m: -m.start):
        query = query[: match.start] + " " + query[match.end :]
    return query


def _entry_place(doc: _Doc) -> Optional[str]:
    """Where an entry lives: a topic's one jurisdiction (None when general), else its passages' place."""
    if isinstance(doc.entry, Topic):
        return doc.entry.jurisdictions[0] if len(doc.entry.jurisdictions) == 1 else None
    return _one_place(doc.places)


def search_results(index: "SearchIndex", query: str, only: Optional[str], limit: int = 5) -> List[SearchResult]:
    """Offences, topics and contacts, best first. A section number that names an offence returns just
    that offence (in every covered country that has one, unless `only` names the country)."""
    hits = [
        h
        for h in index.entries(query, only=only, limit=max(limit, 0) + 20)
        if isinstance(h.entry, (Offence, Topic, Contact))
    ]
    wanted = extract_section(query or "")
    exact = [h for h in hits if isinstance(h.entry, Offence) and wanted and section_key(h.entry.section) == wanted]
    chosen = exact or hits
    return [SearchResult(h.entry, h.jurisdiction, h.score) for h in chosen[: max(limit, 0)]]


class LazyIndex:
    """The index, built on first use (most processes that load the knowledge base never search)."""

    def __init__(self, kb: "KnowledgeBase") -> None:
        self._kb, self._index, self._lock = kb, None, threading.Lock()

    def get(self) -> SearchIndex:
        if self._index is None:
            with self._lock:
                if self._index is None:
                    self._index = SearchIndex(self._kb)
        return self._index
