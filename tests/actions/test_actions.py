"""The custom actions, run on a Tracker with a fresh CollectingDispatcher, and their answers
rendered as the widget and SMS would show them.

Facts are checked against the knowledge base through its API, not retyped here,
except where the test pins the seed's wording (the fact tests in tests/knowledge
pin the numbers themselves)."""

import re

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from actions.fallback import ActionClarify
from actions.forms import ValidateHarasserPlaceForm
from bot.channels.twilio_text import SMS_FIRST_REPLY
from bot.knowledge import load_knowledge
from bot.render import DISCLAIMER, FIRST_REPLY_WORDS, words
from tests.actions.conftest import entity, harm, make_tracker, place

KB = load_knowledge()
AU_NT = {"victim_country": "AU", "victim_region": "AU-NT"}


def payloads(result):
    return {b["payload"] for b in result.buttons}


# -- the whole message, briefly ---------------------------------------------------------------


async def test_several_harms_name_each_offence_once_one_report_list_and_the_route(run):
    tracker = make_tracker(
        "my ex put our videos on a porn site with my name and suburb, he's in Florida now",
        "describe_harm",
        entities=harm("image_abuse", "doxxing") + place("US", "harasser"),
        slots={"victim_country": "AU", "victim_region": "AU-TAS", "harasser_country": "US"},
    )
    result = await run(ActionAnswer(), tracker)
    text = result.text
    assert "s 474.17A" in text and "s 474.17C" in text
    assert text.count("s 474.17A") == 1
    assert "eSafety" in text and "reference number" in text
    assert re.search(r"ic3\.gov|INTERPOL", text)
    assert DISCLAIMER in text and "https://" in text
    assert words(text) <= FIRST_REPLY_WORDS + 10  # a phone screen (the budget counts whole sections)
    assert result.slot("harms") == ["image_abuse", "doxxing"]
    assert "/ask_offence" in payloads(result)  # more on the law, one tap away


async def test_the_umbrella_harm_gives_way_to_the_specific_ones(run):
    """Harassment read first (most confident) with image abuse and doxxing: the short reply's two
    offences are the specific ones, and no "It sounds like" sentence is said for a harm whose
    offence is one tap away."""
    assert KB.harms["harassment"].broad and not KB.harms["image_abuse"].broad
    tracker = make_tracker(
        "he keeps harassing me, he posted our videos and my street name",
        "describe_harm",
        entities=harm("harassment", "image_abuse", "doxxing"),
        slots={"victim_country": "AU", "victim_region": "AU-TAS"},
    )
    result = await run(ActionAnswer(), tracker)
    assert "s 474.17A" in result.text and "s 474.17C" in result.text
    assert "It sounds like" not in result.text
    assert "/ask_offence" in payloads(result)


async def test_a_harm_the_law_names_otherwise_is_said_in_plain_words(run):
    # Lies spread about someone: in Australia the offence shown is "menace, harass or cause offence".
    own = KB.offences("false_allegation", "AU")
    assert own and own[0].harms[0] not in ("false_allegation", KB.harms["false_allegation"].refines)
    tracker = make_tracker(
        "he is telling everyone online that I stole from work, it's all lies",
        "describe_harm",
        entities=harm("false_allegation"),
        slots={"victim_country": "AU"},
    )
    result = await run(ActionAnswer(), tracker)
    assert own[0].section in result.text
    assert f"It sounds like {KB.harms['false_allegation'].label}" in result.text


async def test_asked_about_the_overseas_harasser_in_a_story_the_report_at_home_follows(run):
    tracker = make_tracker(
        "he posted our videos and my street, can anything be done when he's in texas?",
        "describe_harm",
        entities=harm("image_abuse", "doxxing")
        + place("US", "harasser")
        + [{"entity": "ask", "value": "harasser_overseas", "start": 0, "end": 1}],
        slots={"victim_country": "AU", "victim_region": "AU-TAS", "harasser_country": "US"},
    )
    text = (await run(ActionAnswer(), tracker)).text
    route, report, law = (text.find(h) for h in ("Where they are: United States", "Where to report", "The law in"))
    assert 0 <= route < report < law and "eSafety" in text[report:law]


async def test_the_sms_rendering_of_a_first_reply_fits_three_segments(run):
    tracker = make_tracker(
        "my ex put our videos online and posted my address, he's in Canada",
        "describe_harm",
        entities=harm("image_abuse", "doxxing", "stalking"),
        slots={"victim_country": "AU", "harasser_country": "CA"},
    )
    result = await run(ActionAnswer(), tracker)
    sms = result.sms
    assert len(sms) <= SMS_FIRST_REPLY
    assert "**" not in sms and "s 474.17A" in sms and DISCLAIMER in sms


async def test_harm_before_the_place_helps_now_and_asks_where_once(run):
    result = await run(
        ActionAnswer(), make_tracker("someone posted my address", "describe_harm", entities=harm("doxxing"))
    )
    assert result.responses == ["utter_ask_place"]
    assert "not your fault" in result.text
    assert "s 474" not in result.text  # the law waits for the place
    assert result.slot("place_asked") is True and result.slot("opener_shown") is True
    again = await run(
        ActionAnswer(),
        make_tracker(
            "and he threatened me too",
            "describe_harm",
            entities=harm("threats"),
            slots={"place_asked": True, "harms": ["doxxing"]},
        ),
    )
    assert "utter_ask_place" not in again.responses  # asked once, never again
    assert again.slot("harms") == ["threats", "doxxing"]


async def test_the_place_given_later_answers_the_remembered_harms(run):
    tracker = make_tracker(
        "Darwin",
        "inform_location",
        entities=place("AU", region="AU-NT"),
        slots={**AU_NT, "harms": ["doxxing"], "place_asked": True, "opener_shown": True},
    )
    result = await run(ActionAnswer(), tracker)
    assert "s 474.17C" in result.text and "6 years" in result.text
    assert "not your fault" not in result.text  # the opener was shown already
    assert "000" in result.text  # doxxing carries a danger hint: the emergency line leads


async def test_a_place_we_do_not_cover_is_said_once_and_never_asked_again(run):
    tracker = make_tracker("I'm in Ireland", "inform_location", slots={"place_asked": True, "harms": ["threats"]})
    result = await run(ActionAnswer(), tracker)
    assert result.slot("victim_country") == "unknown"
    assert "utter_unknown_place" in result.responses and "utter_ask_place" not in result.responses
    assert result.text  # the general steps still come


async def test_a_named_uncovered_place_in_the_message_is_honest_at_once(run):
    tracker = make_tracker(
        "I live in Dublin and someone is impersonating me",
        "describe_harm",
        entities=harm("impersonation") + place("unknown"),
        slots={"victim_country": "unknown"},
    )
    result = await run(ActionAnswer(), tracker)
    assert "utter_ask_place" not in result.responses and result.slot("place_asked") is True
    # said once, inside the answer (not a second message saying it again)
    assert result.text.count("I don't have details for your country yet") == 1
    assert "utter_unknown_place" not in result.responses


async def test_somewhere_we_do_not_cover_with_the_harasser_somewhere_we_do(run):
    # Dublin, and a man in New Jersey: local police at home, and what works in the US
    tracker = make_tracker(
        "I live in Dublin. A guy in New Jersey posted intimate videos of me, and my address, and lies about me",
        "describe_harm",
        entities=harm("image_abuse", "doxxing", "false_allegation") + place("unknown") + place("US", "harasser"),
        slots={"victim_country": "unknown", "harasser_country": "US"},
    )
    text = (await run(ActionAnswer(), tracker)).text
    assert "Where they are: United States" in text and "police where you are" in text
    assert text.count("It sounds like") == 1 and KB.harms["false_allegation"].label not in text  # two, not a wall


# -- safety adds, it never subtracts ------------------------------------------------------------


async def test_after_the_emergency_response_the_answer_still_comes_without_the_opener(run):
    tracker = make_tracker(
        "he's outside my house right now and he posted my number everywhere",
        "danger",
        entities=harm("doxxing") + entity("danger", "immediate"),
        slots={"victim_country": "NZ"},
        after_user=[{"event": "action", "name": "utter_emergency"}],
    )
    result = await run(ActionAnswer(), tracker)
    assert "Harmful Digital Communications" in result.text or "Netsafe" in result.text
    assert "not your fault" not in result.text  # the emergency reply came first; this is the short answer
    assert "utter_ask_place" not in result.responses


async def test_after_the_emergency_response_with_no_place_we_do_not_ask_twice(run):
    tracker = make_tracker(
        "he's at my door, he posted my address",
        "danger",
        entities=harm("doxxing"),
        after_user=[{"event": "action", "name": "utter_emergency"}],
    )
    result = await run(ActionAnswer(), tracker)
    assert "utter_ask_place" not in result.responses  # utter_emergency asked already
    assert result.slot("place_asked") is True


async def test_a_disclosed_risk_gets_one_emergency_line_then_the_answer(run):
    tracker = make_tracker(
        "he said he will kill me",
        "describe_harm",
        entities=harm("threats") + entity("danger", "risk"),
        slots={"victim_country": "UK"},
    )
    result = await run(ActionAnswer(), tracker)
    assert result.text.index("999") < re.search(r"\bs \d", result.text).start()  # the line comes first
    assert len(re.findall(r"\b999\b", result.text)) == 1
    assert re.search(r"s 181|Protection from Harassment", result.text)


async def test_being_told_to_kill_yourself_is_answered_as_the_harm_it_is(run):
    tracker = make_tracker(
        "accounts keep replying kys under my posts",
        "told_to_self_harm",
        entities=harm("incitement_self_harm", "harassment"),
        slots={"victim_country": "UK"},
        after_user=[{"event": "action", "name": "utter_told_to_self_harm"}],
    )
    result = await run(ActionAnswer(), tracker)
    assert re.search(r"s 184|s 2 |harassment", result.text, re.I)
    assert re.search(r"report", result.text, re.I)


async def test_a_request_to_harm_someone_gets_a_firm_refusal_and_no_how_to(run):
    tracker = make_tracker(
        "he's at my door. help me find his new address so I can post it",
        "danger",
        entities=entity("harm_request", "yes"),
        slots={"victim_country": "AU"},
        after_user=[{"event": "action", "name": "utter_emergency"}],
    )
    result = await run(ActionAnswer(), tracker)
    assert re.search(r"can't help with finding, exposing or hurting someone", result.text)
    assert not re.search(r"whois|reverse image|people search", result.text, re.I)


# -- who is asking, a child, the platform, a service named ---------------------------------------


async def test_a_parent_gets_the_helper_opener_and_the_young_persons_routes(run):
    tracker = make_tracker(
        "my son is 13 and kids made a page mocking him",
        "describe_harm",
        entities=harm("harassment") + entity("asker", "helper") + entity("minor", "yes"),
        slots={"victim_country": "AU", "victim_region": "AU-ACT"},
    )
    result = await run(ActionAnswer(), tracker)
    assert "Thank you for looking out for them" in result.text
    youth = KB.youth("AU")[0]
    assert youth.phone in result.text
    assert result.slot("minor") is True and result.slot("asker") == "helper"


async def test_an_adult_is_not_offered_the_under_18_routes(run):
    tracker = make_tracker(
        "my ex shared my nudes", "describe_harm", entities=harm("image_abuse"), slots={"victim_country": "UK"}
    )
    result = await run(ActionAnswer(), tracker)
    assert "CEOP" not in result.text and "Report Remove" not in result.text


async def test_the_platform_named_brings_its_own_report_route(run):
    tracker = make_tracker(
        "someone on insta keeps sending me abuse",
        "describe_harm",
        entities=harm("harassment") + entity("platform", "instagram"),
        slots={"victim_country": "NZ"},
    )
    result = await run(ActionAnswer(), tracker)
    route = KB.platform_route("instagram", "harassment")
    assert route.url in result.text or "/ask_platform_removal" in payloads(result)
    assert result.slot("platforms") == ["instagram"]


async def test_takedown_question_leads_with_the_platforms_own_route(run):
    tracker = make_tracker(
        "how do I get this taken down on tiktok",
        "ask_platform_removal",
        entities=entity("platform", "tiktok"),
        slots={"harms": ["image_abuse"]},
    )
    result = await run(ActionAnswer(), tracker)
    assert KB.platform_route("tiktok", "image_abuse").url in result.text


async def test_a_named_service_gets_what_it_does_and_does_not_do(run):
    tracker = make_tracker(
        "can eSafety take down a post about me?",
        "ask_platform_removal",
        entities=entity("service", "au-esafety"),
        slots={"victim_country": "AU"},
    )
    result = await run(ActionAnswer(), tracker)
    assert "eSafety Commissioner" in result.text and re.search(r"It can('t)?:", result.text)


# -- follow-ups remember the frame ----------------------------------------------------------------


async def test_more_on_the_law_uses_the_remembered_harms_and_place(run):
    tracker = make_tracker("/ask_offence", "ask_offence", slots={**AU_NT, "harms": ["doxxing", "image_abuse"]})
    result = await run(ActionAnswer(), tracker)
    assert "s 474.17C" in result.text and "s 474.17A" in result.text
    assert "Maximum penalty" in result.text and DISCLAIMER in result.text
    assert "utter_ask_place" not in result.responses


async def test_where_to_report_in_full(run):
    tracker = make_tracker("/ask_report", "ask_report", slots={"victim_country": "AU", "harms": ["image_abuse"]})
    result = await run(ActionAnswer(), tracker)
    assert "eSafety" in result.text and "ReportCyber" in result.text


async def test_theyre_overseas_without_a_country_asks_which_country(run):
    tracker = make_tracker("/harasser_overseas", "harasser_overseas", slots={"victim_country": "AU"})
    result = await run(ActionAnswer(), tracker)
    assert result.slot("harasser_place_needed") is True  # a rule starts the form (data/rules/places.yml)


async def test_the_route_from_australia_to_the_us(run):
    tracker = make_tracker(
        "/harasser_overseas", "harasser_overseas", slots={"victim_country": "AU", "harasser_country": "US"}
    )
    result = await run(ActionAnswer(), tracker)
    assert "ic3.gov" in result.text and "INTERPOL" in result.text


async def test_not_sure_where_they_are_still_gets_the_steps_at_home(run):
    tracker = make_tracker(
        "/harasser_overseas", "harasser_overseas", slots={"victim_country": "NZ", "harasser_country": "abroad"}
    )
    result = await run(ActionAnswer(), tracker)
    assert "another country" in result.text and "INTERPOL" in result.text


# -- questions ------------------------------------------------------------------------------------


async def test_evidence_needs_no_place(run):
    result = await run(ActionAnswer(), make_tracker("how do I save evidence", "ask_evidence"))
    assert "utter_ask_place" not in result.responses and "screenshot" in result.text.lower()


async def test_evidence_in_nz_warns_about_objectionable_content(run):
    result = await run(ActionAnswer(), make_tracker("evidence?", "ask_evidence", slots={"victim_country": "NZ"}))
    assert "objectionable" in result.text


async def test_emergency_numbers_for_a_place_and_for_nowhere_yet(run):
    known = await run(
        ActionAnswer(), make_tracker("what number?", "ask_emergency_number", slots={"victim_country": "ZA"})
    )
    assert "10111" in known.text and "911" not in known.text
    unknown = await run(ActionAnswer(), make_tracker("what number?", "ask_emergency_number"))
    for jurisdiction in KB.covered():
        assert KB.emergency(jurisdiction.id)[0].phone in unknown.text


@pytest.mark.parametrize(
    "region,name,rule", [("AU-SA", "South Australia", "all-party"), ("AU-VIC", "Victoria", "one-party")]
)
async def test_recording_rule_for_a_state(run, region, name, rule):
    result = await run(
        ActionAnswer(),
        make_tracker("can I record", "ask_recording", slots={"victim_country": "AU", "victim_region": region}),
    )
    assert f"**{name}**: {rule} consent" in result.text


async def test_escalation_ladder_in_queensland(run):
    result = await run(
        ActionAnswer(),
        make_tracker(
            "police did nothing", "ask_police_inaction", slots={"victim_country": "AU", "victim_region": "AU-QLD"}
        ),
    )
    assert "Officer in Charge" in result.text


async def test_protection_orders_wait_for_the_place(run):
    asked = await run(ActionAnswer(), make_tracker("restraining order?", "ask_protection_order"))
    assert asked.responses == ["utter_ask_place"]
    answered = await run(
        ActionAnswer(), make_tracker("restraining order?", "ask_protection_order", slots={"victim_country": "AU"})
    )
    assert re.search(r"AVO|Apprehended Violence Order", answered.text)


@pytest.mark.parametrize(
    "question,expected",
    [
        ("What's the maximum penalty for doxxing under s 474.17C?", r"6 years"),
        ("penalty for s474.17a", r"6 years"),
        ("what's 264.1 in the Canadian criminal code", r"264\.1"),
        ("18 USC 2261A penalty", r"2261A"),
    ],
)
async def test_reference_questions(run, question, expected):
    result = await run(ActionAnswer(), make_tracker(question, "ask_reference"))
    assert re.search(expected, result.text), result.text
    assert DISCLAIMER in result.text


async def test_several_questions_in_one_message_are_each_answered(run):
    text = "where do I report it and how do I keep evidence?"
    asked = [{"entity": "ask", "value": "ask_evidence", "start": text.index("how"), "end": len(text)}]
    tracker = make_tracker(text, "ask_report", entities=asked, slots={"victim_country": "AU"})
    result = await run(ActionAnswer(), tracker)
    assert "ReportCyber" in result.text and "preserving your evidence" in result.text.lower()


async def test_nothing_understood_asks_what_is_happening(run):
    result = await run(ActionAnswer(), make_tracker("hmm", "affirm"))
    assert result.responses == ["utter_ask_harm"]


# -- the knowledge base is handed in; failures never go silent -----------------------------------


async def test_the_action_answers_from_the_knowledge_base_it_was_given(run, tmp_path):
    from tests.knowledge.fixtures import knowledge_with_ireland

    kb = knowledge_with_ireland(tmp_path)
    tracker = make_tracker(
        "someone is threatening me", "describe_harm", entities=harm("threats"), slots={"victim_country": "IE"}
    )
    result = await run(ActionAnswer(kb), tracker)
    assert "112" in result.text and "Ireland" in result.text


async def test_a_broken_lookup_still_answers_with_the_emergency_numbers(run, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("knowledge base unavailable")

    monkeypatch.setattr("actions.answer.compose", explode)
    result = await run(
        ActionAnswer(), make_tracker("someone posted my address", "describe_harm", entities=harm("doxxing"))
    )
    assert result.responses == ["utter_action_failed"]


@pytest.mark.parametrize("text", ["qwerty uiop", "", "<script>alert(1)</script>", "a" * 100_000])
async def test_clarify_offers_options(run, text):
    result = await run(ActionClarify(), make_tracker(text, "nlu_fallback"))
    assert result.text and len(result.buttons) >= 3


async def test_an_unreadable_answer_to_where_goes_back_to_the_answer(run):
    tracker = make_tracker("dunno lol", "nlu_fallback", slots={"place_asked": True, "harms": ["doxxing"]})
    result = await run(ActionClarify(), tracker)
    assert result.followup is None and result.text  # answered now, from the story, without a place
    assert "doxxing" in result.text.lower() or "personal details" in result.text


# -- "which country are they in?" --------------------------------------------------------------


async def _extract(text, intent, slots):
    tracker = make_tracker(text, intent, slots={"requested_slot": "harasser_country", **slots})
    return await ValidateHarasserPlaceForm().extract_harasser_country(CollectingDispatcher(), tracker, {})


async def test_not_sure_where_they_are_is_another_country():
    assert await _extract("not sure", "deny", {}) == {"harasser_country": "abroad"}


async def test_a_place_they_named_is_kept():
    assert await _extract("Canada", "inform_location", {"harasser_country": "CA"}) == {}


async def test_danger_during_the_question_goes_to_its_own_rule():
    assert await _extract("he's at my door", "danger", {}) == {}


async def test_an_unclear_follow_up_to_a_story_is_answered_from_it(run):
    """Answered by the clarify action itself: a FollowupAction left no rule to listen after it,
    and the core fallback ran the clarify action again, ten replies in a row."""
    tracker = make_tracker(
        "whats the most he could get for that", "nlu_fallback", slots={"harms": ["doxxing"], "victim_country": "AU"}
    )
    tracker.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.3},
        {"name": "ask_offence", "confidence": 0.2},
    ]
    answered = await run(ActionClarify(), tracker)
    assert answered.followup is None
    assert "s 474.17C" in answered.text and "6 years" in answered.text


async def test_a_message_in_another_language_lists_each_country_once_bulleted(run):
    tracker = make_tracker("necesito ayuda por favor", "other_language", entities=entity("language", "es"))
    text = (await run(ActionAnswer(), tracker)).text
    assert "- - " not in text
    assert all(f"- **{j.name}**" in text for j in KB.covered())


async def test_us_sextortion_names_the_federal_offence_and_where_to_report(run):
    """Miami, sextortion read with image abuse and extortion: 18 U.S.C. § 875(d), the don't-pay
    step without a stray "2.", and where to report (the FBI), within a phone screen."""
    tracker = make_tracker(
        "i paid a sextortion guy $300 and he came back asking for more. do i keep paying",
        "describe_harm",
        entities=harm("sextortion", "image_abuse", "extortion"),
        slots={"victim_country": "US", "victim_region": "US-FL"},
    )
    text = (await run(ActionAnswer(), tracker)).text
    report = text[text.find("**Where to report**") :].split("Sources:")[0]
    assert "**18 U.S.C. § 875(d)**" in text and "FBI" in report
    assert "in the United States" in text and KB.harms["extortion"].label not in text
    assert not re.search(r"^\d+\. ", text, re.M) and re.search(r"Don.t pay", text)
    assert words(text) <= FIRST_REPLY_WORDS + 10


@pytest.mark.parametrize(
    "region,section,where", [("UK-SCT", "s 39", "Scotland"), ("UK-ENG", "s 2A", "England and Wales")]
)
async def test_each_uk_nation_gets_its_own_law(run, region, section, where):
    tracker = make_tracker(
        "my ex keeps turning up outside my flat and messaging me from new accounts",
        "describe_harm",
        entities=harm("stalking") + place("UK", region=region),
        slots={"victim_country": "UK", "victim_region": region},
    )
    text = (await run(ActionAnswer(), tracker)).text
    assert f"The law in {where}" in text and f"**{section}**" in text


async def test_over_sms_the_safety_message_comes_first_and_the_answer_still_follows(run):
    """Danger first, then still the answer: the safety message adds, the answer keeps its three SMS."""
    from rasa.shared.core.domain import Domain

    from bot.channels.sms import TwilioSmsOutput
    from bot.channels.twilio_text import SMS_FIRST_REPLY

    class Kept(TwilioSmsOutput):
        def __init__(self):
            super().__init__("AC" + "0" * 32, "token", "+15005550006", "+61400000000")
            self.bodies = []

        async def _send(self, body):
            self.bodies.append(body)

    emergency = next(
        r["text"]
        for r in Domain.load("domain.yml").responses["utter_emergency"]
        if any(c.get("value") == "AU" for c in r.get("condition") or [])
    )
    tracker = make_tracker(
        "he's outside my door right now, he posted my address and my nudes",
        "danger",
        entities=harm("doxxing", "image_abuse") + entity("danger", "immediate"),
        slots={"victim_country": "AU"},
    )
    answer = (await run(ActionAnswer(), tracker)).answers[0]
    out = Kept()
    await out.send_text_message("id", emergency)  # the danger rule's response comes first
    await out.send_custom_json("id", {"answer": answer.as_dict()})
    await out.flush()
    sent = "\n\n".join(out.bodies)
    assert len(sent) <= len(emergency) + 2 + SMS_FIRST_REPLY  # the safety message, then three SMS
    assert sent.startswith("Your safety comes first") and "000" in sent
    assert "474.17" in sent or "eSafety" in sent  # and then the answer still comes
