"""The situation frame: everything understood about the person's situation, as plain data.

Built once per turn at the action edge (actions/answer.py) from Rasa's slots and the
latest message's entities, then handed to the composer (bot/compose.py), which needs no
Rasa. The place is resolved once, into a `Place`, so answers never look it up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import List, Optional

from bot.knowledge import KnowledgeBase
from bot.knowledge.schema import Jurisdiction
from bot.places import ABROAD, UNKNOWN

IMMEDIATE, RISK = "immediate", "risk"
SELF, HELPER, VOLUNTEER = "self", "helper", "volunteer"


@dataclass(frozen=True)
class Place:
    """Where someone is: a covered country (and maybe a state), a place we don't cover, or not said."""

    id: Optional[str] = None  # "AU-WA", "AU", UNKNOWN, ABROAD, or None when not said
    country: Optional[str] = None  # "AU" when covered
    region: Optional[str] = None  # "AU-WA" when a covered state or territory
    name: str = ""  # "Western Australia", "Australia", "another country"
    jurisdiction: Optional[Jurisdiction] = field(default=None, compare=False, repr=False)

    @property
    def known(self) -> bool:
        """A place we cover."""
        return self.jurisdiction is not None

    @property
    def said(self) -> bool:
        """The person told us, even if it's a place we don't cover."""
        return self.id is not None

    @property
    def country_name(self) -> str:
        return self.jurisdiction.name if self.jurisdiction else self.name

    @property
    def in_country(self) -> str:
        """The country as it follows "in": "the United States", "Australia"."""
        name = self.country_name
        return f"the {name}" if name.startswith("United ") else name


def place_of(kb: KnowledgeBase, country: Optional[str], region: Optional[str] = None) -> Place:
    """Slots to a Place: the region only when it is in that country ("AU" + "AU-WA" -> Western Australia)."""
    if not country:
        return Place()
    if country in (UNKNOWN, ABROAD) or country not in kb.jurisdictions:
        return Place(id=country if country in (UNKNOWN, ABROAD) else UNKNOWN, name=kb.places.name(country))
    jurisdiction = kb.jurisdictions[country]
    if region and region.startswith(country + "-") and kb.region(region) is not None:
        return Place(region, country, region, kb.places.name(region), jurisdiction)
    return Place(country, country, None, jurisdiction.name, jurisdiction)


@dataclass
class Frame:
    """One turn's understanding, with what earlier turns told us."""

    text: str = ""
    intent: str = ""
    harms: List[str] = field(default_factory=list)  # everything described so far, this turn's first
    new_harms: List[str] = field(default_factory=list)  # described in this message
    asks: List[str] = field(default_factory=list)  # questions in this message, the main one first
    ask_texts: dict = field(default_factory=dict)  # ask -> the words that asked it (its clause)
    danger: Optional[str] = None  # IMMEDIATE, RISK or None, in this message
    despair: bool = False  # the person's own thoughts of suicide or self-harm, in this message
    told_to_self_harm: bool = False  # others telling them to, in this message
    harm_request: bool = False  # asking for help to harm someone else
    language: Optional[str] = None  # the message is in another language ("pt", "zh-Hant"): bot/nlu/languages.py
    asker: str = SELF  # SELF, HELPER or VOLUNTEER
    minor: bool = False  # a child or young person involved
    platforms: List[str] = field(default_factory=list)
    services: List[str] = field(default_factory=list)  # contact ids named ("can eSafety...")
    victim: Place = field(default_factory=Place)
    harasser: Place = field(default_factory=Place)
    harasser_new: bool = False  # the other person's place was said in this message
    opener_shown: bool = False
    place_asked: bool = False
    safety_sent: bool = False  # the emergency or crisis response already went out this turn

    @property
    def tapped(self) -> bool:
        """A follow-up button ("More on the law" sends "/ask_offence"): the person asked for more."""
        return self.text.startswith("/")

    @property
    def harasser_elsewhere(self) -> bool:
        """The other person is in another country than the person (or abroad, country unknown)."""
        if not self.harasser.said:
            return False
        if self.harasser.id in (ABROAD, UNKNOWN):
            return True
        return self.harasser.country != self.victim.country
