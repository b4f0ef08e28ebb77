"""Free place names -> jurisdiction ids, and who is where.

A wrong place gives a person the wrong emergency number, so the resolver must never
guess: ambiguous or unknown input is "unknown", and a place mentioned inside a longer
message belongs to the victim or to the harasser as the sentence says.
"""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge
from bot.places import ABROAD, HARASSER, UNKNOWN, VICTIM


@pytest.fixture(scope="module")
def places():
    return load_knowledge().places


# -- resolve(): a whole answer to "where are you?" ------------------------------------------

RESOLVE = [
    # Australia: cities, slang, misspellings
    ("syd", "AU-NSW"),
    ("sydney", "AU-NSW"),
    ("Sydney", "AU-NSW"),
    ("Sydeny", "AU-NSW"),
    ("Sidney", "AU-NSW"),
    ("Newcastle", "AU-NSW"),
    ("melb", "AU-VIC"),
    ("Melbourn", "AU-VIC"),
    ("Melborne", "AU-VIC"),
    ("Geelong", "AU-VIC"),
    ("brissie", "AU-QLD"),
    ("Brisbane", "AU-QLD"),
    ("Brisbain", "AU-QLD"),
    ("Gold Coast", "AU-QLD"),
    ("perth", "AU-WA"),
    ("Fremantle", "AU-WA"),
    ("Adelaide", "AU-SA"),
    ("Adelaid", "AU-SA"),
    ("hobart", "AU-TAS"),
    ("Tasmania", "AU-TAS"),
    ("canberra", "AU-ACT"),
    ("darwin", "AU-NT"),
    ("Alice Springs", "AU-NT"),
    # Australia: states and territories
    ("NSW", "AU-NSW"),
    ("nsw", "AU-NSW"),
    ("VIC", "AU-VIC"),
    ("QLD", "AU-QLD"),
    ("WA", "AU-WA"),
    ("ACT", "AU-ACT"),
    ("NT", "AU-NT"),
    ("TAS", "AU-TAS"),
    ("South Australia", "AU-SA"),  # not Australia
    ("New South Wales", "AU-NSW"),  # not Wales
    ("Western Australia", "AU-WA"),
    ("Northern Territory", "AU-NT"),
    ("Australian Capital Territory", "AU-ACT"),
    ("Perth, WA", "AU-WA"),
    ("Canberra ACT", "AU-ACT"),
    # Australia as a whole
    ("Australia", "AU"),
    ("australia", "AU"),
    ("AU", "AU"),
    ("aus", "AU"),
    ("Aussie", "AU"),
    ("down under", "AU"),
    # New Zealand
    ("NZ", "NZ"),
    ("nz", "NZ"),
    ("New Zealand", "NZ"),
    ("new zeland", "NZ"),
    ("Aotearoa", "NZ"),
    ("Auckland", "NZ"),
    ("Aukland", "NZ"),
    ("Wellington", "NZ"),
    ("Christchurch", "NZ"),
    ("kiwi", "NZ"),
    ("Kiwis", "NZ"),
    # United States
    ("the States", "US"),
    ("USA", "US"),
    ("US", "US"),
    ("U.S.", "US"),
    ("u.s.a.", "US"),
    ("the us", "US"),
    ("America", "US"),
    ("American", "US"),
    ("Amercia", "US"),
    ("Texas", "US"),
    ("California", "US"),
    ("New York", "US"),
    ("NYC", "US"),
    ("Chicago", "US"),
    ("Florida", "US"),
    # United Kingdom
    ("UK", "UK"),
    ("uk", "UK"),
    ("England", "UK-ENG"),
    ("Scotland", "UK-SCT"),
    ("Wales", "UK-WLS"),
    ("Northern Ireland", "UK-NIR"),
    ("London", "UK-ENG"),
    ("Glasgow", "UK-SCT"),
    ("Cardiff", "UK-WLS"),
    ("Britain", "UK"),
    ("Britian", "UK"),
    ("British", "UK"),
    # Canada
    ("Canada", "CA"),
    ("CA", "CA"),
    ("Toronto", "CA"),
    ("Vancouver", "CA"),
    ("Montreal", "CA"),
    ("Ontario", "CA"),
    ("Canadian", "CA"),
    ("London Ontario", "CA"),
    # South Africa
    ("Joburg", "ZA"),
    ("Jo'burg", "ZA"),
    ("Jo\u2019burg", "ZA"),
    ("Johannesburg", "ZA"),
    ("Cape Town", "ZA"),
    ("South Africa", "ZA"),
    ("Durban", "ZA"),
    ("Pretoria", "ZA"),
    ("KZN", "ZA"),
    ("RSA", "ZA"),
    # Somewhere else, not said where
    ("overseas", ABROAD),
    ("abroad", ABROAD),
    ("another country", ABROAD),
    # Not covered: never a guess
    ("Austria", UNKNOWN),  # not Australia
    ("Ireland", UNKNOWN),  # not Northern Ireland
    ("India", UNKNOWN),
    ("Germany", UNKNOWN),
    ("Mexico", UNKNOWN),
    ("Dublin", UNKNOWN),
    ("Georgia", UNKNOWN),  # a US state and a country: left out on purpose
    ("qwerty", UNKNOWN),
    ("", UNKNOWN),
    ("   ", UNKNOWN),
    ("South America", UNKNOWN),  # not South Africa, not America
    ("North America", UNKNOWN),
    ("New England", UNKNOWN),  # not England
    ("help us please", UNKNOWN),  # "us" is not the US
    ("PLEASE HELP US", UNKNOWN),  # shouting is not the US either
    ("they mocked my turban", UNKNOWN),  # not Durban
    ("us", UNKNOWN),
    ("wa", UNKNOWN),
    ("act", UNKNOWN),
    ("act now please", UNKNOWN),
    ("i live in wa", UNKNOWN),
    # Ambiguous without context
    ("SA", UNKNOWN),  # South Australia or South Africa
    ("hamilton", UNKNOWN),  # Hamilton NZ or Hamilton, Ontario
    ("Hamilton", UNKNOWN),
    ("Sydney, Nova Scotia", UNKNOWN),  # two places named: no single answer
    ("I'm in Perth, he's in Canada", UNKNOWN),  # two places: resolve() never picks one
]


@pytest.mark.parametrize("text,expected", RESOLVE, ids=[repr(t) for t, _ in RESOLVE])
def test_resolve(places, text, expected):
    assert places.resolve(text) == expected


def test_resolve_sales_meetings_is_not_wales(places):
    assert places.resolve("he sends texts in sales meetings") == UNKNOWN


RESOLVE_WITH_CONTEXT = [
    ("SA", "AU", "AU-SA"),
    ("SA", "AU-NSW", "AU-SA"),  # a state as context narrows to its country
    ("SA", "ZA", "ZA"),
    ("I live in SA", "AU", "AU-SA"),
    ("hamilton", "NZ", "NZ"),
    ("hamilton", "CA", "CA"),
    ("Hamilton", "AU", UNKNOWN),  # context that picks neither does not force a guess
    ("SA", None, UNKNOWN),
    ("Melbourn", "NZ", "AU-VIC"),  # context does not override an unambiguous name
]


@pytest.mark.parametrize(
    "text,context,expected", RESOLVE_WITH_CONTEXT, ids=[f"{t!r}@{c}" for t, c, _ in RESOLVE_WITH_CONTEXT]
)
def test_resolve_with_context(places, text, context, expected):
    assert places.resolve(text, context=context) == expected


# -- find(): places inside free text, with whose place it is ----------------------------------

FIND = [
    ("I'm in Perth, he's in Canada", [("Perth", "AU-WA", VICTIM), ("Canada", "CA", HARASSER)]),
    (
        "I'm in Australia but the person harassing me is American",
        [("Australia", "AU", VICTIM), ("American", "US", HARASSER)],
    ),
    (
        "I'm in Perth and my harasser lives in Johannesburg",
        [("Perth", "AU-WA", VICTIM), ("Johannesburg", "ZA", HARASSER)],
    ),
    ("the guy harassing me is in Canada", [("Canada", "CA", HARASSER)]),
    ("I'm being harassed by someone in the UK", [("UK", "UK", HARASSER)]),
    ("he's outside my house in Sydney", [("Sydney", "AU-NSW", VICTIM)]),
    ("I live in Auckland and someone who's been harassing me is at my door", [("Auckland", "NZ", VICTIM)]),
    ("my ex moved to Toronto", [("Toronto", "CA", HARASSER)]),
    ("he's overseas", [("overseas", ABROAD, HARASSER)]),
    ("someone from overseas keeps messaging me", [("overseas", ABROAD, HARASSER)]),
    ("I'm in Melbourne and he's in the States", [("Melbourne", "AU-VIC", VICTIM), ("the States", "US", HARASSER)]),
    ("She lives in London, I'm in Brisbane", [("London", "UK-ENG", HARASSER), ("Brisbane", "AU-QLD", VICTIM)]),
    ("I'm in NZ, my stalker is in Texas", [("NZ", "NZ", VICTIM), ("Texas", "US", HARASSER)]),
    ("My harasser is in London and I am in Perth", [("London", "UK-ENG", HARASSER), ("Perth", "AU-WA", VICTIM)]),
    ("I'm in Perth. My stalker lives in Texas.", [("Perth", "AU-WA", VICTIM), ("Texas", "US", HARASSER)]),
    ("we live in Adelaide but he lives in Joburg", [("Adelaide", "AU-SA", VICTIM), ("Joburg", "ZA", HARASSER)]),
    ("my ex is in Cape Town and I'm in Darwin", [("Cape Town", "ZA", HARASSER), ("Darwin", "AU-NT", VICTIM)]),
    ("He's in Vancouver but I live in Hobart", [("Vancouver", "CA", HARASSER), ("Hobart", "AU-TAS", VICTIM)]),
    (
        "he lives in New York and I live in New South Wales",
        [("New York", "US", HARASSER), ("New South Wales", "AU-NSW", VICTIM)],
    ),
    ("I live in WA and he is in the US", [("WA", "AU-WA", VICTIM), ("the US", "US", HARASSER)]),
    ("WE ARE IN SYDNEY AND HE IS IN THE UK", [("SYDNEY", "AU-NSW", VICTIM), ("UK", "UK", HARASSER)]),
    ("I\u2019m in Perth and he\u2019s in Canada", [("Perth", "AU-WA", VICTIM), ("Canada", "CA", HARASSER)]),
    ("my abuser is from the States", [("the States", "US", HARASSER)]),
    ("the scammer is in Canada", [("Canada", "CA", HARASSER)]),
    ("I'm from South Australia", [("South Australia", "AU-SA", VICTIM)]),
    ("I'm in New South Wales", [("New South Wales", "AU-NSW", VICTIM)]),
    ("Our family is in Wellington", [("Wellington", "NZ", VICTIM)]),
    ("help me im in melb", [("melb", "AU-VIC", VICTIM)]),
    ("im in sydeny", [("sydeny", "AU-NSW", VICTIM)]),
    ("I'm in Melbourn", [("Melbourn", "AU-VIC", VICTIM)]),
    # nothing to find
    ("help us please", []),
    ("PLEASE HELP US", []),
    ("they mocked my turban", []),
    ("he sends texts in sales meetings", []),
    ("I'm in SA", []),  # ambiguous without context: no match rather than a guess
    ("he is in Hamilton", []),
    ("I am from Ireland", []),
]


@pytest.mark.parametrize("text,expected", FIND, ids=[repr(t) for t, _ in FIND])
def test_find(places, text, expected):
    found = [(m.text, m.place, m.role) for m in places.find(text)]
    assert found == expected


@pytest.mark.parametrize(
    "text,context,expected",
    [
        ("I'm in SA", "AU", [("SA", "AU-SA", VICTIM)]),
        ("he's in SA", "ZA", [("SA", "ZA", HARASSER)]),
        ("he is in Hamilton", "NZ", [("Hamilton", "NZ", HARASSER)]),
    ],
)
def test_find_with_context(places, text, context, expected):
    assert [(m.text, m.place, m.role) for m in places.find(text, context=context)] == expected


# -- offsets: a match points at exactly what the person wrote ---------------------------------

OFFSETS = [
    ("I'm in Perth, he's in Canada", ["Perth", "Canada"]),
    ("I'm in Sydney's north", ["Sydney"]),
    ("I\u2019m in Sydney\u2019s west", ["Sydney"]),
    ("the person is in Jo'burg", ["Jo'burg"]),
    ("I'm in the U.S. and she's in NZ", ["U.S", "NZ"]),
    ("\U0001f642 I'm in Perth", ["Perth"]),
    ("I am in Brisbane \U0001f642 and he is in Toronto", ["Brisbane", "Toronto"]),
    ("I'm in New South Wales, he's in South Africa", ["New South Wales", "South Africa"]),
    ("my ex is in Cape Town and I'm in Darwin", ["Cape Town", "Darwin"]),
    ("  WE ARE IN SYDNEY AND HE IS IN THE UK", ["SYDNEY", "UK"]),
]


@pytest.mark.parametrize("text,starts", OFFSETS, ids=[repr(t) for t, _ in OFFSETS])
def test_match_offsets(places, text, starts):
    matches = places.find(text)
    assert len(matches) == len(starts)
    position = 0
    for match, expected in zip(matches, starts, strict=False):
        assert text[match.start : match.end] == match.text
        expected_start = text.index(expected, position)
        assert match.start == expected_start
        assert match.text.startswith(expected)
        # a possessive may be part of the match ("Sydney's"), nothing else may
        assert match.text in (expected, expected + "'s", expected + "\u2019s")
        position = match.end


def test_possessive_still_resolves(places):
    (match,) = places.find("I'm in Sydney's north")
    assert match.place == "AU-NSW" and match.role == VICTIM


# -- names and countries of place ids --------------------------------------------------------


@pytest.mark.parametrize(
    "place,country,name",
    [
        ("AU-WA", "AU", "Western Australia"),
        ("AU-SA", "AU", "South Australia"),
        ("NZ", "NZ", "New Zealand"),
        ("ZA", "ZA", "South Africa"),
        (ABROAD, None, "another country"),
        (UNKNOWN, None, UNKNOWN),
    ],
)
def test_country_and_name(places, place, country, name):
    assert places.country(place) == country
    assert places.name(place) == name


@pytest.mark.parametrize(
    "text,expected",
    [
        (
            "we're in freo and the troll is south african, lives in pretoria i think",
            [("AU-WA", "victim"), ("ZA", "harasser"), ("ZA", "harasser")],
        ),
        ("joburg here, a guy keeps harassing me", [("ZA", "victim")]),
        ("the guy is in canada. Melbourne here", [("CA", "harasser"), ("AU-VIC", "victim")]),
        ("Perth - he's on his way with a knife", [("AU-WA", "victim")]),
        (
            "auckland. my former business partner moved to the gold coast",
            [("NZ", "victim"), ("AU-QLD", "harasser")],
        ),
        ("my stalker lives in Perth", [("AU-WA", "harasser")]),
        ("I'm in Sydney's inner west", [("AU-NSW", "victim")]),
        ("perths northern suburbs, he's in the americas somewhere", [("AU-WA", "victim")]),
    ],
)
def test_roles_across_clauses(places, text, expected):
    assert [(m.place, m.role) for m in places.find(text)] == expected


@pytest.mark.parametrize("text", ["kei te mate au", "e mate au i te wehi", "za za za"])
def test_words_of_other_languages_are_not_country_codes(text):
    """ "au" is Māori for "I": only the capital-letter codes (AU, ZA) name countries."""
    assert load_knowledge().places.find(text) == []
