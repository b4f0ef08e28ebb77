"""The faster action-response check accepts and rejects exactly what Rasa's own does."""
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction

from bot import rasa_patches

GOOD = [
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "harm", "value": "doxxing"}],
     "responses": [{"text": "hi", "buttons": [{"title": "A", "payload": "/a"}]}]},
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
