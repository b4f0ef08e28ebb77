"""The custom graph components, run as Rasa runs them: on Message objects."""
import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.components import PlaceEntityExtractor, SafetyNet
from bot.nlu.safety import load_safety_patterns


def message(text, intent="harm_harassment", confidence=0.9):
    msg = Message(data={TEXT: text})
    msg.set(INTENT, {"name": intent, "confidence": confidence})
    msg.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return msg


@pytest.fixture(scope="module")
def extractor():
    return PlaceEntityExtractor(PlaceEntityExtractor.get_default_config())


def entities(extractor, text, **kw):
    msg = message(text, **kw)
    extractor.process([msg])
    return msg, [(e["entity"], e["value"], e["role"]) for e in msg.get(ENTITIES)]


def test_places_with_roles_fill_both_parties(extractor):
    _, found = entities(extractor, "I'm in Perth, he's in Canada")
    assert ("country", "AU", "victim") in found
    assert ("region", "AU-WA", "victim") in found
    assert ("country", "CA", "harasser") in found


def test_entity_offsets_point_at_the_words(extractor):
    msg, _ = entities(extractor, "I'm in Sydney's north and he's in the States")
    for entity in msg.get(ENTITIES):
        assert msg.get(TEXT)[entity["start"]:entity["end"]] in ("Sydney", "the States")


def test_bare_place_is_an_answer(extractor):
    msg, found = entities(extractor, "brissie", intent="greet", confidence=0.5)
    assert msg.get(INTENT)["name"] == "inform_location"
    assert ("region", "AU-QLD", "victim") in found


def test_sentence_with_a_place_keeps_its_intent(extractor):
    msg, found = entities(extractor, "I'm in Adelaide and my ex posted intimate pictures of me", intent="harm_image_abuse")
    assert msg.get(INTENT)["name"] == "harm_image_abuse"
    assert ("country", "AU", "victim") in found


def test_unknown_place_gives_no_entity(extractor):
    msg, found = entities(extractor, "I'm in Atlantis")
    assert found == []


def test_empty_and_huge_messages_do_not_crash(extractor):
    assert entities(extractor, "")[1] == []
    msg, _ = entities(extractor, "x" * 100_000)
    assert msg.get(ENTITIES) == []


def test_safety_net_overrides_a_confident_wrong_intent():
    net = SafetyNet(load_safety_patterns())
    msg = message("he's outside my house right now", intent="harm_harassment", confidence=0.99)
    net.process([msg])
    assert msg.get(INTENT) == {"name": "danger", "confidence": 1.0}
    assert msg.get(INTENT_RANKING_KEY)[0]["name"] == "danger"
    assert any(r["name"] == "harm_harassment" for r in msg.get(INTENT_RANKING_KEY))


def test_safety_net_overrides_the_fallback_intent():
    net = SafetyNet(load_safety_patterns())
    msg = message("i want to end my life", intent="nlu_fallback", confidence=0.35)
    net.process([msg])
    assert msg.get(INTENT)["name"] == "self_harm"


def test_safety_net_leaves_other_messages_alone():
    net = SafetyNet(load_safety_patterns())
    msg = message("someone posted my address", intent="harm_doxxing", confidence=0.8)
    net.process([msg])
    assert msg.get(INTENT) == {"name": "harm_doxxing", "confidence": 0.8}


@pytest.mark.parametrize("text", ["...", "?", "qwerty uiop", "🙂🙂"])
def test_a_place_guess_without_a_place_becomes_a_clarifying_question(extractor, text):
    msg, _ = entities(extractor, text, intent="inform_location", confidence=0.55)
    assert msg.get(INTENT)["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["I'm in Ireland", "not sure", "he lives overseas"])
def test_a_place_answer_we_cannot_resolve_stays_a_place_answer(extractor, text):
    msg, _ = entities(extractor, text, intent="inform_location", confidence=0.55)
    assert msg.get(INTENT)["name"] == "inform_location"


def test_an_unsure_question_naming_a_known_section_is_a_reference_question():
    from bot.nlu.components import ReferenceDetector
    detector = ReferenceDetector(ReferenceDetector.get_default_config())
    unsure = message("what's the maximum for s 346 extortion", intent="nlu_fallback", confidence=0.3)
    detector.process([unsure])
    assert unsure.get(INTENT)["name"] == "ask_reference"
    unknown = message("what about s 999.99", intent="nlu_fallback", confidence=0.3)
    detector.process([unknown])
    assert unknown.get(INTENT)["name"] == "nlu_fallback"  # not a section we know
    confident = message("my landlord is in s 12 of the lease", intent="harm_harassment", confidence=0.9)
    detector.process([confident])
    assert confident.get(INTENT)["name"] == "harm_harassment"  # the classifier was sure
