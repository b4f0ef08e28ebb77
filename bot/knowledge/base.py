"""Typed questions to the knowledge base. Loaded once per process, read-only after that."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

from bot.knowledge.loader import load_files
from bot.knowledge.schema import (
    ALL_HARMS,
    AbroadSteps,
    Contact,
    CrossBorder,
    Entry,
    Harm,
    Jurisdiction,
    Offence,
    Platform,
    PlatformRoute,
    Region,
    Topic,
)
from bot.knowledge.search import (  # noqa: F401 (words and extract_section: public here too)
    Hit,
    LazyIndex,
    Passage,
    SearchIndex,
    SearchResult,
    extract_section,
    search_results,
    section_key,
    subsection_key,
    words,
)
from bot.places import ABROAD, UNKNOWN, PlaceResolver

REPORTING_KINDS = ("police", "report", "regulator", "support")


@dataclass
class Route:
    """Cross-border route: what the victim does at home plus what works where the harasser is."""

    victim: Optional[str]
    harasser: str
    at_home: Optional[AbroadSteps]
    over_there: Optional[CrossBorder]
    report_directly: List[Contact] = field(default_factory=list)

    @property
    def known(self) -> bool:
        return self.at_home is not None or self.over_there is not None


class KnowledgeBase:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        loaded = load_files(self.root)
        self.jurisdictions: Dict[str, Jurisdiction] = loaded.jurisdictions
        self.topics: Dict[str, Topic] = loaded.topics
        self.harms: Dict[str, Harm] = {h.id: h for h in loaded.harms.harms}
        self.platforms: Dict[str, Platform] = loaded.platforms
        self._files: Dict[str, str] = loaded.files
        self._platform_names: Dict[str, str] = {}
        for platform in self.platforms.values():
            for name in [platform.id, platform.name.lower()] + platform.aliases:
                self._platform_names.setdefault(_platform_key(name), platform.id)
        self.places = PlaceResolver(self.jurisdictions.values())
        self._search = LazyIndex(self)

    # -- places -----------------------------------------------------------------------

    def country_of(self, place: Optional[str]) -> Optional[str]:
        return self.places.country(place)

    def covered(self) -> List[Jurisdiction]:
        return list(self.jurisdictions.values())

    def jurisdiction(self, place: Optional[str]) -> Optional[Jurisdiction]:
        country = self.country_of(place)
        return self.jurisdictions.get(country) if country else None

    def region(self, place: Optional[str]) -> Optional[Region]:
        jurisdiction = self.jurisdiction(place)
        for region in jurisdiction.regions if jurisdiction else []:
            if region.id == place:
                return region
        return None

    # -- contacts ---------------------------------------------------------------------

    def contacts(
        self, place: Optional[str], kinds: Sequence[str], audience: Optional[str] = None, all_regions: bool = False
    ) -> List[Contact]:
        """Contacts of these kinds for a place, in file order.

        Whole-country contacts always; a state-level one (`regions: [AU-VIC]`) only when the
        place is that region, or with all_regions=True (a country-wide reference card).
        audience=None: everyone's routes; "minors": all + minors-only; "adults": all + adults-only.
        """
        jurisdiction = self.jurisdiction(place)
        if jurisdiction is None:
            return []
        found = []
        for contact in jurisdiction.contacts:
            if contact.kind not in kinds:
                continue
            if contact.regions and not all_regions and place not in contact.regions:
                continue
            if audience is not None and contact.audience not in ("all", audience):
                continue
            found.append(contact)
        return found

    def emergency(self, place: Optional[str]) -> List[Contact]:
        return self.contacts(place, ("emergency",))

    def crisis(self, place: Optional[str]) -> List[Contact]:
        return self.contacts(place, ("crisis",))

    def reporting(self, place: Optional[str], audience: Optional[str] = None) -> List[Contact]:
        """Where to report. Without an audience, only the routes for everyone: a minors-only
        route (CEOP, Take It Down) or an adults-only one (StopNCII) is offered only when the
        caller says who it is for ("minors" -> all + minors; "adults" -> all + adults)."""
        return self.contacts(place, REPORTING_KINDS, audience or "all")

    def youth(self, place: Optional[str]) -> List[Contact]:
        """Helplines for children and young people."""
        return self.contacts(place, ("youth",))

    def oversight(self, place: Optional[str], all_regions: bool = False) -> List[Contact]:
        """Police oversight and complaints bodies: national ones, plus the region's own."""
        return self.contacts(place, ("oversight",), all_regions=all_regions)

    def contact(self, contact_id: str) -> Optional[Contact]:
        for jurisdiction in self.jurisdictions.values():
            for contact in jurisdiction.contacts:
                if contact.id == contact_id:
                    return contact
        return None

    # -- offences and harms -----------------------------------------------------------

    def offences(self, harm: str, place: Optional[str]) -> List[Offence]:
        jurisdiction = self.jurisdiction(place)
        if jurisdiction is None:
            return []
        region = place if place and place != jurisdiction.id else None
        # A law of some regions only (Scots law) for people there; with no region said, all of them.
        matching = [
            o for o in jurisdiction.offences if harm in o.harms and (not o.regions or not region or region in o.regions)
        ]
        # The offence made for this harm first: "harms" lists what an offence is mainly about first.
        return sorted(matching, key=lambda o: o.harms.index(harm))

    def offence(self, section: str, place: Optional[str] = None) -> List[Offence]:
        wanted = section_key(section)
        found = []
        for jurisdiction in self._scope(place):
            found += [o for o in jurisdiction.offences if section_key(o.section) == wanted]
        subsection = subsection_key(section)  # "875(c)" is not "875(d)"; "s 66B" is every s 66B
        narrowed = [o for o in found if subsection_key(o.section) == subsection] if subsection else []
        return narrowed or found

    # -- routes, recording, topics ----------------------------------------------------

    def route(self, victim: Optional[str], harasser: str) -> Route:
        victim_country = self.country_of(victim)
        harasser_country = self.country_of(harasser)
        home = self.jurisdictions.get(victim_country) if victim_country else None
        there = self.jurisdictions.get(harasser_country) if harasser_country else None
        over_there = there.harasser_here if there and harasser_country != victim_country else None
        direct = [self.contact(ref) for ref in (over_there.report_directly if over_there else [])]
        return Route(
            victim=victim_country,
            harasser=harasser_country or (ABROAD if harasser == ABROAD else UNKNOWN),
            at_home=home.victim_here_harasser_abroad if home else None,
            over_there=over_there,
            report_directly=[c for c in direct if c is not None],
        )

    def recording(self, place: Optional[str]) -> Optional[Region]:
        """The recording rule of a state or territory (None if the place is not one)."""
        region = self.region(place)
        return region if region and region.recording else None

    def recording_rules(self, place: Optional[str]) -> List[Region]:
        jurisdiction = self.jurisdiction(place)
        return [r for r in jurisdiction.regions if r.recording] if jurisdiction else []

    def topic(self, topic_id: str, place: Optional[str] = None) -> Optional[Topic]:
        """A guidance topic, with points for other jurisdictions left out."""
        topic = self.topics.get(topic_id)
        if topic is None:
            return None
        country = self.country_of(place)
        if not country:
            return topic
        points = [
            p for p in topic.points if not p.jurisdictions or country in p.jurisdictions or place in p.jurisdictions
        ]
        return topic.copy(update={"points": points})

    def escalation(self, place: Optional[str]) -> Optional[Topic]:
        jurisdiction = self.jurisdiction(place)
        if jurisdiction and jurisdiction.escalation_topic:
            return self.topic(jurisdiction.escalation_topic, place)
        return None

    # -- platforms --------------------------------------------------------------------

    def platform(self, name: Optional[str]) -> Optional[Platform]:
        """ "Insta", "IG", "twitter", "x" -> the platform; None if not known."""
        platform_id = self._platform_names.get(_platform_key(name or ""))
        return self.platforms.get(platform_id) if platform_id else None

    def platform_route(self, platform_id: str, harm: str) -> Optional[PlatformRoute]:
        """The platform's route for this harm, else for the harm it refines, else its general route."""
        platform = self.platforms.get(platform_id) or self.platform(platform_id)
        if platform is None:
            return None
        seen = set()
        while harm and harm not in seen:
            seen.add(harm)
            for route in platform.routes:
                if harm in route.harms:
                    return route
            harm = self.harms[harm].refines if harm in self.harms else None
        for route in platform.routes:
            if ALL_HARMS in route.harms:
                return route
        return None

    def route_sources(self, platform: Platform, route: PlatformRoute) -> List[str]:
        """A route's own sources, or its platform's."""
        return list(route.sources or platform.sources)

    # -- review -----------------------------------------------------------------------

    def entries(self) -> Iterator[Tuple[str, Entry]]:
        """(file, entry) for every fact-bearing entry, in file order."""
        for jurisdiction in self.jurisdictions.values():
            items: List[Entry] = list(jurisdiction.contacts) + list(jurisdiction.offences)
            items += [r.recording for r in jurisdiction.regions if r.recording]
            items += [e for e in (jurisdiction.harasser_here, jurisdiction.victim_here_harasser_abroad) if e]
            for entry in items:
                yield self._files.get(entry.id, ""), entry
        for topic in self.topics.values():
            yield self._files.get(topic.id, ""), topic
        for platform in self.platforms.values():
            yield self._files.get(platform.id, ""), platform

    def unverified(self) -> Dict[str, List[Entry]]:
        """Entries with facts not yet checked against a cited page, grouped by file."""
        found: Dict[str, List[Entry]] = {}
        for path, entry in self.entries():
            if entry.unverified:
                found.setdefault(path, []).append(entry)
        return found

    def stale(self, days: int, today: Optional[dt.date] = None) -> Dict[str, List[Entry]]:
        """Entries last reviewed more than `days` days before `today`, grouped by file (oldest first)."""
        today = today or dt.date.today()
        due: Dict[str, List[Entry]] = {}
        for path, entry in self.entries():
            dates = [entry.last_reviewed]
            if isinstance(entry, Platform):
                dates += [r.last_reviewed for r in entry.routes if r.last_reviewed]
            if (today - min(dates)).days > days:
                due.setdefault(path, []).append(entry)
        for entries in due.values():
            entries.sort(key=lambda e: e.last_reviewed)
        return due

    # -- search (bot/knowledge/search.py) ------------------------------------------------

    def search(self, query: str, place: Optional[str] = None, limit: int = 5) -> List[SearchResult]:
        """Offences, topics and contacts: by section number ("474.17C", "s 264.1", "2261A") first, then
        by words; `place` keeps only that jurisdiction and what applies everywhere."""
        return search_results(self.search_index, query, self.country_of(place) if place else None, limit)

    def passages(self, query: str, place: Optional[str] = None, limit: int = 5) -> List[Tuple[Passage, float]]:
        """Single facts for a specific question, best first; `place` is the person's own place (a
        softer preference than a place named in the question)."""
        return self.search_index.passages(query, place=place, limit=limit)

    @property
    def search_index(self) -> SearchIndex:
        return self._search.get()

    def _scope(self, place: Optional[str]) -> List[Jurisdiction]:
        jurisdiction = self.jurisdiction(place)
        return [jurisdiction] if jurisdiction else list(self.jurisdictions.values())


def _platform_key(name: str) -> str:
    """ "@Instagram " -> "instagram"; "Twitter/X" stays as written, lower case."""
    return re.sub(r"\s+", " ", name.strip().lower().lstrip("@"))


@lru_cache(maxsize=4)
def _cached(root: str) -> KnowledgeBase:
    return KnowledgeBase(Path(root))


def load_knowledge(root: Optional[Path] = None) -> KnowledgeBase:
    """The process-wide knowledge base (loaded and validated on first use)."""
    from bot.config import settings

    return _cached(str(Path(root or settings().knowledge_dir).resolve()))
