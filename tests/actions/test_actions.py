"""Every custom action, run on a Tracker with a fresh CollectingDispatcher.

Facts are checked against the knowledge base through its API, not retyped here,
except where the test pins the seed's wording (the fact tests in tests/knowledge
pin the numbers themselves)."""
import re

import pytest

from actions.fallback import ActionClarify
from actions.guidance import ActionEscalation, ActionGuidance, ActionRecording
from actions.harms import ActionHarm, harm_from_intent
from actions.places import ActionLocation, ActionRoute
from actions.reference import ActionReference
from actions.reporting import ActionEmergencyNumber, ActionOffence, ActionReport, ActionTalkToSomeone
from bot.knowledge import load_knowledge
from bot.render import DISCLAIMER
from tests.actions.conftest import make_tracker, place

KB = load_knowledge()
ANSWER_BUTTONS = {"/ask_evidence", "/ask_police_inaction", "/harasser_overseas", "/human_handoff"}


# -- harms ------------------------------------------------------------------------------------

def test_harm_from_intent():
    assert harm_from_intent("harm_doxxing") == "doxxing"
    assert harm_from_intent("ask_report") is None
    assert harm_from_intent(None) is None


async def test_harm_without_place_helps_now_then_asks_once(run):
    result = await run(ActionHarm(), make_tracker("someone posted my address", "harm_doxxing"))
    assert result.responses == ["utter_ask_place"]
    assert "not your fault" in result.text and "swatting" in result.text.lower()  # what helps anywhere
    assert "s 474" not in result.text  # the law waits for the place
    assert result.slot("harm") == "doxxing"
    assert result.slot("pending") == "action_harm"
    assert result.slot("opened") is True


async def test_swatting_fear_gets_the_precautions_before_the_place(run):
    result = await run(ActionHarm(), make_tracker("worried about swatting", "harm_swatting"))
    assert re.search(r"non-?emergency", result.text, re.I)


async def test_doxxing_in_darwin_names_the_offence_with_penalty_and_steps(run):
    tracker = make_tracker("someone posted my address", "harm_doxxing",
                           slots={"victim_country": "AU", "victim_region": "AU-NT"})
    result = await run(ActionHarm(), tracker)
    text = result.text
    assert "s 474.17C" in text and "6 years" in text
    assert "000" in text  # doxxing carries a danger hint: the emergency line leads
    assert "ReportCyber" in text and "reference" in text.lower()
    assert "https://" in text  # sources
    assert DISCLAIMER in text
    assert {b["payload"] for b in result.buttons} == ANSWER_BUTTONS
    assert result.slot("opened") is True


async def test_opener_shown_once(run):
    first = await run(ActionHarm(), make_tracker("x", "harm_threats", slots={"victim_country": "AU"}))
    again = await run(ActionHarm(), make_tracker("x", "harm_threats", slots={"victim_country": "AU", "opened": True}))
    assert "not your fault" in first.text
    assert "not your fault" not in again.text
    assert "s 474.15" in again.text and "10 years" in again.text


async def test_hate_targeted_doxxing_adds_the_aggravated_offence(run):
    tracker = make_tracker("they posted my home address because I'm Jewish", "harm_doxxing",
                           slots={"victim_country": "AU"})
    result = await run(ActionHarm(), tracker)
    assert result.slot("harm") == "doxxing_hate"
    assert "s 474.17D" in result.text and "7 years" in result.text
    assert "s 474.17C" in result.text


async def test_image_abuse_points_to_esafety(run):
    result = await run(ActionHarm(), make_tracker("my ex posted my nudes", "harm_image_abuse",
                                                  slots={"victim_country": "AU", "victim_region": "AU-SA"}))
    assert "s 474.17A" in result.text and "eSafety" in result.text


@pytest.mark.parametrize("country,expected", [
    ("NZ", "Netsafe"), ("US", "2261A"), ("CA", "264"), ("ZA", "Protection from Harassment"), ("UK", "Harassment"),
])
async def test_harassment_answer_follows_the_country(run, country, expected):
    result = await run(ActionHarm(), make_tracker("they keep messaging me", "harm_harassment",
                                                  slots={"victim_country": country}))
    assert expected in result.text


async def test_harm_in_a_place_we_do_not_cover_is_honest(run):
    result = await run(ActionHarm(), make_tracker("x", "harm_threats", slots={"victim_country": "unknown"}))
    assert "don't have details for your country" in result.text
    assert "emergency number" in result.text
    assert "s 474" not in result.text  # never another country's law as if it were theirs


async def test_resumed_harm_uses_the_remembered_kind(run):
    tracker = make_tracker("I live in Darwin", "inform_location", entities=place("AU", region="AU-NT"),
                           slots={"harm": "doxxing", "victim_country": "AU"})
    result = await run(ActionHarm(), tracker)
    assert "s 474.17C" in result.text


async def test_harm_with_nothing_known_asks_what_happened(run):
    result = await run(ActionHarm(), make_tracker("hm", "inform_location", slots={"victim_country": "AU"}))
    assert result.responses == ["utter_ask_harm"]


# -- reporting --------------------------------------------------------------------------------

async def test_report_in_australia(run):
    result = await run(ActionReport(), make_tracker("how do I report", "ask_report", slots={"victim_country": "AU"}))
    assert "ReportCyber" in result.text and "131 444" in result.text
    assert re.search(r"reference", result.text, re.I)


async def test_report_without_place_asks(run):
    result = await run(ActionReport(), make_tracker("how do I report", "ask_report"))
    assert result.responses == ["utter_ask_place"] and result.slot("pending") == "action_report"


async def test_offence_uses_the_harm_already_told(run):
    tracker = make_tracker("what offence is that", "ask_offence", slots={"victim_country": "AU", "harm": "threats"})
    result = await run(ActionOffence(), tracker)
    assert "s 474.15" in result.text and DISCLAIMER in result.text


async def test_offence_without_harm_lists_the_offences(run):
    result = await run(ActionOffence(), make_tracker("is this illegal", "ask_offence", slots={"victim_country": "CA"}))
    assert "s 264" in result.text and "s 162.1" in result.text


async def test_emergency_number_for_place_and_for_unknown(run):
    nz = await run(ActionEmergencyNumber(), make_tracker("emergency number?", "ask_emergency_number",
                                                         slots={"victim_country": "NZ"}))
    assert "111" in nz.text and "1737" in nz.text and "000" not in nz.text
    anywhere = await run(ActionEmergencyNumber(), make_tracker("emergency number?", "ask_emergency_number"))
    for number in ("000", "111", "911", "999", "10111"):
        assert number in anywhere.text


async def test_talk_to_someone_is_honest_about_being_a_bot(run):
    result = await run(ActionTalkToSomeone(), make_tracker("a person please", "human_handoff",
                                                           slots={"victim_country": "UK"}))
    assert "automated" in result.text and "116 123" in result.text


# -- guidance ---------------------------------------------------------------------------------

async def test_evidence_guidance_without_asking(run):
    result = await run(ActionGuidance(), make_tracker("how do I document it", "ask_evidence"))
    assert re.search(r"screenshot|screen recording", result.text, re.I) and "URL" in result.text
    assert result.responses == []


async def test_evidence_in_nz_warns_about_objectionable_content(run):
    result = await run(ActionGuidance(), make_tracker("evidence?", "ask_evidence", slots={"victim_country": "NZ"}))
    assert "objectionable" in result.text


async def test_protection_orders_depend_on_place(run):
    asked = await run(ActionGuidance(), make_tracker("restraining order?", "ask_protection_order"))
    assert asked.responses == ["utter_ask_place"]
    assert asked.slot("pending") == "action_guidance:ask_protection_order"
    answered = await run(ActionGuidance(), make_tracker("restraining order?", "ask_protection_order",
                                                        slots={"victim_country": "AU"}))
    assert "AVO" in answered.text or "Apprehended Violence Order" in answered.text


@pytest.mark.parametrize("intent,expected", [
    ("ask_platform_removal", r"Community Guidelines"),
    ("ask_mass_reporting", r"[Mm]ass"),
    ("ask_interpol", r"police"),
    ("ask_mp", r"MP|member of parliament"),
    ("ask_mlat", r"Mutual Legal Assistance|MLAT"),
    ("ask_budapest", r"Budapest"),
    ("ask_netsafe", r"Netsafe"),
    ("ask_wiredsafety", r"police|law enforcement"),
    ("ask_multi_victim", r"reference"),
])
async def test_each_guidance_question_answers_from_its_topic(run, intent, expected):
    result = await run(ActionGuidance(), make_tracker("q", intent))
    assert re.search(expected, result.text), result.text
    assert "Sources:" in result.text


async def test_guidance_with_an_unknown_question_asks_what_happened(run):
    result = await run(ActionGuidance(), make_tracker("q", "greet"))
    assert result.responses == ["utter_ask_harm"]


async def test_escalation_ladder_in_queensland(run):
    result = await run(ActionEscalation(), make_tracker("police did nothing", "ask_police_inaction",
                                                        slots={"victim_country": "AU", "victim_region": "AU-QLD"}))
    assert "Officer in Charge" in result.text and "9." in result.text


async def test_escalation_where_no_ladder_exists(run):
    result = await run(ActionEscalation(), make_tracker("police did nothing", "ask_police_inaction",
                                                        slots={"victim_country": "US"}))
    assert "don't have a step-by-step escalation ladder" in result.text
    assert "reference" in result.text.lower()


@pytest.mark.parametrize("region,name,rule", [("AU-SA", "South Australia", "all-party"),
                                              ("AU-NT", "Northern Territory", "one-party"),
                                              ("AU-VIC", "Victoria", "one-party")])
async def test_recording_rule_for_a_state(run, region, name, rule):
    result = await run(ActionRecording(), make_tracker("can I record", "ask_recording",
                                                       slots={"victim_country": "AU", "victim_region": region}))
    assert f"**{name}**: {rule} consent" in result.text
    assert len(re.findall(r"(one|all)-party consent \(", result.text)) == 1  # just their state


async def test_recording_without_place_lists_every_state(run):
    result = await run(ActionRecording(), make_tracker("which states allow one-party recording", "ask_recording"))
    assert len(re.findall(r"(one|all)-party consent", result.text)) == 8


async def test_recording_outside_australia_is_honest(run):
    result = await run(ActionRecording(), make_tracker("can I record", "ask_recording", slots={"victim_country": "UK"}))
    assert "don't have call-recording rules" in result.text


# -- places and routes ------------------------------------------------------------------------

async def test_route_au_to_us_lists_ic3_and_the_honest_truth(run):
    result = await run(ActionRoute(), make_tracker("he's overseas", "harasser_overseas",
                                                   slots={"victim_country": "AU", "harasser_country": "US"}))
    assert "ic3.gov" in result.text and "INTERPOL" in result.text


async def test_route_asks_where_the_harasser_is(run):
    result = await run(ActionRoute(), make_tracker("he's overseas", "harasser_overseas", slots={"victim_country": "AU"}))
    assert result.responses == ["utter_ask_harasser_place"]
    assert result.slot("pending") == "action_route:harasser"


async def test_location_resumes_the_waiting_question(run):
    tracker = make_tracker("I live in Darwin", "inform_location", entities=place("AU", region="AU-NT"),
                           slots={"pending": "action_harm", "harm": "doxxing",
                                  "victim_country": "AU", "victim_region": "AU-NT"})
    result = await run(ActionLocation(), tracker)
    assert "s 474.17C" in result.text
    assert result.slot("pending") is None


async def test_location_resumes_a_guidance_question(run):
    tracker = make_tracker("NZ", "inform_location", entities=place("NZ"),
                           slots={"pending": "action_guidance:ask_protection_order", "victim_country": "NZ"})
    result = await run(ActionLocation(), tracker)
    assert "District Court" in result.text or "HDCA" in result.text


async def test_both_places_in_one_message_give_the_route(run):
    tracker = make_tracker("I'm in Perth and my harasser lives in Johannesburg", "inform_location",
                           entities=place("AU", region="AU-WA") + place("ZA", "harasser"),
                           slots={"victim_country": "AU", "victim_region": "AU-WA", "harasser_country": "ZA"})
    result = await run(ActionLocation(), tracker)
    assert "Protection from Harassment Act" in result.text


async def test_bare_answer_to_which_country_belongs_to_the_harasser(run):
    history = [{"event": "slot", "name": "victim_country", "value": "AU"},
               {"event": "user", "text": "I'm in Australia"},
               {"event": "user", "text": "he's overseas"},
               {"event": "slot", "name": "pending", "value": "action_route:harasser"}]
    tracker = make_tracker("Canada", "inform_location", entities=place("CA"),
                           slots={"victim_country": "CA", "pending": "action_route:harasser"}, history=history)
    result = await run(ActionLocation(), tracker)
    assert result.slot("harasser_country") == "CA"
    assert result.slot("victim_country") == "AU"  # restored: the bare answer was about the harasser
    assert "Ottawa" in result.text or "RCMP" in result.text


async def test_not_sure_where_the_harasser_is(run):
    tracker = make_tracker("not sure", "inform_location", slots={"victim_country": "NZ", "pending": "action_route:harasser"})
    result = await run(ActionLocation(), tracker)
    assert result.slot("harasser_country") == "abroad"
    assert result.text  # the person still gets the at-home steps


async def test_unknown_place_is_remembered_and_never_asked_again(run):
    tracker = make_tracker("I'm in Ireland", "inform_location", slots={"pending": "action_report", "harm": "threats"})
    result = await run(ActionLocation(), tracker)
    assert result.slot("victim_country") == "unknown"
    assert "utter_unknown_place" in result.responses
    assert "utter_ask_place" not in result.responses


async def test_place_with_nothing_pending_is_acknowledged(run):
    tracker = make_tracker("I'm in Brisbane", "inform_location", entities=place("AU", region="AU-QLD"),
                           slots={"victim_country": "AU", "victim_region": "AU-QLD"})
    result = await run(ActionLocation(), tracker)
    assert "Queensland" in result.text and "utter_ask_harm" in result.responses


# -- reference and fallback -------------------------------------------------------------------

@pytest.mark.parametrize("question,expected", [
    ("What's the maximum penalty for doxxing under s 474.17C?", r"6 years"),
    ("What's the max penalty for threatening serious harm using a carriage service?", r"7 years"),
    ("penalty for s474.17a", r"6 years"),
    ("what's 264.1 in the Canadian criminal code", r"264\.1"),
    ("18 USC 2261A penalty", r"2261A"),
])
async def test_reference_questions(run, question, expected):
    result = await run(ActionReference(), make_tracker(question, "ask_reference"))
    assert re.search(expected, result.text), result.text
    assert "Sources:" in result.text and DISCLAIMER in result.text


async def test_reference_with_nothing_found_is_not_a_dead_end(run):
    result = await run(ActionReference(), make_tracker("zzzz", "ask_reference"))
    assert result.responses == ["utter_ask_harm"]


@pytest.mark.parametrize("text", ["qwerty uiop", "", "<script>alert(1)</script>", "a" * 100_000])
async def test_clarify_offers_options(run, text):
    result = await run(ActionClarify(), make_tracker(text, "nlu_fallback"))
    assert result.text and len(result.buttons) >= 3


# -- channels and failures --------------------------------------------------------------------

async def test_sms_gets_plain_text_within_budget(run):
    tracker = make_tracker("someone posted my address", "harm_doxxing", slots={"victim_country": "AU"},
                           channel="twilio_sms")
    result = await run(ActionHarm(), tracker)
    assert "**" not in result.text and "s 474.17C" in result.text
    assert len(result.text) <= 1530


async def test_a_broken_lookup_still_answers_with_emergency_numbers(run, monkeypatch):
    def explode(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("bot.answers.harm_answer", explode)
    result = await run(ActionHarm(), make_tracker("x", "harm_threats", slots={"victim_country": "AU"}))
    assert result.responses == ["utter_action_failed"]


async def test_place_after_a_danger_message_repeats_the_emergency_response(run):
    history = [{"event": "user", "text": "he's at my door"},
               {"event": "action", "name": "utter_emergency"},
               {"event": "bot", "text": "call ..."},
               {"event": "action", "name": "action_listen"}]
    tracker = make_tracker("Darwin", "inform_location", entities=place("AU", region="AU-NT"),
                           slots={"victim_country": "AU", "pending": "action_harm", "harm": "doxxing"},
                           history=history)
    result = await run(ActionLocation(), tracker)
    assert result.responses == ["utter_emergency"]  # resolved by Rasa for victim_country=AU
    assert result.events == []  # the waiting question stays waiting


async def test_place_after_despair_repeats_the_crisis_response(run):
    history = [{"event": "user", "text": "i want to die"}, {"event": "action", "name": "utter_crisis"},
               {"event": "action", "name": "action_listen"}]
    tracker = make_tracker("NZ", "inform_location", entities=place("NZ"), slots={"victim_country": "NZ"},
                           history=history)
    result = await run(ActionLocation(), tracker)
    assert result.responses == ["utter_crisis"]


async def test_an_unreadable_answer_to_where_is_a_place_we_do_not_cover(run):
    tracker = make_tracker("ireland", "nlu_fallback", slots={"pending": "action_harm", "harm": "doxxing"})
    result = await run(ActionClarify(), tracker)
    assert "utter_unknown_place" in result.responses
    assert result.slot("victim_country") == "unknown"


async def test_how_to_reach_netsafe_comes_first(run):
    result = await run(ActionGuidance(), make_tracker("how do i get hold of netsafe", "ask_netsafe"))
    assert result.text.index("0508 638 723") < result.text.index("common questions")
