"""Jurisdictions are data: a seventh country (Ireland, a fixture) appears in the generated
responses, the buttons that ask where the person is, the widget's no-JavaScript line and the
answers, with no code changed."""

import asyncio

from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswer
from bot import domain_gen
from bot.channels import widget
from tests.actions.conftest import Run, harm, make_tracker
from tests.knowledge.fixtures import knowledge_with_ireland


def test_a_seventh_jurisdiction_is_in_the_generated_responses_and_buttons(tmp_path):
    kb = knowledge_with_ireland(tmp_path)
    block = domain_gen.generated_block(kb)
    assert "value: IE" in block  # its own emergency, crisis and told-to-self-harm variations
    assert "title: Ireland" in block and "payload: Ireland" in block  # "where are you?" buttons
    assert "Ireland: 112" in block  # every covered number, where the place is unknown
    assert "I cover Australia, Canada, Ireland" in " ".join(block.split())  # the note for a place not covered


def test_a_seventh_jurisdiction_is_in_the_widgets_no_script_line(tmp_path, monkeypatch):
    kb = knowledge_with_ireland(tmp_path)
    monkeypatch.setattr(widget, "load_knowledge", lambda: kb)
    assert "Ireland 112" in widget.noscript_numbers() and "Australia 000" in widget.noscript_numbers()


def test_a_seventh_jurisdiction_is_answered(tmp_path):
    kb = knowledge_with_ireland(tmp_path)
    tracker = make_tracker(
        "someone keeps threatening to kill me",
        "describe_harm",
        entities=harm("threats"),
        slots={"victim_country": "IE"},
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionAnswer(kb).run(dispatcher, tracker, {}))
    text = Run(dispatcher.messages, events).text
    assert "s 5 Example Act 1997" in text or "**s 5**" in text
    assert "112" in text
