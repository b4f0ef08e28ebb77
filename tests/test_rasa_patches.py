"""The faster action-response check accepts and rejects exactly what Rasa's own does."""

import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches

GOOD = [
    {"events": [], "responses": []},
    {
        "events": [{"event": "slot", "name": "harm", "value": "doxxing"}],
        "responses": [{"text": "hi", "buttons": [{"title": "A", "payload": "/a"}]}],
    },
    {"events": [{"event": "followup", "name": "action_x"}], "responses": [{"response": "utter_greet"}]},
]
BAD = [
    {"events": "not a list", "responses": []},
    {"events": [{"event": "slot"}], "responses": []},  # a slot event without a name
    {"events": [{"event": "no_such_event", "name": "x"}], "responses": []},
]


def original(result):
    from jsonschema import validate

    validate(result, RemoteAction.action_response_format_spec())
    return True


@pytest.mark.parametrize("result", GOOD)
def test_valid_responses_pass_both(result):
    assert original(result) is True
    assert rasa_patches._validate_action_result(None, result) is True


@pytest.mark.parametrize("result", BAD)
def test_invalid_responses_fail_both(result):
    with pytest.raises(ValidationError):
        original(result)
    with pytest.raises(ValidationError, match="Failed to validate Action server response"):
        rasa_patches._validate_action_result(None, result)


def test_installed_by_loading_the_channels():
    import bot.channels  # noqa: F401 - the Rasa server imports this for credentials.yml

    assert RemoteAction._validate_action_result is rasa_patches._validate_action_result


def test_event_types_resolve_to_the_classes_rasa_finds():
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    rasa_patches.install()
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert {"user", "bot", "action", "slot", "session_started", "active_loop", "restart"} <= names
    for name in sorted(names):
        expected = next(cls for cls in all_subclasses(Event) if cls.type_name == name)  # Rasa's rule
        assert rasa_patches._rasa_resolve_by_type(name) is expected
        assert Event.resolve_by_type(name) is expected
        assert Event.resolve_by_type(name) is expected  # remembered, still the same


def test_unknown_event_types_behave_as_in_rasa():
    from rasa.shared.core.events import Event, SlotSet

    rasa_patches.install()
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")
    assert Event.resolve_by_type("no_such_event", default=SlotSet) is SlotSet
    assert Event.resolve_by_type("topic") is None  # Rasa's backwards compatibility
    assert "no_such_event" not in rasa_patches._event_classes


def test_events_read_back_through_the_patch_are_the_same():
    from rasa.shared.core.events import ActionExecuted, Event, SlotSet, UserUttered

    rasa_patches.install()
    events = [
        UserUttered("hi", {"name": "greet", "confidence": 1.0}),
        ActionExecuted("action_listen"),
        SlotSet("place", "AU", metadata={"checkpoint": True}),
    ]
    assert [Event.from_parameters(e.as_dict()) for e in events] == events
