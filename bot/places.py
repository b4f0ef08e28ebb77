"""Free place names -> jurisdiction ids, and who is where.

The vocabulary is data: every jurisdiction file lists its aliases (cities, states,
abbreviations, demonyms, slang, misspellings), so adding a country never touches
this module. Rules of the game:

* Longest match wins ("new south wales" beats "wales", "south australia" beats
  "australia").
* An alias shared by two places resolves only with a context that picks one,
  otherwise it is ambiguous, never a guess.
* Capital-only aliases ("US", "ACT") only match as written, and not in a message
  of three words or more typed all in capitals ("PLEASE HELP US").
* Typos are forgiven (one edit, names of five letters or more) only in short,
  answer-like messages, as the whole message or after "in"/"from" ("Melbourn",
  "im in sydeny"; not "they mocked my turban"). In longer text only exact
  aliases count, so "he sends texts in sales meetings" never becomes Texas or Wales.
* Regions that contain a covered name but are not it ("South America") are masked.
* Anything else is UNKNOWN.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

UNKNOWN = "unknown"
ABROAD = "abroad"  # "he's overseas": another country, which one not said

VICTIM = "victim"
HARASSER = "harasser"

_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z0-9]+)*")
FUZZY_MAX_TOKENS = 5  # messages this short are answers to "where?": typos are forgiven
_OVERSEAS = (
    "overseas",
    "abroad",
    "another country",
    "a different country",
    "different country",
    "other country",
    "offshore",
    "foreign country",
)
_PLACE_PREPOSITIONS = {"in", "from", "near", "at", "around", "outta"}
_MASKED = ("south america", "latin america", "central america", "north america", "new england", "americas")
_CLAUSE_BREAK = re.compile(
    r"[.;!?\n]|,|\s[-–—]\s|\b(?:and|but|while|whereas|though|although|because|so)\b", re.IGNORECASE
)
_VICTIM_CUES = {"i", "im", "ive", "id", "we", "my", "our", "me"}
_HARASSER_CUES = {
    "he",
    "hes",
    "she",
    "shes",
    "they",
    "theyre",
    "him",
    "her",
    "them",
    "harasser",
    "harassers",
    "stalker",
    "abuser",
    "bully",
    "troll",
    "trolls",
    "guy",
    "man",
    "woman",
    "girl",
    "boy",
    "person",
    "someone",
    "somebody",
    "ex",
    "perpetrator",
    "perp",
    "offender",
    "attacker",
    "scammer",
    "extortionist",
    "culprit",
    "account",
    "accounts",
    "sender",
    "poster",
}
# Words after which "my"/"our" point at the harasser rather than at the person.
_HARASSER_NOUNS = {"ex", "harasser", "stalker", "abuser", "bully", "troll", "former", "exs"}


def _fold(token: str) -> str:
    return token.replace("'", "").replace("’", "")


def normalise(text: str) -> str:
    return " ".join(_fold(t).lower() for t in _TOKEN.findall(text))


@dataclass(frozen=True)
class PlaceMatch:
    text: str  # as the person wrote it
    start: int
    end: int
    place: str  # "AU-WA", "NZ", ABROAD; never a guess
    role: str  # VICTIM or HARASSER


def _one_edit_apart(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b or abs(len(a) - len(b)) > 1:
        return a == b
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (
            len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]]
        )
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1 :] == short:
            return True
    return False


class PlaceResolver:
    """Built once from the knowledge base's jurisdictions."""

    def __init__(self, jurisdictions: Iterable) -> None:
        self._names: Dict[str, str] = {}
        self._aliases: Dict[Tuple[str, ...], Set[str]] = {}
        self._exact_case: Dict[Tuple[str, ...], Set[str]] = {}
        for jurisdiction in jurisdictions:
            self._names[jurisdiction.id] = jurisdiction.name
            self._add(jurisdiction.id, [jurisdiction.name] + jurisdiction.aliases)
            for alias in [jurisdiction.id] + jurisdiction.case_sensitive_aliases:  # "US", never "us"
                key = tuple(_fold(t) for t in _TOKEN.findall(alias))
                self._exact_case.setdefault(key, set()).add(jurisdiction.id)
            for region in jurisdiction.regions:
                self._names[region.id] = region.name
                self._add(region.id, [region.name] + region.aliases)
                for alias in [region.id] + region.case_sensitive_aliases:  # "AU-WA", "WA"
                    key = tuple(_fold(t) for t in _TOKEN.findall(alias))
                    self._exact_case.setdefault(key, set()).add(region.id)
        for word in _OVERSEAS:
            self._aliases.setdefault(tuple(word.split()), set()).add(ABROAD)
        for phrase in _MASKED:
            self._aliases[tuple(phrase.split())] = set()  # matched, then dropped
        self._longest = max(len(k) for k in list(self._aliases) + list(self._exact_case))
        self._fuzzy_pool = {k[0]: v for k, v in self._aliases.items() if len(k) == 1 and len(k[0]) >= 5 and v}
        # "Sydney's north", "perths best": the possessive names the place; the match ends before the 's
        # (a masked phrase such as "the Americas" is never a variant)
        self._possessive: Set[Tuple[str, ...]] = set()
        for key, places in list(self._aliases.items()):
            variant = key[:-1] + (key[-1] + "s",)
            if places and not key[-1].endswith("s") and variant not in self._aliases:
                self._aliases[variant] = places
                self._possessive.add(variant)

    def _add(self, place: str, aliases: Sequence[str]) -> None:
        for alias in aliases:
            key = tuple(normalise(alias).split())
            if key:
                self._aliases.setdefault(key, set()).add(place)

    # -- public API -----------------------------------------------------------------

    def name(self, place: str) -> str:
        """Human name of a place id ("AU-WA" -> "Western Australia")."""
        if place == ABROAD:
            return "another country"
        return self._names.get(place, place)

    def country(self, place: Optional[str]) -> Optional[str]:
        """ "AU-WA" -> "AU"; "NZ" -> "NZ"; unknown/abroad/None -> None."""
        if not place or place in (UNKNOWN, ABROAD):
            return None
        return place.split("-")[0] if place.split("-")[0] in self._names else None

    def is_known(self, place: Optional[str]) -> bool:
        return bool(place) and (place in self._names or place == ABROAD)

    def resolve(self, text: str, context: Optional[str] = None) -> str:
        """A whole answer ("syd", "the States", "Sydeny") -> a place id, or UNKNOWN."""
        places = {m[2] for m in self._scan(text, context=context)}
        return places.pop() if len(places) == 1 else UNKNOWN

    def alternatives(self, text: str) -> List[str]:
        """Names of the places an ambiguous name could mean ("SA" -> South Australia, South Africa)."""
        found: Set[str] = set()
        for places in self._scan(text, context=None, ambiguous=True):
            found |= places
        return sorted(self.name(p) for p in found)

    def find(self, text: str, context: Optional[str] = None) -> List[PlaceMatch]:
        """Every place mentioned in free text, with who it belongs to."""
        found = []
        for start, end, place in self._scan(text, context=context):
            found.append(PlaceMatch(text[start:end], start, end, place, _role(text, start, end)))
        return found

    # -- matching -------------------------------------------------------------------

    def _scan(self, text: str, context: Optional[str], ambiguous: bool = False):
        """(start, end, place) for each place; with ambiguous=True, the place sets that did not resolve."""
        tokens = [(_fold(m.group(0)), m.start(), m.end()) for m in _TOKEN.finditer(text)]
        lowered = [t[0].lower() for t in tokens]
        fuzzy = len(tokens) <= FUZZY_MAX_TOKENS
        shouting = len(tokens) >= 3 and text.upper() == text and any(c.isalpha() for c in text)
        results, i = [], 0
        while i < len(tokens):
            hit = None
            for size in range(min(self._longest, len(tokens) - i), 0, -1):
                places = self._aliases.get(tuple(lowered[i : i + size]))
                if places is None and not shouting:
                    places = self._exact_case.get(tuple(t[0] for t in tokens[i : i + size]))
                if places is not None:
                    hit = (size, places)
                    break
            if hit is None and fuzzy and (len(tokens) == 1 or (i and lowered[i - 1] in _PLACE_PREPOSITIONS)):
                hit = self._fuzzy(lowered[i])
            if hit is None:
                i += 1
                continue
            size, places = hit
            place = _pick(places, context, self)
            if ambiguous and place is None and len(places) > 1:
                results.append(places)
            elif place is not None and not ambiguous:
                end = tokens[i + size - 1][2]
                if tuple(lowered[i : i + size]) in self._possessive:
                    end -= 2 if text[end - 2 : end - 1] in ("'", "’") else 1
                results.append((tokens[i][1], end, place))
            i += size
        return results

    def _fuzzy(self, token: str):
        if len(token) < 5 or not token.isalpha():
            return None
        places: Set[str] = set()
        for alias, targets in self._fuzzy_pool.items():
            if _one_edit_apart(token, alias):
                places |= targets
        return (1, places) if len(places) == 1 else None


def _pick(places: Set[str], context: Optional[str], resolver: PlaceResolver) -> Optional[str]:
    if len(places) == 1:
        return next(iter(places))
    country = resolver.country(context)
    narrowed = {p for p in places if country and p.split("-")[0] == country}
    return narrowed.pop() if len(narrowed) == 1 else None


def _role(text: str, start: int, end: int) -> str:
    """Whose place is this?

    1. The nearest person-word before it in its clause ("I'm in Perth", "he's in Canada").
    2. "Joburg here": the speaker's.
    3. A clause with no subject continues the one before ("the troll is South African,
       lives in Pretoria"): the nearest person-word in the text before it.
    4. Otherwise ("Perth - he's on his way", "the number in Australia?") the person's own
       place, which is what safety and the law depend on.
    """
    clause_start = 0
    for brk in _CLAUSE_BREAK.finditer(text[:start]):
        clause_start = brk.end()
    in_clause = _cue(_TOKEN.findall(text[clause_start:start]))
    if in_clause:
        return in_clause
    after = [_fold(t).lower() for t in _TOKEN.findall(text[end : end + 20])]
    if after[:1] == ["here"]:
        return VICTIM
    return _cue(_TOKEN.findall(text[:clause_start])) or VICTIM


def _cue(tokens: List[str]) -> Optional[str]:
    """The role named by the last person-word in these tokens, if any."""
    words = [_fold(t).lower() for t in tokens]
    for index in range(len(words) - 1, -1, -1):
        word = words[index]
        if tokens[index].lower().replace("’", "'") in ("we're", "we've", "i'm", "i've"):
            return VICTIM  # "we're in Canberra": folded, "were" would say nothing
        following = words[index + 1] if index + 1 < len(words) else ""
        if word in ("my", "our") and following in _HARASSER_NOUNS:
            return HARASSER  # "my former business partner moved to the Gold Coast"
        if word in _HARASSER_CUES:
            return HARASSER
        if word in _VICTIM_CUES and word != "me":
            return VICTIM
    return None
