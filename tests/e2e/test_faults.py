"""When the action server is down, a person still gets a kind reply and the emergency numbers."""

import uuid

import pytest

from bot.knowledge import load_knowledge
from tests.e2e.conftest import running_assistant


@pytest.fixture(scope="module")
def without_actions(tmp_path_factory):
    with running_assistant(tmp_path_factory.mktemp("no-actions"), with_actions=False) as running:
        yield running


def text_of(replies):
    return "\n".join(r.get("text") or "" for r in replies or [])


def test_a_lookup_gets_the_failure_reply_with_every_number(without_actions):
    status, replies = without_actions.post(f"f-{uuid.uuid4().hex}", "someone posted my address online, I'm in Perth")
    assert status == 200
    text = text_of(replies)
    assert "went wrong" in text
    for jurisdiction in load_knowledge().covered():
        number = next(c.phone for c in jurisdiction.contacts if c.kind == "emergency")
        assert number in text


def test_danger_still_gets_the_local_number(without_actions):
    status, replies = without_actions.post(f"f-{uuid.uuid4().hex}", "I'm in Perth and he's outside my house right now")
    assert status == 200 and "000" in text_of(replies)


def test_despair_still_gets_the_crisis_line(without_actions):
    status, replies = without_actions.post(f"f-{uuid.uuid4().hex}", "I live in Toronto and I want to end my life")
    assert status == 200 and "988" in text_of(replies)


def test_widget_channel_also_never_silent(without_actions):
    import json

    sender = uuid.uuid4().hex
    status, _, body = without_actions.request(
        "/webhooks/widget/webhook",
        "POST",
        {"Content-Type": "application/json"},
        json.dumps({"sender": sender, "message": "how do I report this?"}).encode(),
    )
    assert status == 200
    messages = json.loads(body)["messages"]
    assert messages and "went wrong" in messages[0]["text"]
