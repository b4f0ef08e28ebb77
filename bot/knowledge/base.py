"""Typed questions to the knowledge base. Loaded once per process, read-only after that."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from bot.knowledge.loader import load_files
from bot.knowledge.schema import AbroadSteps, Contact, CrossBorder, Harm, Jurisdiction, Offence, Region, Topic
from bot.knowledge.search import (  # noqa: F401 (words and extract_section: public here too)
    Hit, LazyIndex, Passage, SearchIndex, SearchResult, extract_section, search_results, section_key, words,
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
        self.jurisdictions: Dict[str, Jurisdiction]
        self.jurisdictions, self.topics, harms_file = load_files(self.root)
        self.harms: Dict[str, Harm] = {h.id: h for h in harms_file.harms}
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

    def contacts(self, place: Optional[str], kinds: Sequence[str]) -> List[Contact]:
        jurisdiction = self.jurisdiction(place)
        if jurisdiction is None:
            return []
        return [c for c in jurisdiction.contacts if c.kind in kinds]

    def emergency(self, place: Optional[str]) -> List[Contact]:
        return self.contacts(place, ("emergency",))

    def crisis(self, place: Optional[str]) -> List[Contact]:
        return self.contacts(place, ("crisis",))

    def reporting(self, place: Optional[str]) -> List[Contact]:
        return self.contacts(place, REPORTING_KINDS)

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
        matching = [o for o in jurisdiction.offences if harm in o.harms]
        # The offence made for this harm first: "harms" lists what an offence is mainly about first.
        return sorted(matching, key=lambda o: o.harms.index(harm))

    def offence(self, section: str, place: Optional[str] = None) -> List[Offence]:
        wanted = section_key(section)
        found = []
        for jurisdiction in self._scope(place):
            found += [o for o in jurisdiction.offences if section_key(o.section) == wanted]
        return found

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
        points = [p for p in topic.points if not p.jurisdictions or country in p.jurisdictions
                  or place in p.jurisdictions]
        return topic.copy(update={"points": points})

    def escalation(self, place: Optional[str]) -> Optional[Topic]:
        jurisdiction = self.jurisdiction(place)
        if jurisdiction and jurisdiction.escalation_topic:
            return self.topic(jurisdiction.escalation_topic, place)
        return None

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


@lru_cache(maxsize=4)
def _cached(root: str) -> KnowledgeBase:
    return KnowledgeBase(Path(root))


def load_knowledge(root: Optional[Path] = None) -> KnowledgeBase:
    """The process-wide knowledge base (loaded and validated on first use)."""
    from bot.config import settings

    return _cached(str(Path(root or settings().knowledge_dir).resolve()))
