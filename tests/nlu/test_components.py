"""The custom graph components, run as Rasa runs them: on Message objects."""

import numpy as np
import pytest
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.components import ReferenceDetector, SafetyNet
from bot.nlu.cues import CueExtractor, service_aliases
from bot.nlu.place_extractor import PlaceEntityExtractor
from bot.nlu.safety import load_safety_patterns
from bot.nlu.situation import SituationReader, harms_of, training_sets


def message(text, intent="describe_harm", confidence=0.9):
    msg = Message(data={TEXT: text})
    msg.set(INTENT, {"name": intent, "confidence": confidence})
    msg.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return msg


def found(msg, *names):
    return [
        (e["entity"], e["value"], e.get("role")) for e in msg.get(ENTITIES) or [] if not names or e["entity"] in names
    ]


# -- places -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def places():
    return PlaceEntityExtractor(PlaceEntityExtractor.get_default_config())


def test_the_place_extractor_builds_its_world_at_start_up_not_on_the_first_message():
    created = PlaceEntityExtractor.create(PlaceEntityExtractor.get_default_config(), None, None, None)
    assert "world" in created.__dict__ and "lagos" in created.world.names


def read_places(extractor, text, **kw):
    msg = message(text, **kw)
    extractor.process([msg])
    return msg, found(msg, "country", "region")


def test_places_with_roles_fill_both_parties(places):
    _, got = read_places(places, "I'm in Perth, he's in Canada")
    assert ("country", "AU", "victim") in got and ("region", "AU-WA", "victim") in got
    assert ("country", "CA", "harasser") in got


def test_entity_offsets_point_at_the_words(places):
    msg, _ = read_places(places, "I'm in Sydney's north and he's in the States")
    for entity in msg.get(ENTITIES):
        assert msg.get(TEXT)[entity["start"] : entity["end"]] in ("Sydney", "the States")


def test_bare_place_is_an_answer(places):
    msg, got = read_places(places, "brissie", intent="greet", confidence=0.5)
    assert msg.get(INTENT)["name"] == "inform_location" and ("region", "AU-QLD", "victim") in got


def test_sentence_with_a_place_keeps_its_intent(places):
    msg, got = read_places(places, "I'm in Adelaide and my ex posted intimate pictures of me")
    assert msg.get(INTENT)["name"] == "describe_harm" and ("country", "AU", "victim") in got


@pytest.mark.parametrize(
    "text,wanted,unwanted",
    [
        ("I'm in Sydney, sorry, I meant Auckland", "NZ", "AU"),
        ("sorry i meant auckland", "NZ", None),
        ("not Perth, Darwin", "AU-NT", "AU-WA"),
    ],
)
def test_a_correction_wins(places, text, wanted, unwanted):
    _, got = read_places(places, text)
    values = {value for _, value, _ in got}
    assert wanted in values and (unwanted is None or unwanted not in values)


def test_nationality_is_not_residence(places):
    _, got = read_places(places, "I'm a British citizen living in Hong Kong and someone is threatening me")
    assert ("country", "UK", "victim") not in got
    assert ("country", "unknown", "victim") in got  # Hong Kong: a place we don't cover, said honestly


@pytest.mark.parametrize(
    "text,role,answer",
    [
        ("ireland", "victim", True),  # answering "where are you?"
        ("not sure, maybe nigeria", "victim", True),  # answering "which country are they in?" (the form maps it)
        ("jordan", "victim", True),  # a first name too, but the whole message is the place
        ("I'm in Perth and he's in Nigeria", "harasser", False),
        ("my ex moved to the Philippines and keeps posting about me", "harasser", False),
        ("someone in india is blackmailing me", "harasser", False),
        # cities of countries we don't cover (CLDR's time-zone cities)
        ("good day. i am in lagos, nigeria. a man in london is threatening me", "victim", False),
        ("dublin. the guy who's been harassing me is outside right now", "victim", False),
        ("Hi, I live in Dublin. A guy in the US posted videos of me. Anything on the American side?", "victim", False),
        ("Hello po. I'm in Manila. An Australian man who lives in Sydney is posting my photos", "victim", False),
        ("I'm Canadian, studying in Dublin for the year, and a guy keeps turning up", "victim", False),
    ],
)
def test_a_country_we_do_not_cover_is_read_as_unknown(places, text, role, answer):
    msg, got = read_places(places, text, intent="greet", confidence=0.5)
    assert ("country", "unknown", role) in got
    assert not any(r == role and v != "unknown" for e, v, r in got if e == "country"), got
    assert (msg.get(INTENT)["name"] == "inform_location") is answer


@pytest.mark.parametrize(
    "text",
    [
        "Chad keeps texting me",
        "I love turkey sandwiches",
        "to be honest",
        "I got a message from Sofia last night",  # a city that is also a first name
        "he posted a photo of me wearing my jersey",
    ],
)
def test_country_names_that_are_everyday_words_stay_words(places, text):
    assert read_places(places, text)[1] == []


@pytest.mark.parametrize(
    "text", ["I'm in New Zealand and he's in Canada", "I'm in Eucla", "i live in Broken Hill", "I'm in Sydney's north"]
)
def test_a_covered_place_is_never_also_unknown(places, text):
    _, got = read_places(places, text)
    assert ("country", "unknown", "victim") not in got and ("country", "unknown", "harasser") not in got


@pytest.mark.parametrize("text", ["I'm in Year 9 and kids keep bullying me", "I live in fear of him"])
def test_words_that_are_not_places_stay_unplaced(places, text):
    assert read_places(places, text)[1] == []


def test_empty_and_huge_messages_do_not_crash(places):
    assert read_places(places, "")[1] == []
    assert read_places(places, "x" * 100_000)[1] == []


@pytest.mark.parametrize("text", ["...", "?", "qwerty uiop", "🙂🙂"])
def test_a_place_guess_without_a_place_becomes_a_clarifying_question(places, text):
    msg, _ = read_places(places, text, intent="inform_location", confidence=0.55)
    assert msg.get(INTENT)["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["I'm in Ireland", "not sure", "he lives overseas"])
def test_a_place_answer_we_cannot_resolve_stays_a_place_answer(places, text):
    msg, _ = read_places(places, text, intent="inform_location", confidence=0.55)
    assert msg.get(INTENT)["name"] == "inform_location"


# -- cues: platforms, services, who is asking, a child ------------------------------------------


@pytest.fixture(scope="module")
def cues():
    return CueExtractor(CueExtractor.get_default_config())


@pytest.mark.parametrize(
    "text,expected",
    [
        ("someone on insta keeps messaging me", ("platform", "instagram")),
        ("they posted it on the gram and on twitter", ("platform", "x")),
        ("can eSafety take it down?", ("service", "au-esafety")),
        ("does Netsafe help if he is overseas", ("service", "nz-netsafe")),
        ("I'm a volunteer on a helpline and a caller says", ("asker", "volunteer")),
        ("volunteer question: i help on a peer support chat in the US", ("asker", "volunteer")),
        ("my daughter is being bullied on snapchat", ("asker", "helper")),
        ("I'm her teacher and I'm worried", ("asker", "helper")),
        ("I teach grade 9 in Ottawa. A student told me today that someone", ("asker", "helper")),
        ("I'm a tutor at an adult education college. One of my learners showed me", ("asker", "helper")),
        ("im 15 and someone has my pics", ("minor", "yes")),
        ("my son is being harassed", ("minor", "yes")),
        ("kids at school made a page about me", ("minor", "yes")),
    ],
)
def test_cues_are_read(cues, text, expected):
    assert expected in [(e["entity"], e["value"]) for e in cues.read(text)]


@pytest.mark.parametrize(
    "text", ["he's 15 minutes away", "I'm 34 and my ex posted my address", "someone is harassing me on a forum"]
)
def test_no_child_where_there_is_none(cues, text):
    assert "minor" not in [e["entity"] for e in cues.read(text)]


def test_service_names_as_people_write_them():
    assert "esafety" in service_aliases("eSafety Commissioner")
    assert "e-safety" in service_aliases("eSafety Commissioner")
    assert "ic3" in service_aliases("FBI Internet Crime Complaint Center (IC3)")
    assert "wired safety" in service_aliases("WiredSafety")


# -- the trained reader ------------------------------------------------------------------------


def example(text, intent, harms=None):
    msg = Message.build(text, intent, example_metadata={"harms": harms} if harms is not None else None)
    return msg


def test_harm_labels_come_from_example_or_intent_metadata():
    assert harms_of(example("x", "describe_harm", ["doxxing"])) == ["doxxing"]
    assert harms_of(Message.build("x", "describe_harm", intent_metadata={"harms": ["threats"]})) == ["threats"]
    assert harms_of(example("x", "describe_harm", ["doxxing_hate"])) == ["doxxing", "hate"]
    assert harms_of(example("hello", "greet")) is None


def test_training_sets_use_only_labelled_or_harm_free_examples():
    harms, asks = training_sets(
        [
            example("my ex posted my address", "describe_harm", ["doxxing"]),
            example("hello", "greet"),
            example("how do I report this?", "ask_report"),
        ],
        harm_free=["greet"],
    )
    assert ("my ex posted my address", ["doxxing"]) in harms and ("hello", []) in harms
    assert all(text != "how do I report this?" for text, _ in harms)  # a question may mention a harm
    assert ("how do I report this?", "ask_report") in asks and ("hello", "none") in asks


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    storage = LocalModelStorage(tmp_path_factory.mktemp("storage"))
    resource = Resource("situation")
    component = SituationReader.create(SituationReader.get_default_config(), storage, resource, None)
    data = []
    for i in range(12):
        data += [
            example(f"someone posted my home address online {i}", "describe_harm", ["doxxing"]),
            example(f"my address and phone number are on a forum {i}", "describe_harm", ["doxxing"]),
            example(f"he shared my nudes without consent {i}", "describe_harm", ["image_abuse"]),
            example(f"my intimate video was posted {i}", "describe_harm", ["image_abuse"]),
            example(f"hello there {i}", "greet"),
            example(f"thanks a lot {i}", "thank"),
            example(f"how do I keep evidence {i}", "ask_evidence"),
            example(f"where do I report it {i}", "ask_report"),
        ]
    component.train(TrainingData(data))
    return SituationReader.load(SituationReader.get_default_config(), storage, resource, None)


def test_every_harm_in_a_long_message_is_read_with_where_it_was_said(reader):
    text = "It has been awful. He shared my nudes without consent. Then my home address was posted online."
    msg = message(text, intent="greet", confidence=0.4)
    reader.process([msg])
    harms = {e["value"]: text[e["start"] : e["end"]] for e in msg.get(ENTITIES) if e["entity"] == "harm"}
    assert set(harms) == {"image_abuse", "doxxing"}
    assert "nudes" in harms["image_abuse"] and "address" in harms["doxxing"]
    assert msg.get(INTENT)["name"] == "describe_harm"  # substance is never answered with "hello"


def test_each_question_in_a_message_is_read(reader):
    msg = message("where do I report it? and how do I keep evidence", intent="ask_report")
    reader.process([msg])
    assert {e["value"] for e in msg.get(ENTITIES) if e["entity"] == "ask"} == {"ask_report", "ask_evidence"}


def test_small_talk_stays_small_talk(reader):
    msg = message("hello there", intent="greet")
    reader.process([msg])
    assert msg.get(INTENT)["name"] == "greet" and not found(msg, "harm")


def test_stacked_harm_scores_are_each_models_own_probabilities(reader):
    model = reader.model
    pieces = model.pieces("he shared my nudes. then my address was posted online. hello there")
    x = model._features(p.text for p in pieces)
    stacked = model.harm_scores(x)
    assert stacked.shape == (len(pieces), len(model.harm_models)) == (4, 2)
    for column, one in enumerate(model.harm_models.values()):
        assert np.allclose(stacked[:, column], one.predict_proba(x)[:, 1], atol=1e-12)


def test_best_guess_is_the_likeliest_harm_below_threshold(reader):
    model = reader.model
    reading = model.read("it was posted", best_guess=True)
    x = model._features(p.text for p in model.pieces("it was posted"))
    scores = model.harm_scores(x)
    assert reading.best is not None and reading.best.score == pytest.approx(scores.max())
    assert reading.best.label == list(model.harm_models)[int(scores.argmax()) % scores.shape[1]]
    assert model.read("it was posted").best is None  # only when asked for


def test_an_untrained_reader_adds_nothing(tmp_path):
    storage = LocalModelStorage(tmp_path)
    empty = SituationReader.load(SituationReader.get_default_config(), storage, Resource("nothing"), None)
    msg = message("someone posted my address")
    empty.process([msg])
    assert found(msg) == []


# -- the safety net, as a component ------------------------------------------------------------

NET = SafetyNet(load_safety_patterns())


def test_safety_net_overrides_a_confident_wrong_intent():
    msg = message("he's outside my house right now", intent="describe_harm", confidence=0.99)
    NET.process([msg])
    assert msg.get(INTENT) == {"name": "danger", "confidence": 1.0}
    assert any(r["name"] == "describe_harm" for r in msg.get(INTENT_RANKING_KEY))
    assert ("danger", "immediate", None) in found(msg, "danger")


def test_safety_net_overrides_the_fallback_intent():
    msg = message("i want to end my life", intent="nlu_fallback", confidence=0.35)
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "self_harm"


def test_reported_speech_adds_the_harm_it_is():
    msg = message("comments keep saying kys", intent="describe_harm")
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "told_to_self_harm"
    assert ("harm", "incitement_self_harm", None) in found(msg, "harm")


def test_a_risk_is_an_entity_and_the_intent_stays():
    msg = message("yesterday he was outside my work", intent="describe_harm")
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "describe_harm" and ("danger", "risk", None) in found(msg, "danger")


def test_a_classifier_guess_of_danger_on_a_long_calm_story_becomes_a_risk_and_an_answer():
    text = (
        "Since I left him my ex has been putting our private videos on a porn site with my full name. "
        "He's back in Florida now."
    )
    msg = message(text, intent="danger", confidence=0.91)
    msg.set(ENTITIES, [{"entity": "harm", "value": "image_abuse", "start": 0, "end": 10}])
    msg.set(INTENT_RANKING_KEY, [{"name": "danger", "confidence": 0.91}, {"name": "describe_harm", "confidence": 0.09}])
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "describe_harm" and ("danger", "risk", None) in found(msg, "danger")


def test_a_confident_short_guess_of_danger_stands():
    msg = message("he found me", intent="danger", confidence=0.95)
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "danger"


def test_safety_net_leaves_other_messages_alone():
    msg = message("someone posted my address", intent="describe_harm", confidence=0.8)
    NET.process([msg])
    assert msg.get(INTENT) == {"name": "describe_harm", "confidence": 0.8}


# -- reference questions -----------------------------------------------------------------------


def test_an_unsure_question_naming_a_known_section_is_a_reference_question():
    detector = ReferenceDetector(ReferenceDetector.get_default_config())
    unsure = message("what's the maximum for s 346 extortion", intent="nlu_fallback", confidence=0.3)
    detector.process([unsure])
    assert unsure.get(INTENT)["name"] == "ask_reference"
    unknown = message("what about s 999.99", intent="nlu_fallback", confidence=0.3)
    detector.process([unknown])
    assert unknown.get(INTENT)["name"] == "nlu_fallback"  # not a section we know
    confident = message("my landlord is in s 12 of the lease", intent="describe_harm", confidence=0.9)
    detector.process([confident])
    assert confident.get(INTENT)["name"] == "describe_harm"  # the classifier was sure


# -- other languages --------------------------------------------------------------------------


def test_danger_in_another_language_gets_the_danger_intent_and_the_language():
    from bot.nlu.languages import LanguageNet

    net = SafetyNet(load_safety_patterns(), LanguageNet())
    msg = message("ele está na minha porta agora e estou com medo", intent="nlu_fallback", confidence=0.2)
    net.process([msg])
    assert msg.get(INTENT)["name"] == "danger"
    assert ("language", "pt", None) in found(msg, "language")


def test_an_ordinary_message_in_another_language_is_answered_in_it():
    from bot.nlu.languages import LanguageNet

    net = SafetyNet(load_safety_patterns(), LanguageNet())
    msg = message("mi ex pareja publica mis fotos en redes sociales y no sé qué hacer", intent="nlu_fallback")
    net.process([msg])
    assert msg.get(INTENT)["name"] == "other_language" and ("language", "es", None) in found(msg, "language")
    english = message("i'm in sydney and the police dont care", intent="describe_harm")
    net.process([english])
    assert not found(english, "language")


def test_the_english_word_list_matches_the_training_data():
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).resolve().parents[2] / "scripts" / "english_words.py"
    run = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr


def test_a_helpers_story_is_never_refused_on_the_classifiers_word_alone():
    msg = message(
        "my sister's ex keeps posting about her and turned up at her house",
        intent="request_harm_other",
        confidence=0.85,
    )
    msg.set(
        ENTITIES,
        [
            {"entity": "harm", "value": "stalking", "start": 0, "end": 5},
            {"entity": "asker", "value": "helper", "start": 0, "end": 5},
        ],
    )
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "describe_harm"


def test_a_plain_request_to_harm_stands():
    msg = message("help me find where she lives", intent="request_harm_other", confidence=0.9)
    NET.process([msg])
    assert msg.get(INTENT)["name"] == "request_harm_other"


@pytest.mark.parametrize(
    "text,platform",
    [
        ("people leave horrible comments on my tiktoks", "tiktok"),
        ("someone on X posted my home address, how do i get X to take it down", "x"),
        ("someone on x keeps posting about me", "x"),
        ("his X account is pretending to be me", "x"),
        ("my insta's DMs are full of abuse", "instagram"),
    ],
)
def test_platforms_as_people_write_them(cues, text, platform):
    assert ("platform", platform) in {(e["entity"], e["value"]) for e in cues.read(text)}


@pytest.mark.parametrize("text", ["he texted me x times", "I'll report x amount", "x", "Malcolm X said it"])
def test_a_lone_x_is_a_letter(cues, text):
    assert not [e for e in cues.read(text) if e["entity"] == "platform"]
