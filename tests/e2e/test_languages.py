"""Danger and despair in other languages, end to end over REST: a message in language X, first
disclosing danger, then despair, gets in that same reply the local emergency and crisis
numbers (every covered country's while the place is unknown) and the sentence in language X
from knowledge/languages.yml.

The net (bot/nlu/languages.py) is unit-tested in tests/nlu/test_languages.py and runs in the
pipeline's SafetyNet component (bot/nlu/components.py)."""

import uuid

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.loader import load_languages_file
from bot.nlu.languages import load_languages

KB = load_knowledge()
SENTENCES = load_languages_file(KB.root)
LANGUAGES = load_languages()


def every_number(kinds):
    return [c.phone for j in KB.covered() for c in j.contacts if c.kind in kinds and c.phone]


def reply_text(messages):
    return "\n".join(m.get("text") or "" for m in messages or [])


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_danger_then_despair_in_that_language(assistant, code):
    lang, entry = LANGUAGES[code], SENTENCES.entry(code)
    sender = f"lang-{code}-{uuid.uuid4().hex[:8]}"

    status, messages = assistant.post(sender, lang.examples["danger"][0])
    text = reply_text(messages)
    assert status == 200
    for number in every_number(("emergency",)):  # place unknown: every covered country's
        assert number in text, (code, number)
    assert entry.emergency in text

    status, messages = assistant.post(sender, lang.examples["self_harm"][0])
    text = reply_text(messages)
    assert status == 200
    for number in every_number(("crisis",)):
        assert number in text, (code, number)
    assert entry.emergency in text and entry.english_only in text


@pytest.mark.parametrize(
    "code, place, numbers",
    [
        ("pt", "UK", ["999", "116 123"]),
        ("ar", "AU", ["000", "131 450"]),
        ("sm", "NZ", ["111", "1737"]),
        ("zu", "ZA", ["10111", "0800 567 567"]),
    ],
)
def test_once_the_place_is_known_its_numbers_come_first(assistant, code, place, numbers):
    sender = f"lang-{code}-{uuid.uuid4().hex[:8]}"
    assistant.post(sender, f"I am in {KB.jurisdictions[place].name}")
    _, messages = assistant.post(sender, LANGUAGES[code].examples["danger"][0])
    text = reply_text(messages)
    for number in numbers:
        assert number in text
    assert SENTENCES.entry(code).emergency in text
