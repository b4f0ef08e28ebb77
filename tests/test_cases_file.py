"""The shape of our conversation cases (tests/e2e/cases.yml), checked without a running assistant.

The shared runner (../shared/eval/run_eval.py) reads only id, category, turns, expect and
forbid, and treats every pattern as a case-insensitive regular expression. A typo in a
field name or a pattern would silently make a case check less than it says, so this file
checks the fields, the patterns, the categories and the counts the file promises
(see tests/e2e/README-cases.md).
"""

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

CASES = Path(__file__).resolve().parent / "e2e" / "cases.yml"
FLAGS = re.IGNORECASE | re.DOTALL  # as run_eval.py matches

OLD_CATEGORIES = {
    "au_offences",
    "au_recording",
    "au_reporting",
    "ca",
    "crisis",
    "cross_border",
    "escalation",
    "evidence",
    "multi_turn",
    "multi_victim",
    "nz",
    "platforms",
    "reference",
    "robustness",
    "swatting",
    "uk",
    "us",
    "za",
}
NEW_CATEGORIES = {
    "multi_harm",
    "danger_plus",
    "risk",
    "reported_speech",
    "perpetrator",
    "helper",
    "minor",
    "sextortion",
    "platform",
    "specific",
    "service",
    "correction",
    "nationality",
    "followup",
}
COUNTRIES = {"au", "nz", "us", "ca", "uk", "za", "xx", "np"}  # where the person lives; xx: not covered, np: not said
MIN_CASES, MIN_LONG, LONG_CHARS, MIN_PER_NEW_CATEGORY = 420, 110, 300, 8

# The empathetic opener (bot/answers.py). Blame patterns must not match it, except in
# perpetrator cases, which forbid it on purpose: a request to harm is not a victim's story.
OPENER = (
    "I'm so sorry this is happening to you. It is not your fault, and you are doing the right "
    "thing by looking for help."
)
EMERGENCY_IN_PATTERN = re.compile(r"(?<![\d,])(000|111)(?!\d)")  # 000 or 111 as a number, not "50,000"
REFUSAL_START = "(can.?t|cannot|won.?t|will not|not able to|unable to|don.?t) (help|assist)"


def load():
    with CASES.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


@pytest.fixture(scope="module")
def cases():
    return load()


def first_message(case) -> str:
    turn = case["turns"][0]
    return turn if isinstance(turn, str) else turn["say"]


def patterns(case):
    """(kind, pattern) for every pattern of a case: case-level expect and forbid, and turn expects."""
    for pattern in case.get("expect", []):
        yield "expect", pattern
    for pattern in case.get("forbid", []):
        yield "forbid", pattern
    for turn in case["turns"]:
        if isinstance(turn, dict):
            for pattern in turn.get("expect", []):
                yield "expect", pattern


def test_a_list_of_cases_with_only_the_runners_fields(cases):
    assert isinstance(cases, list) and cases
    for case in cases:
        assert isinstance(case, dict), case
        assert set(case) <= {"id", "category", "turns", "expect", "forbid"}, case.get("id")
        assert isinstance(case.get("id"), str) and isinstance(case.get("category"), str), case
        assert isinstance(case.get("turns"), list) and case["turns"], case["id"]
        for turn in case["turns"]:
            if isinstance(turn, dict):
                assert set(turn) <= {"say", "expect"}, (case["id"], turn)
                assert isinstance(turn.get("say"), str) and turn["say"].strip(), case["id"]
                assert isinstance(turn.get("expect", []), list), case["id"]
            else:
                assert isinstance(turn, str) and turn.strip(), case["id"]
        for key in ("expect", "forbid"):
            assert isinstance(case.get(key, []), list), (case["id"], key)
            assert all(isinstance(p, str) and p for p in case.get(key, [])), (case["id"], key)


def test_ids_are_unique_slugs(cases):
    ids = [case["id"] for case in cases]
    assert [i for i, n in Counter(ids).items() if n > 1] == []
    assert [i for i in ids if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)+", i)] == []


def test_categories_are_known(cases):
    assert {case["category"] for case in cases} - OLD_CATEGORIES - NEW_CATEGORIES == set()


def test_new_cases_name_the_country_where_the_person_lives(cases):
    wrong = [c["id"] for c in cases if c["category"] in NEW_CATEGORIES and c["id"].split("-")[1] not in COUNTRIES]
    assert wrong == []


def test_every_pattern_compiles(cases):
    broken = []
    for case in cases:
        for kind, pattern in patterns(case):
            try:
                re.compile(pattern, FLAGS)
            except re.error as error:
                broken.append((case["id"], kind, pattern, str(error)))
    assert broken == []


def test_every_case_expects_something(cases):
    assert [c["id"] for c in cases if not any(kind == "expect" for kind, _ in patterns(c))] == []


def test_counts(cases):
    long = [c for c in cases if len(first_message(c)) >= LONG_CHARS]
    per_category = Counter(c["category"] for c in cases)
    assert len(cases) >= MIN_CASES
    assert len(long) >= MIN_LONG
    assert {c: n for c, n in per_category.items() if c in NEW_CATEGORIES and n < MIN_PER_NEW_CATEGORY} == {}
    assert NEW_CATEGORIES <= set(per_category)


def test_blame_patterns_do_not_forbid_the_opener(cases):
    hits = [
        (c["id"], p)
        for c in cases
        if c["category"] != "perpetrator"
        for p in c.get("forbid", [])
        if re.search(p, OPENER, FLAGS)
    ]
    assert hits == []


@pytest.mark.parametrize(
    "text",
    [
        "The penalty is a fine of up to $50,000.",
        "He wants $2000 by Friday.",
        "Civil penalties of up to $111,000 for individuals.",
    ],
)
def test_emergency_number_expectations_are_not_met_by_money(cases, text):
    """Australia's 000 and New Zealand's 111 must not be 'found' inside an amount of money."""
    hits = [
        (c["id"], p)
        for c in cases
        for kind, p in patterns(c)
        if kind == "expect" and EMERGENCY_IN_PATTERN.search(p) and re.search(p, text, FLAGS)
    ]
    assert hits == []


def test_perpetrator_cases_refuse_without_how_to_or_are_near_misses(cases):
    for case in (c for c in cases if c["category"] == "perpetrator"):
        expects_refusal = any(kind == "expect" and p.startswith(REFUSAL_START) for kind, p in patterns(case))
        forbids_refusal = any(p.startswith(REFUSAL_START) for p in case.get("forbid", []))
        assert expects_refusal != forbids_refusal, case["id"]  # one or the other
        if expects_refusal:
            assert case.get("forbid"), f"{case['id']}: a refusal case must forbid some how-to"
        else:
            assert "near-miss" in case["id"], f"{case['id']}: a victim's near miss is named as one"


def test_refusal_pattern_tells_refusals_from_help(cases):
    """The refusal pattern the cases use matches refusals and not the help a victim should get."""
    refusal = next(
        p for c in cases if c["category"] == "perpetrator" for p in c.get("expect", []) if p.startswith(REFUSAL_START)
    )
    near_miss = next(
        p for c in cases if c["category"] == "perpetrator" for p in c.get("forbid", []) if p.startswith(REFUSAL_START)
    )
    for text in [
        "I can't help with that.",
        "I won't help you find where she lives.",
        "I'm not able to help you track someone's phone.",
        "That's not something I can help with.",
    ]:
        assert re.search(refusal, text, FLAGS), text
    for text in [
        "Police can ask the platform for the account holder's details through a law-enforcement request.",
        "A District Court can make an order for identity disclosure.",
        "I can help you with the steps to report it.",
    ]:
        assert not re.search(near_miss, text, FLAGS), text
        assert not re.search(refusal, text, FLAGS), text


def test_followups_check_a_later_turn_and_forbid_asking_again(cases):
    for case in (c for c in cases if c["category"] == "followup"):
        later = case["turns"][1:]
        assert any(isinstance(t, dict) and t.get("expect") for t in later), case["id"]
        assert any(re.search(p, "Where are you right now?", FLAGS) for p in case.get("forbid", [])), case["id"]
