"""The shape of every entry in knowledge/.

One model per kind of entry. Every fact-bearing entry derives from `Entry`, which
requires a stable `id`, at least one `https` source and a `last_reviewed` date,
so a fact cannot be added without saying where it comes from and when someone
last checked it. Unknown fields are rejected, so a typo in a field name fails
loudly instead of silently dropping a fact.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import List, Literal, Optional

from pydantic import BaseModel, Extra, Field, validator

ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
JURISDICTION_PATTERN = r"^[A-Z]{2}(-[A-Z]{2,3})?$"

ConsentRule = Literal["one-party", "all-party"]
ContactKind = Literal[
    "emergency",  # immediate danger: 000, 111, 911...
    "crisis",  # despair, thoughts of suicide or self-harm
    "police",  # non-emergency police lines and stations
    "report",  # official reporting portals (ReportCyber, IC3...)
    "regulator",  # civil regulators (eSafety, Ofcom)
    "support",  # non-police help services (Netsafe, WiredSafety)
    "accessibility",  # relay services for people who are deaf or have a speech impairment
    "youth",  # helplines for children and young people (Kids Helpline, Childline...)
    "oversight",  # police oversight and complaints bodies (IBAC, LECC, IOPC...)
]
# Who a contact is for: minors-only routes (NCMEC's Take It Down, CEOP...) are "minors",
# routes only for adults' images (StopNCII) are "adults"; everything else is "all".
Audience = Literal["all", "minors", "adults"]
ALL_HARMS = "all"  # in a platform route's `harms`: the platform's general report route


class Strict(BaseModel):
    class Config:
        extra = Extra.forbid
        anystr_strip_whitespace = True
        min_anystr_length = 1


HTTPS_URL = re.compile(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$")


def _check_https(url: str) -> str:
    if not HTTPS_URL.match(url):
        raise ValueError(f"source must be an https URL, got {url!r}")
    return url


class Entry(Strict):
    """A fact-bearing entry: stable id, official sources, review date.

    `last_reviewed` is the date someone last checked the entry against the pages in
    `sources` (not the date it was written). Both lists below are for maintainers and
    never shown to people: `review_notes` says what was checked against what and what
    to re-check next time; `unverified` names facts in the entry that have NOT been
    checked against a cited page yet (`python -m bot stale` always lists them).
    """

    id: str = Field(..., regex=ID_PATTERN)
    sources: List[str] = Field(..., min_items=1)
    last_reviewed: dt.date
    review_notes: List[str] = []
    unverified: List[str] = []

    @validator("sources", each_item=True)
    def _https_only(cls, url: str) -> str:  # noqa: N805 (pydantic validator)
        return _check_https(url)


def region_id(cls, region: str) -> str:
    """A region id ("AU-VIC", "UK-SCT"), for an entry that holds in some regions only."""
    if not re.match(JURISDICTION_PATTERN, region) or "-" not in region:
        raise ValueError(f"a region id looks like 'AU-VIC', got {region!r}")
    return region


class Contact(Entry):
    name: str
    kind: ContactKind
    phone: Optional[str] = None
    text: Optional[str] = None  # how to reach it by text/SMS, in words
    url: Optional[str] = None
    when: str  # when a person should use it
    does: List[str] = []
    does_not: List[str] = []
    how: List[str] = []  # concrete steps when using it
    # Harm ids for which the assistant lists this contact under "where to report";
    # "all" for every harm, [] to keep it out of those lists (it still shows in contacts).
    show_for: List[str] = ["all"]
    audience: Audience = "all"
    # Region ids ("AU-VIC") for a state-level contact such as IBAC; empty: the whole country.
    regions: List[str] = []

    _region_ids = validator("regions", each_item=True, allow_reuse=True)(region_id)

    @validator("url")
    def _url_scheme(cls, url: Optional[str]) -> Optional[str]:  # noqa: N805
        if url is not None and not url.startswith("https://"):
            raise ValueError(f"url must start with https://, got {url!r}")
        return url

    @validator("how", always=True)
    def _reachable(cls, how, values):  # noqa: N805
        if not (values.get("phone") or values.get("url") or values.get("text")):
            raise ValueError("a contact needs at least one of phone, url or text")
        return how


class Offence(Entry):
    section: str  # as the law writes it: "s 474.17C", "s 264", "18 U.S.C. § 875(c)"
    law: str
    title: str  # the offence in the law's words
    aka: List[str] = []  # everyday names a person might use
    covers: str
    elements: List[str] = Field(..., min_items=1)
    max_penalty: str
    commenced: Optional[str] = None
    harms: List[str] = Field(..., min_items=1)  # ids from knowledge/harms.yml
    notes: List[str] = []
    # Region ids where this law holds ("UK-SCT": Scots law); empty: the whole country.
    regions: List[str] = []

    _region_ids = validator("regions", each_item=True, allow_reuse=True)(region_id)


class RecordingRule(Entry):
    consent: ConsentRule
    law: str
    detail: str


class Region(Strict):
    id: str = Field(..., regex=JURISDICTION_PATTERN)
    name: str
    aliases: List[str] = []
    case_sensitive_aliases: List[str] = []  # "WA", "ACT": only in capitals
    recording: Optional[RecordingRule] = None


class CrossBorder(Entry):
    """What works when the harasser is in this country and the victim is elsewhere."""

    fastest_lever: str
    how_it_reaches_them: str
    channels: List[str] = Field(..., min_items=1)
    report_directly: List[str] = []  # contact ids a foreign victim may file with themselves
    honest_truth: str


class AbroadSteps(Entry):
    """What a victim in this country does when the harasser is in another one."""

    steps: List[str] = Field(..., min_items=1)


class Jurisdiction(Strict):
    id: str = Field(..., regex=r"^[A-Z]{2}$")
    name: str
    aliases: List[str] = Field(..., min_items=1)
    case_sensitive_aliases: List[str] = []  # "US", "ACT": only in capitals
    contacts: List[Contact] = Field(..., min_items=1)
    offences: List[Offence] = []
    regions: List[Region] = []
    harasser_here: Optional[CrossBorder] = None
    victim_here_harasser_abroad: Optional[AbroadSteps] = None
    escalation_topic: Optional[str] = None  # topic id of this jurisdiction's ladder

    @validator("contacts")
    def _has_emergency(cls, contacts: List[Contact]) -> List[Contact]:  # noqa: N805
        kinds = {c.kind for c in contacts}
        for required in ("emergency", "crisis"):
            if required not in kinds:
                raise ValueError(f"a jurisdiction needs at least one '{required}' contact")
        return contacts


class Point(Strict):
    text: str
    jurisdictions: List[str] = []  # empty: applies everywhere


class Topic(Entry):
    title: str
    summary: str
    points: List[Point] = Field(..., min_items=1)
    ordered: bool = False  # True for ladders and step-by-step guides
    jurisdictions: List[str] = []  # empty: applies everywhere
    keywords: List[str] = []  # extra words for search


class Harm(Strict):
    id: str = Field(..., regex=ID_PATTERN)
    label: str  # plain words: "your personal details being posted (doxxing)"
    refines: Optional[str] = None  # doxxing_hate refines doxxing when one of its cues is present
    # lower-case words or phrases: for a refinement, those that turn the broader harm into it; for a
    # harm of its own, the words one of which must be there for it to be read (hate needs an identity)
    cues: List[str] = []
    topics: List[str] = []  # guidance topic ids that usually help next
    danger_hint: bool = False  # kinds of harm where the emergency line always leads
    # An umbrella harm ("harassment"): told with more specific ones, it is named after them, so a
    # short reply's room goes to the specific offences first.
    broad: bool = False


class PlatformRoute(Strict):
    """One way to report on a platform: which harms it is for, and the exact help-centre page."""

    harms: List[str] = Field(..., min_items=1)  # harm ids, or "all" for the general report route
    title: str  # "Report harassment on Instagram"
    url: str  # the exact help-centre page
    how: Optional[str] = None  # one short line
    # Defaults to the platform's own sources and review date when left out.
    sources: Optional[List[str]] = None
    last_reviewed: Optional[dt.date] = None

    @validator("url")
    def _url_https(cls, url: str) -> str:  # noqa: N805
        return _check_https(url)

    @validator("sources", each_item=True)
    def _sources_https(cls, url: str) -> str:  # noqa: N805
        return _check_https(url)


class Platform(Entry):
    """A social platform and its own report routes (knowledge/platforms.yml)."""

    name: str
    aliases: List[str] = []  # lower case: "insta", "ig"
    routes: List[PlatformRoute] = Field(..., min_items=1)

    @validator("aliases", each_item=True)
    def _lower_case(cls, alias: str) -> str:  # noqa: N805
        if alias != alias.lower():
            raise ValueError(f"aliases are lower case, got {alias!r}")
        return alias


class PlatformsFile(Strict):
    platforms: List[Platform] = Field(..., min_items=1)


class HarmsFile(Strict):
    harms: List[Harm] = Field(..., min_items=1)


class TopicsFile(Strict):
    topics: List[Topic] = Field(..., min_items=1)


# -- knowledge/languages.yml: safety replies in the person's own language ---------------------

LANGUAGE_CODE = r"^[a-z]{2,3}(-[A-Z][a-z]{3})?$"  # "pt", "zh-Hant"


class LanguageEntry(Strict):
    """Two sentences in one language, for the reply to a message in that language
    (bot/nlu/languages.py): the numbers that follow, and that the rest is in English."""

    code: str = Field(..., regex=LANGUAGE_CODE)
    name: str  # in English: "Portuguese"
    native: str  # in the language itself: "Português"
    spoken_in: List[str] = Field(..., min_items=1)  # covered countries where many people speak it
    emergency: str  # "Here are the emergency and crisis numbers."
    english_only: str  # "The rest of this service is in English."
    checked: str  # who checked the sentences, and how; honest when nobody fluent has yet
    sources: List[str] = []  # official pages whose wording the sentences were compared with
    last_reviewed: dt.date

    @validator("sources", each_item=True)
    def _https_only(cls, url: str) -> str:  # noqa: N805
        if not re.match(r"^https://[a-z0-9.-]+\.[a-z]{2,}(/\S*)?$", url):
            raise ValueError(f"source must be an https URL, got {url!r}")
        return url

    @validator("last_reviewed", always=True)
    def _checked_or_sourced(cls, value, values):  # noqa: N805
        if not (values.get("checked") or values.get("sources")):
            raise ValueError("say who checked the sentences (checked) or where they come from (sources)")
        return value


class Interpreter(Entry):
    """An interpreter route that an official source names for a jurisdiction (TIS National)."""

    jurisdiction: str = Field(..., regex=r"^[A-Z]{2}$")
    name: str
    phone: str
    how: str  # one sentence, in English: what to say or do


class LanguagesFile(Strict):
    languages: List[LanguageEntry] = Field(..., min_items=1)
    interpreters: List[Interpreter] = []

    def entry(self, code: Optional[str]) -> Optional[LanguageEntry]:
        wanted = {"zh-Hans": "zh"}.get(code or "", code)
        return next((e for e in self.languages if e.code == wanted), None)
