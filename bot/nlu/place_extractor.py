"""PlaceEntityExtractor: places from the knowledge base's aliases, each with a role.

It emits two entities per place: `country` ("AU") and, for states and cities,
`region` ("AU-WA"), each with the role `victim` (where the person is) or `harasser`
(where the other person is), so Rasa's own `from_entity` mappings fill the slots.
On top of the place resolver (bot/places.py) it reads three things people write:

- corrections: "sorry, I meant Auckland", "not Perth, Darwin": the corrected place wins;
- nationality versus residence: "a British citizen living in Hong Kong" lives in Hong Kong;
- a named place we don't cover ("I live in Dublin", "ireland", "he's in Nigeria"):
  `country: unknown`, so the person is told honestly that we don't cover it yet, and never
  asked again. Countries are known by their English names from CLDR (Babel's locale data,
  inside the package): a bare country name, or one after "in", "from" or "to".

A message that is nothing but a place ("Darwin", "the States") answers "where are you?"
and gets the `inform_location` intent.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Dict, List, Optional, Pattern

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.limits import MAX_MESSAGE_CHARS  # every character any channel accepts is read
from bot.nlu.base import FALLBACK, KnowledgeComponent, intent_name, set_intent
from bot.nlu.text import clean
from bot.places import HARASSER, UNKNOWN, VICTIM, PlaceMatch, normalise

INFORM_LOCATION = "inform_location"
PLACE_ENTITIES = ("country", "region")
# Words that make a message about a place even when the place is one we don't know ("I'm in Ireland").
_LOCATION_WORDS = {
    "in",
    "from",
    "live",
    "living",
    "lives",
    "based",
    "near",
    "country",
    "city",
    "state",
    "town",
    "overseas",
    "abroad",
    "moved",
    "located",
    "sure",
    "know",
    "where",
}
_FILLER = {
    "im",
    "i",
    "am",
    "in",
    "from",
    "live",
    "living",
    "based",
    "the",
    "at",
    "we",
    "are",
    "re",
    "ok",
    "okay",
    "yes",
    "yeah",
    "near",
    "currently",
    "right",
    "now",
    "um",
    "uh",
    "its",
    "it",
    "is",
    "he",
    "hes",
    "she",
    "shes",
    "they",
    "theyre",
    "lives",
    "s",
    "m",
    "sorry",
    "meant",
    "mean",
    "actually",
    "oops",
    "not",
    "i meant",
    "no",
    "wait",
}
_CORRECTION_BEFORE = re.compile(
    r"\b(sorry|oops|i meant|i mean|meant|actually|correction|wait|no)\b[\s,.:;-]*"
    r"(?:(?:i'?m|im|i am|it'?s|its|in|he'?s|she'?s|they'?re)\s+)?(?:in\s+)?$",
    re.I,
)
_NEGATED_BEFORE = re.compile(r"\bnot\s+(?:in\s+)?$", re.I)
_NATIONALITY_AFTER = re.compile(r"^\s*(citizens?|nationals?|passport|expats?|by birth|born\b)", re.I)
_RESIDENCE_AFTER = re.compile(
    r"^\s*,?\s*(but|living|who lives|who'?s living|residing|resident|now living|based|studying|working|staying)\b",
    re.I,
)
_PERSON_AFTER = re.compile(
    r"^\s*(guy|man|woman|girl|bloke|dude|lady|person|troll|account|user|kid|boy|fella|"
    r"men|women|people|trolls|accounts|users|ex|stalker|harasser|scammer|gang)\b",
    re.I,
)
_I_AM_BEFORE = re.compile(r"\b(i'?m|i am|im|as|we'?re|we are)\s+(a|an)?\s*$", re.I)
# "living in Hong Kong", "I'm in Dublin": a capitalised place name after a residence phrase.
# The phrase in any case ("I live", "i'm"), the name with its capital letter.
_RESIDENCE = re.compile(
    r"\b(?i:i\s+live|i'?m\s+living|im\s+living|living|i'?m\s+based|im\s+based|based|"
    r"i\s+reside|residing|i\s+moved|we\s+live|we\s+moved|i'?m|im|i\s+am|studying|working|staying)\s+"
    r"(?i:in|to)\s+((?:[A-Z][\w'-]+)(?:\s+[A-Z][\w'-]+){0,2})"
)
_NOT_PLACES = {
    "year",
    "grade",
    "fear",
    "shock",
    "danger",
    "hell",
    "love",
    "bed",
    "hospital",
    "therapy",
    "school",
    "university",
    "uni",
    "college",
    "class",
    "high",
    "primary",
    "form",
    "court",
    "year9",
    "a",
    "the",
    "my",
    "pain",
    "tears",
    "trouble",
    "a&e",
    "bits",
    "pieces",
    "debt",
    "care",
    "hiding",
    "lockdown",
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class PlaceEntityExtractor(KnowledgeComponent, EntityExtractorMixin):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = clean(message.get(TEXT) or "")[:MAX_MESSAGE_CHARS]
            entities = [e for e in message.get(ENTITIES) or [] if e.get("entity") not in PLACE_ENTITIES]
            matches = self.read(text) if text.strip() else []
            unknown = self._unknown_residence(text, matches)
            if unknown and any(m.role == VICTIM for m in matches):
                if text[unknown["start"] : unknown["end"]].lower() in self.world.names:
                    # "I'm in Manila. An Australian man who lives in Sydney...": where the person
                    # says they live outweighs a nationality or someone else's city
                    matches = [m for m in matches if m.role != VICTIM]
                else:
                    unknown = None
            for match in matches:
                entities += self._entities(match)
            if unknown:
                entities.append(unknown)
            named = None if unknown else _named_country(text, matches, self.world)
            if named and not any(m.role == named["role"] for m in matches):
                entities.append(self._unknown(named["start"], named["end"], named["role"]))
            message.set(ENTITIES, entities, add_to_output=True)
            if (matches and _only_places(text, matches)) or (named and named["bare"] and not matches):
                set_intent(message, INFORM_LOCATION, 1.0)
            elif (
                intent_name(message) == INFORM_LOCATION
                and not matches
                and not _LOCATION_WORDS & set(normalise(text).split())
            ):
                # "...", "?", "qwerty": no place and no words about one; ask, don't record a place
                set_intent(message, FALLBACK, (message.get("intent") or {}).get("confidence", 0.0))
        return messages

    def read(self, text: str) -> List[PlaceMatch]:
        """The places in the text with their roles, after corrections and nationality are read."""
        kept: List[PlaceMatch] = []
        for match in self.kb.places.find(text):
            before, after = text[max(0, match.start - 40) : match.start], text[match.end : match.end + 30]
            if _NEGATED_BEFORE.search(before):
                continue  # "not Perth"
            if _NATIONALITY_AFTER.search(after) or (_RESIDENCE_AFTER.search(after) and _I_AM_BEFORE.search(before)):
                continue  # "a British citizen", "I'm Australian but living in..."
            if _PERSON_AFTER.search(after):  # "this american guy": who someone is, not where anyone is
                match = PlaceMatch(match.text, match.start, match.end, match.place, HARASSER)
            elif _CORRECTION_BEFORE.search(before) and kept:
                role = kept[-1].role  # "he's in Perth, sorry, I meant Darwin": same person, new place
                kept = [m for m in kept if m.role != role]
                match = PlaceMatch(match.text, match.start, match.end, match.place, role)
            kept.append(match)
        return kept

    def _entities(self, match: PlaceMatch) -> List[dict]:
        country = self.kb.places.country(match.place) or match.place
        base = {
            "start": match.start,
            "end": match.end,
            "role": match.role,
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        }
        found = [{**base, "entity": "country", "value": country}]
        if match.place != country:
            found.append({**base, "entity": "region", "value": match.place})
        return found

    @cached_property
    def world(self) -> "World":
        """Places we don't cover: countries, and cities (CLDR)."""
        return _world_places(self.kb.places)

    def warm_up(self) -> None:
        self.world  # noqa: B018 - CLDR's names and one pattern, built at start-up (about 0.6 s)

    def _unknown_residence(self, text: str, matches: List[PlaceMatch]):
        """`country: unknown` for "living in Hong Kong" when Hong Kong isn't a place we cover."""
        taken = [(m.start, m.end) for m in matches]
        for found in _RESIDENCE.finditer(text):
            name = found.group(1)
            if name.split()[0].lower() in _NOT_PLACES or any(s <= found.start(1) < e for s, e in taken):
                continue
            if name.lower() in self.world.covered_cities:
                continue  # "I'm in Eucla": a town in a country we cover, not somewhere we don't
            return self._unknown(found.start(1), found.end(1), VICTIM)
        return None

    def _unknown(self, start: int, end: int, role: str) -> dict:
        return {
            "start": start,
            "end": end,
            "role": role,
            "entity": "country",
            "value": UNKNOWN,
            "confidence_entity": 1.0,
            "extractor": self.__class__.__name__,
        }


# Country names that are also everyday words or first names: read only when they are the whole
# message ("jordan" answering "where are you?"), never inside a sentence ("Chad keeps texting me").
_COMMON_WORDS = {"chad", "jordan", "georgia", "turkey", "guinea", "niger", "jersey", "man", "israel", "china"}
# "in Nigeria", "from the Philippines", "in Lagos, Nigeria"
_BEFORE_COUNTRY = re.compile(r"\b(?:in|from|to)\s+(?:the\s+)?(?:[a-z'-]+,\s*)?$", re.I)
_IN_BEFORE = re.compile(r"\bin\s+$", re.I)
_OPENING_AFTER = re.compile(r"\s*[.,:;!-]")  # "dublin. the guy who's been harassing me..."
_THEY_BEFORE = re.compile(
    r"\b(?:he|she|they|hes|shes|theyre|he'?s|she'?s|they'?re|him|her|them|ex|someone|somebody|guy|person)\b"
    r"[^.!?]{0,25}$",
    re.I,
)
_UNSURE = {"maybe", "probably", "think", "i think", "not", "sure", "possibly", "somewhere", "perhaps", "dunno"}


# CLDR's time-zone cities that are also first names or everyday words ("a message from Sofia").
_COMMON_CITIES = {"sofia", "santiago", "stanley", "paris", "samara", "chita", "lima", "oral", "mahe", "thule", "aden"}
_SKIP_TERRITORIES = {"AQ", "001", "ZZ"}  # Antarctica's stations, "the world"


@lru_cache(maxsize=1)
def _world_countries() -> Dict[str, str]:
    """English country and territory names (CLDR, through Babel), lower-case -> ISO code."""
    from babel import Locale

    names = {}
    for code, name in Locale.parse("en").territories.items():
        if len(code) == 2 and code.isalpha() and code not in ("ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"):
            names[name.lower().replace("&", "and").replace("\u2019", "'")] = code
    return names


@lru_cache(maxsize=1)
def _world_cities() -> Dict[str, str]:
    """CLDR's time-zone cities in English ("Dublin", "Lagos", "Manila"), lower-case -> ISO code."""
    from babel.core import get_global
    from babel.dates import get_timezone_location

    cities = {}
    for zone, territory in get_global("zone_territories").items():
        if territory in _SKIP_TERRITORIES or "/" not in zone or zone.startswith(("Etc/", "SystemV/")):
            continue
        city = get_timezone_location(zone, locale="en", return_city=True).split("/")[-1]
        cities.setdefault(city.lower().replace("\u2019", "'"), territory)
    return cities


@dataclass(frozen=True)
class World:
    """The places we don't cover, lower-case name -> ISO code, and one pattern finding them."""

    names: Dict[str, str]
    pattern: Pattern
    covered_cities: frozenset  # CLDR's cities in the countries we cover ("eucla", "broken hill")


def _names_all_of(resolver, name: str) -> bool:
    """ "United Kingdom" is a place we cover; "British Virgin Islands" only mentions one."""
    found = resolver.find(name)
    return len(found) == 1 and found[0].start == 0 and found[0].end == len(name)


def _world_places(resolver) -> World:
    """Countries and cities we don't cover: a city of a covered country ("Eucla") is left out,
    so that it is never read as somewhere we don't cover."""
    countries = _world_countries()
    covered = {code for name, code in countries.items() if _names_all_of(resolver, name)}
    cities = {c: t for c, t in _world_cities().items() if t not in covered and c not in countries}
    names = {**{n: c for n, c in countries.items() if c not in covered}, **cities}
    ordered = sorted(names, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(re.escape(n) for n in ordered) + r")\b", re.I)
    return World(names, pattern, frozenset(c for c, t in _world_cities().items() if t in covered))


def _named_country(text: str, matches: List[PlaceMatch], world: World) -> Optional[dict]:
    """`country: unknown` for a place we don't cover: a country named bare or after "in", "from"
    or "to"; a city bare, after "in", or opening the message ("dublin. the guy who...")."""
    countries = _world_countries()
    taken = [(m.start, m.end) for m in matches]
    for found in world.pattern.finditer(text):
        if any(s < found.end() and found.start() < e for s, e in taken):
            continue  # a place we cover ("Australia") was read there already
        name = found.group(1).lower()
        rest = (text[: found.start()] + " " + text[found.end() :]).lower()
        bare = all(word in _FILLER or word in _UNSURE for word in normalise(rest).split())
        before = text[max(0, found.start() - 40) : found.start()]
        if not bare:
            if name in _COMMON_WORDS or name in _COMMON_CITIES:
                continue
            if name in countries:
                if not _BEFORE_COUNTRY.search(before):
                    continue
            elif not (_IN_BEFORE.search(before) or (found.start() == 0 and _OPENING_AFTER.match(text[found.end() :]))):
                continue
        role = HARASSER if _THEY_BEFORE.search(before) else VICTIM
        return {"start": found.start(), "end": found.end(), "role": role, "bare": bare}
    return None


def _only_places(text: str, matches) -> bool:
    rest = text
    for match in sorted(matches, key=lambda m: -m.start):
        rest = rest[: match.start] + " " + rest[match.end :]
    return all(word in _FILLER for word in normalise(rest).split())


__all__ = ["PlaceEntityExtractor", "INFORM_LOCATION", "HARASSER", "VICTIM"]
