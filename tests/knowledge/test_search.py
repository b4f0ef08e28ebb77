"""Search over the knowledge base (bot/knowledge/search.py): passages for the chat assistant's
specific questions, entries for the volunteers' page and the CLI.

The facts pinned here are stable ones (section numbers, dates in force, what a service does not
do); another engineer edits knowledge/ at the same time, so the tests ask for the right passage,
not for its exact wording.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot.knowledge import KnowledgeBase, load_knowledge
from bot.knowledge.schema import Contact
from bot.knowledge.search import (
    BM25,
    K1,
    KINDS,
    B,
    Passage,
    SearchIndex,
    _stem,
    extract_section,
    section_key,
    typed_section,
    words,
)

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"


@pytest.fixture(scope="module")
def kb():
    return load_knowledge()


def first(kb, query, place=None):
    found = kb.passages(query, place=place, limit=5)
    assert found, f"nothing for {query!r}"
    return found[0][0]


def country(jurisdiction):
    return jurisdiction.split("-")[0] if jurisdiction else None


# -- the lead's acceptance examples ------------------------------------------------------------


def test_us_mexico_mlat_is_the_line_in_the_us_cross_border_entry(kb):
    passage = first(kb, "Is there a US-Mexico MLAT?")
    assert passage.kind == "route" and passage.entry_id == "us-harasser-here"
    assert "Mexico" in passage.text and "MLAT" in passage.text and "3 May 1991" in passage.text


@pytest.mark.parametrize(
    "question", ["When did the FBI open its Wellington office?", "does the FBI have an office in New Zealand?"]
)
def test_fbi_wellington_office_with_its_date(kb, question):
    passage = first(kb, question)
    assert "Wellington" in passage.text and "31 July 2025" in passage.text
    assert country(passage.jurisdiction) in (None, "NZ")


def test_south_africa_cybercrimes_act_takedown_not_commenced(kb):
    passage = first(kb, "Is South Africa's Cybercrimes Act takedown order in force?")
    assert passage.jurisdiction == "ZA" and passage.kind == "offence"
    assert re.search(r"takedown order", passage.text)
    assert re.search(r"NOT in operation|not been commenced|not (yet )?in force", passage.text)
    assert not passage.text.startswith("**Fastest lever")  # the note itself, not the long route paragraph


def test_aggravated_doxxing_maximum_penalty(kb):
    passage = first(kb, "How long can someone get for aggravated doxxing?")
    assert passage.entry_id == "au-cth-474-17d"
    assert passage.title.startswith("s 474.17D") and "Maximum penalty: 7 years" in passage.text


def test_budapest_convention_in_force_for_new_zealand(kb):
    passage = first(kb, "when did the Budapest Convention come into force for New Zealand?")
    assert "1 December 2025" in passage.text and "New Zealand" in passage.text
    assert country(passage.jurisdiction) in (None, "NZ")


# -- a dozen more, in volunteers' and victims' words -------------------------------------------

QUESTIONS = [
    # (question, entry id of the right passage, a pattern its text must have)
    ("what's the max penalty for doxxing under s 474.17C?", "au-cth-474-17c", r"Maximum penalty: 6 years"),
    ("474.17A commencement date?", "au-cth-474-17a", r"3 September 2024"),
    ("when was the max for s 474.17 bumped up, and to what", "au-cth-474-17", r"5 years.*January 2022"),
    ("s 474.15 max sentence for a threat to kill?", "au-cth-474-15", r"Threat to kill: 10 years"),
    ("penalty for uttering threats in canada", "ca-cc-264-1", r"Uttering threats"),
    ("which section of the canadian criminal code is uttering threats", "ca-cc-264-1", r"264\.1"),
    ("someone made a deepfake porn of me, what's the law in australia", "au-cth-474-17a", r"474\.17A"),
    ("my ex shared my nudes, is that illegal in NZ", "nz-hdca-s22a", r"22A"),
    ("can eSafety prosecute the person?", "au-esafety", r"NOT a criminal prosecutor|does not prosecute"),
    ("does IC3 investigate complaints itself or just pass them on", "us-ic3", r"does not investigate"),
    ("can I record calls in WA", "au-rec-wa", r"all-party consent"),
    ("is it legal to record a phone call in Victoria", None, r"One-party|one-party"),
    ("what's the emergency number in new zealand", "nz-111", r"\b111\b"),
    ("what is the suicide line in south africa", "za-sadag-suicide-crisis", r"0800 567 567"),
    ("is there a text number for netsafe", "nz-netsafe", r"4282"),
    ("who can I talk to if I feel suicidal in the UK", "uk-samaritans", r"116 123"),
    ("can I contact interpol myself", None, r"cannot contact INTERPOL yourself"),
    ("does the FBI have a legal attache in South Africa", "za-harasser-here", r"Pretoria"),
    ("is doxxing a crime in australia", "au-cth-474-17c", r"474\.17C"),
]


@pytest.mark.parametrize("question,entry_id,pattern", QUESTIONS, ids=[q[0] for q in QUESTIONS])
def test_questions_get_the_right_passage_first(kb, question, entry_id, pattern):
    passage = first(kb, question)
    if entry_id:
        assert passage.entry_id == entry_id, passage
    assert re.search(pattern, passage.text), passage.text


def test_a_victoria_recording_question_gets_victoria_not_the_all_party_states(kb):
    passage = first(kb, "is it legal to record a phone call in Victoria")
    assert "Victoria" in passage.text and not passage.text.startswith("All-party")


def test_the_reference_cases_of_the_conversation_tests(kb):
    """The volunteers' reference questions in tests/e2e/cases.yml: the first passage already holds
    what the conversation test expects of the whole answer."""
    cases = [
        c
        for c in yaml.safe_load((ROOT / "tests/e2e/cases.yml").read_text(encoding="utf-8"))
        if c.get("category") == "reference"
    ]
    assert len(cases) >= 20
    everything = " ".join(d.passage.text for d in kb.search_index.docs)
    missed, checked = [], 0
    for case in cases:
        turn = case["turns"][0]
        question = turn if isinstance(turn, str) else turn["say"]
        if not all(re.search(e, everything, re.I) for e in case["expect"]):
            continue  # the case expects a fact the knowledge base no longer states: a stale case, not ranking
        checked += 1
        text = first(kb, question).text
        if not all(re.search(e, text, re.I) for e in case["expect"]):
            missed.append((question, text[:120]))
    assert checked >= 20 and not missed, missed


# -- a place named in the question restricts; the person's place prefers -------------------------


@pytest.mark.parametrize(
    "code,name",
    [
        ("AU", "Australia"),
        ("NZ", "New Zealand"),
        ("US", "the States"),
        ("UK", "the UK"),
        ("CA", "Canada"),
        ("ZA", "South Africa"),
    ],
)
def test_a_penalty_question_naming_a_country_never_gets_another_countrys_section(kb, code, name):
    for question in (
        f"what's the penalty for threats in {name}",
        f"max sentence for harassment in {name}",
        f"{name}: how long can you get for stalking",
    ):
        found = kb.passages(question, limit=8)
        assert found, question
        assert {country(p.jurisdiction) for p, _ in found} <= {code, None}, (question, found)
        assert found[0][0].jurisdiction and country(found[0][0].jurisdiction) == code, (question, found[0])


def test_naming_a_state_keeps_other_states_rules_out(kb):
    found = kb.passages("recording in WA", limit=10)
    regions = {p.jurisdiction for p, _ in found if p.kind == "recording"}
    assert regions == {"AU-WA"}


def test_the_persons_own_place_is_a_softer_preference(kb):
    anywhere = [p for p, _ in kb.passages("penalty for threats", limit=8)]
    in_canada = [p for p, _ in kb.passages("penalty for threats", place="CA", limit=8)]
    assert country(in_canada[0].jurisdiction) == "CA"
    assert len({country(p.jurisdiction) for p in in_canada}) > 1  # others still there, after
    assert [p.entry_id for p in anywhere] != [p.entry_id for p in in_canada]


# -- sections --------------------------------------------------------------------------------


def test_474_17c_comes_first_for_its_own_section(kb):
    assert first(kb, "474.17C").entry_id == "au-cth-474-17c"
    results = kb.search("474.17C")
    assert [r.item.id for r in results] == ["au-cth-474-17c"]
    entries = kb.search_index.entries("474.17C")
    assert entries[0].entry.id == "au-cth-474-17c"
    assert len(entries) > 1  # what else names it (s 474.17D, the doxxing topic) comes after
    assert entries[0].score > 10 * entries[1].score


@pytest.mark.parametrize(
    "query,entry_id",
    [
        ("s 264", "ca-cc-264"),
        ("s 264.1", "ca-cc-264-1"),
        ("2261A", "us-18usc-2261a"),
        ("s474.17a", "au-cth-474-17a"),
        ("18 U.S.C. § 2261A", "us-18usc-2261a"),
        ("section 22A", "nz-hdca-s22a"),
    ],
)
def test_sections_as_people_write_them(kb, query, entry_id):
    assert kb.search_index.entries(query)[0].entry.id == entry_id
    assert first(kb, query).entry_id == entry_id


def test_a_half_typed_section_brings_up_the_sections_it_starts(kb):
    top = [h.entry for h in kb.search_index.entries("474.1", limit=5)]
    assert all(section_key(o.section).startswith("474.1") for o in top), [o.section for o in top]
    assert typed_section("474.1") == "474.1" and typed_section("threat to kill") is None


def test_section_extraction():
    assert extract_section("penalty for s 474.17C?") == "474.17c"
    assert extract_section("18 USC 2261A penalty") == "2261a"
    assert extract_section("what's 264.1 in the Canadian criminal code") == "264.1"
    assert extract_section("someone posted my address 3 times") is None
    assert section_key("18 U.S.C. § 875(c)") == "875"


# -- place names bring up that place's contacts ---------------------------------------------------


@pytest.mark.parametrize(
    "place,code,emergency",
    [
        ("Joburg", "ZA", "10111"),
        ("the States", "US", "911"),
        ("WA", "AU", "000"),
        ("Perth", "AU", "000"),
        ("Wellington", "NZ", "111"),
        ("contacts in Toronto", "CA", "911"),
    ],
)
def test_a_place_name_brings_up_that_places_contacts_emergency_first(kb, place, code, emergency):
    hits = kb.search_index.entries(place, limit=30)
    contacts = [h for h in hits if h.kind == "contact"]
    assert contacts and hits[0].kind == "contact"
    assert {country(p.jurisdiction) for h in hits for p, _ in h.passages} == {code}  # only that place's facts
    assert contacts[0].entry.kind == "emergency" and contacts[0].entry.phone == emergency
    jurisdiction = kb.jurisdiction(code)
    region = kb.places.resolve(place) if "-" in kb.places.resolve(place) else None
    expected = {
        c.id
        for c in jurisdiction.contacts  # the whole country's, and the state's own
        if not getattr(c, "regions", None) or region in c.regions or region is None
    }
    assert {h.entry.id for h in contacts} == expected
    old = kb.search(place, limit=5)  # the CLI's search: the same contacts first
    shown = min(5, len(jurisdiction.contacts))
    assert [r.item.id for r in old[:shown]] == [h.entry.id for h in contacts[:shown]]
    assert all(isinstance(r.item, Contact) and r.jurisdiction == code for r in old[:shown])


def test_wa_brings_up_its_own_recording_rule_and_no_other_states(kb):
    hits = kb.search_index.entries("WA", limit=40)
    rules = [h.entry.id for h in hits if h.kind == "recording"]
    assert rules == ["au-rec-wa"]


# -- words ------------------------------------------------------------------------------------


@pytest.mark.parametrize("query,entry_id", [("threat to kill", "au-cth-474-15"), ("deepfake", "au-cth-474-17a")])
def test_words_find_the_offence(kb, query, entry_id):
    top = kb.search_index.entries(query, limit=5)
    assert top[0].kind == "offence" and top[0].entry.id == entry_id


def test_doxxing_finds_the_doxxing_offence_among_the_first(kb):
    top = [h.entry.id for h in kb.search_index.entries("doxxing", limit=3)]
    assert "au-cth-474-17c" in top


def test_recording_finds_the_state_rules(kb):
    kinds = [h.kind for h in kb.search_index.entries("recording", limit=12)]
    assert kinds.count("recording") >= 4


def test_unknown_and_odd_queries_find_nothing_or_something_but_never_crash(kb):
    assert kb.passages("zzzz qqqq") == []
    assert kb.search("zzzz qqqq") == []
    assert kb.passages("") == [] and kb.passages("   ") == [] and kb.passages(None) == []
    for odd in ["<script>alert(1)</script>", "a" * 10_000, "💥🔥", "s", "....", "%00", "'; DROP TABLE x"]:
        assert isinstance(kb.passages(odd), list)
        assert isinstance(kb.search(odd), list)
    assert kb.passages("474.17C", limit=0) == []


# -- the Passage API ----------------------------------------------------------------------------


def test_passages_are_single_facts_with_sources_and_dates(kb):
    found = kb.passages("threats", limit=50)
    assert len(found) == 50
    scores = [s for _, s in found]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0
    for passage, _ in found:
        assert isinstance(passage, Passage)
        assert passage.kind in KINDS and passage.text and passage.title and passage.entry_id
        assert isinstance(passage.sources, tuple) and passage.sources
        assert all(u.startswith("https://") for u in passage.sources)
        assert isinstance(passage.last_reviewed, dt.date)
        assert passage.jurisdiction is None or re.match(r"^[A-Z]{2}(-[A-Z]{2,3})?$", passage.jurisdiction)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found[0][0].text = "changed"  # frozen


def test_every_fact_is_a_passage(kb):
    """Each topic point; each offence's head, commencement and notes; each contact's head and each
    does / does-not line; each cross-border line; each abroad step; each recording rule."""
    texts = {p.passage.text for p in kb.search_index.docs}
    for topic in kb.topics.values():
        for point in topic.points:
            assert any(point.text in t for t in texts), point.text
    for jurisdiction in kb.covered():
        for offence in jurisdiction.offences:
            assert any(t.startswith(f"**{offence.section} {offence.law}**") and offence.max_penalty in t for t in texts)
            if offence.commenced:
                assert f"In force: {offence.commenced}" in texts
            assert all(note in texts for note in offence.notes)
        for contact in jurisdiction.contacts:
            assert any(t.startswith(f"**{contact.name}**") for t in texts)
            assert all(f"Does: {d}" in texts for d in contact.does)
            assert all(f"Does not: {d}" in texts for d in contact.does_not)
        route = jurisdiction.harasser_here
        if route:
            assert all(c in texts for c in route.channels)
            assert any(route.honest_truth in t for t in texts) and any(route.fastest_lever in t for t in texts)
        if jurisdiction.victim_here_harasser_abroad:
            assert all(s in texts for s in jurisdiction.victim_here_harasser_abroad.steps)
        for region in jurisdiction.regions:
            if region.recording:
                assert any(region.name in t and region.recording.detail in t for t in texts)


def test_passage_jurisdictions(kb):
    docs = kb.search_index.docs
    vic = [d.passage for d in docs if d.passage.entry_id == "au-rec-vic"]
    assert vic and vic[0].jurisdiction == "AU-VIC" and vic[0].kind == "recording"
    budapest = [d.passage for d in docs if d.passage.entry_id == "budapest"]
    assert budapest and all(p.jurisdiction is None for p in budapest)
    offence = next(d.passage for d in docs if d.passage.entry_id == "au-cth-474-17d")
    assert offence.jurisdiction == "AU" and offence.title == "s 474.17D Criminal Code Act 1995 (Cth)"


# -- built from the data, generically ------------------------------------------------------------


@pytest.fixture
def kdir(tmp_path):
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


def test_a_new_contact_and_topic_are_searchable_without_code(kdir):
    path = kdir / "jurisdictions" / "nz.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["contacts"].append(
        {
            "id": "nz-test-youthline",
            "name": "Testline for young people",
            "kind": "support",
            "phone": "0800 000 000",
            "when": "You are young and something online is worrying you.",
            "does": ["Listens, any time, zephyrine."],
            "sources": ["https://example.org/testline"],
            "last_reviewed": "2026-11-30",
        }
    )
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    topics = kdir / "topics" / "platforms.yml"
    data = yaml.safe_load(topics.read_text(encoding="utf-8"))
    data["topics"].append(
        {
            "id": "test-quillfeather",
            "title": "Reporting on Quillfeather",
            "summary": "How to report on Quillfeather.",
            "sources": ["https://example.org/quillfeather"],
            "last_reviewed": "2026-11-30",
            "points": [{"text": "Use the flag under each post to report it to Quillfeather."}],
        }
    )
    topics.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")
    kb = KnowledgeBase(kdir)
    assert first(kb, "zephyrine").entry_id == "nz-test-youthline"
    assert first(kb, "how do I report on quillfeather").entry_id == "test-quillfeather"
    assert kb.search_index.entries("Wellington", limit=40)  # the new NZ contact is listed for the place
    assert "nz-test-youthline" in {h.entry.id for h in kb.search_index.entries("Wellington", limit=40)}


def test_a_field_added_to_the_schema_later_becomes_passages(kb):
    """A field this module has never heard of (say `hours` on contacts) is searched and shown."""

    class ContactWithHours(Contact):
        hours: str = ""
        languages: list = []

    lifeline = next(c for c in kb.jurisdiction("AU").contacts if c.id == "au-lifeline")
    richer = ContactWithHours(
        **lifeline.dict(), hours="Around the clock, quokkatime included.", languages=["Interpreters in marsupialese"]
    )
    fresh = KnowledgeBase(KNOWLEDGE)
    contacts = fresh.jurisdictions["AU"].contacts
    contacts[[c.id for c in contacts].index("au-lifeline")] = richer
    index = SearchIndex(fresh)
    assert index.passages("quokkatime")[0][0].text == "Hours: Around the clock, quokkatime included."
    assert index.passages("marsupialese")[0][0].text == "Languages: Interpreters in marsupialese"


# -- words and BM25 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "a,b",
    [
        ("offence", "offences"),
        ("image", "images"),
        ("threatened", "threatening"),
        ("commenced", "commencement"),
        ("harassment", "harassed"),
        ("doxing", "doxxed"),
        ("deepfake", "deepfakes"),
        ("recording", "records"),
        ("penalty", "penalties"),
        ("attaché", "attache"),
        ("parties", "party"),
    ],
)
def test_stemming_joins(a, b):
    assert words(a) == words(b)


@pytest.mark.parametrize(
    "a,b",
    [
        ("officer", "office"),
        ("states", "statement"),
        ("emergency", "non-emergency"),
        ("US", "us"),
        ("element", "elements x"),
    ],
)
def test_stemming_keeps_apart(a, b):
    assert words(a) != words(b)


def test_us_as_written():
    assert words("U.S. law") == words("US law") == words("USA law") == ["usa", "law"]
    assert words("help us") == ["help"]
    assert words("18 U.S.C. § 875(c)") == ["18", "usc", "875", "c"]
    assert _stem("123") == "123"


def test_bm25_scores_match_the_bm25s_library(kb):
    """Our BM25 is Lucene's formula; bm25s (a test-only dependency) computes the same scores."""
    bm25s = pytest.importorskip("bm25s")
    corpus = kb.search_index.tokens
    ours = BM25(corpus)
    theirs = bm25s.BM25(k1=K1, b=B, method="lucene")
    theirs.index(corpus, show_progress=False)
    for query in (
        ["threat", "kill"],
        words("aggravated doxxing penalty"),
        words("Budapest Convention force"),
        ["mlat", "mexico"],
        ["zzzz"],
        words("eSafety prosecute"),
    ):
        expected = theirs.get_scores(query) if any(w in theirs.vocab_dict for w in query) else None
        got = ours.scores(query)
        if expected is None:
            assert got == {}
            continue
        assert {i for i, v in enumerate(expected) if v > 0} == set(got)
        for i, value in got.items():
            assert value == pytest.approx(float(expected[i]), rel=1e-4), (query, i)
