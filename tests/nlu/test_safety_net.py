"""The deterministic safety net, tested on its own: it must catch danger and despair in
people's own words, and must not fire on calm reports or a volunteer's reference question."""
import pytest

from bot.nlu.safety import load_safety_patterns

NET = load_safety_patterns()

DANGER = [
    "I'm in Sydney and the person threatening me online is standing outside my house right now",
    "he says he's going to come and kill me tonight and I'm really scared",
    "I live in Auckland and someone who's been harassing me is at my door",
    "he just told me he's on his way over with a weapon",
    "hes outside my house rn",
    "my ex is banging on my door and screaming",
    "someone is trying to break in",
    "he's got a knife and he's coming",
    "the guy from twitter is parked outside my house",
    "they said they're coming to my house tonight",
    "i think someone followed me home just now",
    "I'm hiding in the bathroom, he's here",
    "I fear for my life",
    "she is watching my house from across the road",
    "HE IS OUTSIDE MY HOUSE",
    "he’s on his way here",  # curly apostrophe
    "he said he will come and hurt me tonight",
]
SELF_HARM = [
    "I can't take this anymore, I want to end my life",
    "i want to die",
    "I don't want to be alive anymore",
    "thinking about killing myself",
    "im suicidal",
    "I've been self harming again",
    "there's no point in living",
    "everyone would be better off if I was dead. better off dead",
    "i cant do this anymore",
    "i'm not safe from myself right now",
    "everyone would be better off without me",
    "how many pills would it take",
    "I just want to end it all",
]
CALM = [
    "I live in Perth. Someone messaged me saying they will kill me.",
    "What's the max penalty for threatening serious harm using a carriage service?",
    "what's the penalty for a threat to kill?",
    "how should I document the harassment?",
    "I took screenshots at my house",
    "someone posted my address",
    "hello",
    "",
    "qwerty uiop",
    "what section covers encouraging someone to harm themselves? penalty?",
    "my ex posted my nudes last month",
    "can I record calls with my harasser",
]


@pytest.mark.parametrize("text", DANGER)
def test_danger_is_caught(text):
    assert NET.classify(text) == "danger"


@pytest.mark.parametrize("text", SELF_HARM)
def test_despair_is_caught(text):
    assert NET.classify(text) == "self_harm"


@pytest.mark.parametrize("text", CALM)
def test_calm_messages_pass_through(text):
    assert NET.classify(text) is None


def test_despair_wins_over_danger():
    assert NET.classify("he's outside my house and I want to kill myself") == "self_harm"


def test_huge_message_is_handled_quickly():
    assert NET.classify("blah " * 40000 + " he's outside my house") is None  # only the first 5000 chars
    assert NET.classify("he's outside my house " + "blah " * 40000) == "danger"


def test_broken_pattern_file_fails_loudly(tmp_path):
    bad = tmp_path / "patterns.yml"
    bad.write_text("danger:\n  patterns: ['(unclosed']\nself_harm:\n  patterns: ['x']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="bad pattern"):
        load_safety_patterns(str(bad))
    bad.write_text("danger:\n  patterns: []\n", encoding="utf-8")
    with pytest.raises(ValueError, match="needs at least one pattern"):
        load_safety_patterns(str(bad))
