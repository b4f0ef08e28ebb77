"""The bounded tracker stores (bot/tracker_store.py) hand Rasa a short tracker that decides like the whole one.

Long synthetic conversations go through each store turn by turn, beside a tracker that
keeps every event (what Rasa's own stores give). After every turn the stored tracker
must have the same slots, latest message and action, the same dialogue states for at
least the last KEEP_TURNS turns (what the RulePolicy matches its rules against), and a
bounded length. The SQL store runs on SQLite here; the stack tests run it on PostgreSQL.
"""

import asyncio
import time
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore, TrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader
from rasa.utils.endpoints import read_endpoint_config

from bot import privacy, retention
from bot.tracker_store import CHECKPOINT, KEEP_TURNS, BoundedInMemoryTrackerStore, BoundedSQLTrackerStore, is_checkpoint

ROOT = Path(__file__).resolve().parents[2]

DOMAIN = Domain.from_yaml("""
version: "3.1"
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: false
intents: [greet, inform, ask]
entities: [place]
slots:
  place:
    type: text
    influence_conversation: true
    mappings: [{type: from_entity, entity: place}]
  pending:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
  opened:
    type: bool
    initial_value: false
    influence_conversation: true
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: hi}]
actions: [action_answer, action_place]
""")


def turn_events(turn: int):
    """One turn: the person speaks, an action answers and sets slots in a changing pattern."""
    intent = ["greet", "inform", "ask"][turn % 3]
    events = [
        UserUttered(
            f"message {turn}",
            {"name": intent, "confidence": 1.0},
            [{"entity": "place", "value": f"P{turn}"}] if intent == "inform" else [],
        )
    ]
    if intent == "inform" and turn < 25:  # the place is set early on, then left alone for a long time
        events.append(SlotSet("place", f"P{turn}"))
    action = "action_place" if intent == "inform" else "action_answer"
    events += [ActionExecuted(action), BotUttered(f"reply {turn}")]
    if turn == 2:
        events.append(SlotSet("opened", True))
    if turn % 7 == 0:
        events.append(SlotSet("pending", f"q{turn}"))
    if turn % 7 == 3:
        events.append(SlotSet("pending", None))
    events.append(ActionExecuted("action_listen"))
    return events


def session_start_events():
    return [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]


def slot_values(tracker):
    return {name: slot.value for name, slot in tracker.slots.items()}


def user_turns(tracker):
    return [e.text for e in tracker.events if isinstance(e, UserUttered)]


def assert_decides_like(bounded: DialogueStateTracker, full: DialogueStateTracker, keep_turns: int):
    assert slot_values(bounded) == slot_values(full)
    assert bounded.latest_message.text == full.latest_message.text
    assert bounded.latest_action_name == full.latest_action_name
    assert bounded.active_loop_name == full.active_loop_name
    kept = user_turns(bounded)
    assert kept == user_turns(full)[-len(kept) :]
    assert len(kept) >= min(keep_turns, len(user_turns(full)))
    assert len(kept) <= 2 * keep_turns + 1  # bounded, whatever the length of the conversation
    states, full_states = bounded.past_states(DOMAIN), full.past_states(DOMAIN)
    depth = 2 * keep_turns  # two actions per turn here: KEEP_TURNS turns of states
    assert states[-depth:] == full_states[-depth:]


async def converse(store: TrackerStore, sender: str, turns: int, keep_turns: int):
    full = DialogueStateTracker(sender, DOMAIN.slots)
    for event in session_start_events():
        full.update(event, DOMAIN)
    tracker = await store.get_or_create_tracker(sender, append_action_listen=False)
    for event in session_start_events():
        tracker.update(event, DOMAIN)
    await store.save(tracker)
    for turn in range(turns):
        tracker = await store.retrieve(sender)
        assert_decides_like(tracker, full, keep_turns)
        for event in turn_events(turn):
            tracker.update(event, DOMAIN)
            full.update(event, DOMAIN)
        await store.save(tracker)
    tracker = await store.retrieve(sender)
    assert_decides_like(tracker, full, keep_turns)
    return tracker, full


@pytest.mark.parametrize("keep_turns", [3, KEEP_TURNS])
async def test_in_memory_store_decides_like_the_whole_tracker(keep_turns):
    store = BoundedInMemoryTrackerStore(DOMAIN, keep_turns=keep_turns)
    tracker, full = await converse(store, "someone", 80, keep_turns)
    assert len(tracker.events) < len(full.events) / 2
    assert sum(is_checkpoint(e) for e in tracker.events) == 2  # the window starts at the second-to-last


async def sql_store(tmp_path, keep_turns=KEEP_TURNS):
    return BoundedSQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"), keep_turns=keep_turns)


@pytest.mark.parametrize("keep_turns", [3, KEEP_TURNS])
async def test_sql_store_decides_like_the_whole_tracker_and_keeps_every_event(tmp_path, keep_turns):
    store = await sql_store(tmp_path, keep_turns)
    tracker, full = await converse(store, "someone", 60, keep_turns)
    # Every event is stored, as with Rasa's SQLTrackerStore, plus the checkpoints.
    everything = await store.retrieve_full_tracker("someone")
    assert [e.text for e in everything.events if isinstance(e, UserUttered)] == user_turns(full)
    assert slot_values(everything) == slot_values(full)
    with store.sql.session_scope() as session:
        markers = session.query(SQLTrackerStore.SQLEvent).filter_by(type_name=CHECKPOINT).count()
    assert markers == 60 // keep_turns
    # Rasa's own SQL store reads the same table (checkpoints included) to the same state.
    plain = SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    assert slot_values(await plain.retrieve("someone")) == slot_values(full)


async def test_sql_store_continues_a_conversation_read_by_another_replica(tmp_path):
    """Two stores on one database (two replicas): turns alternate, nothing is lost or doubled."""
    first, second = await sql_store(tmp_path, 3), await sql_store(tmp_path, 3)
    full = DialogueStateTracker("x", DOMAIN.slots)
    tracker = await first.get_or_create_tracker("x", append_action_listen=False)
    for event in session_start_events():
        tracker.update(event, DOMAIN)
        full.update(event, DOMAIN)
    await first.save(tracker)
    for turn in range(20):
        store = (first, second)[turn % 2]
        tracker = await store.retrieve("x")
        for event in turn_events(turn):
            tracker.update(event, DOMAIN)
            full.update(event, DOMAIN)
        await store.save(tracker)
        assert_decides_like(await (second, first)[turn % 2].retrieve("x"), full, 3)
    everything = await first.retrieve_full_tracker("x")
    assert [e.text for e in everything.events if isinstance(e, UserUttered)] == user_turns(full)


async def test_a_new_session_starts_the_window_again(tmp_path):
    store = await sql_store(tmp_path, 3)
    await converse(store, "y", 20, 3)
    tracker = await store.retrieve("y")
    for event in session_start_events():
        tracker.update(event, DOMAIN)
    await store.save(tracker)
    tracker = await store.retrieve("y")
    assert user_turns(tracker) == []  # the session start is where the current session begins
    assert slot_values(tracker)["place"] is None  # not carried over


async def test_forget_and_retention_still_delete_from_the_real_stores(tmp_path):
    memory = BoundedInMemoryTrackerStore(DOMAIN)
    await converse(memory, "a", 3, KEEP_TURNS)
    assert await privacy.forget(memory, "a") is True
    assert await memory.retrieve("a") is None

    sql = await sql_store(tmp_path)
    await converse(sql, "b", 3, KEEP_TURNS)
    await converse(sql, "c", 3, KEEP_TURNS)
    assert await privacy.forget(sql, "b") is True
    assert await sql.retrieve("b") is None and await sql.retrieve_full_tracker("b") is None
    assert retention.purge_store(sql, 1, now=time.time() + 2 * 86400) == 1
    assert await sql.retrieve("c") is None


async def test_in_memory_store_drops_conversations_once_their_session_expired():
    store = BoundedInMemoryTrackerStore(DOMAIN)
    assert store.expire_after_seconds() == 60 * 60  # the domain's session_expiration_time
    for sender in ("old", "new"):
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered("hi"))
        await store.save(tracker)
    store._last_active["old"] -= 3601
    store._next_sweep = 0
    assert store.sweep() == 1
    assert await store.retrieve("old") is None and await store.retrieve("new") is not None
    assert list(await store.keys()) == ["new"]


async def test_in_memory_store_sweeps_without_traffic():
    store = BoundedInMemoryTrackerStore(DOMAIN, expire_after_seconds=0.2)
    tracker = await store.get_or_create_tracker("quiet")
    await store.save(tracker)
    await asyncio.sleep(1.5)  # no further message: the timer sweeps
    assert "quiet" not in store.store


def test_sessions_that_never_expire_are_never_dropped():
    domain = Domain.from_yaml('version: "3.1"\nsession_config:\n  session_expiration_time: 0\n')
    store = BoundedInMemoryTrackerStore(domain)
    store.store["x"] = "{}"
    store._last_active["x"] = 0.0
    assert store.expire_after_seconds() is None and store.sweep(now=1e12) == 0 and "x" in store.store


def test_every_rule_is_shorter_than_the_window():
    """The RulePolicy matches rules against the last turns; all of them must be inside the window."""
    domain = Domain.load(str(ROOT / "domain.yml"))
    longest = 0
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in YAMLStoryReader(domain).read_from_file(path):
            longest = max(longest, sum(isinstance(e, UserUttered) for e in rule.events))
    assert 0 < longest < KEEP_TURNS


@pytest.mark.parametrize(
    "path,kind",
    [
        (ROOT / "endpoints.yml", BoundedInMemoryTrackerStore),
        (ROOT / "deploy" / "endpoints.yml", BoundedSQLTrackerStore),
    ],
)
def test_the_endpoints_use_the_bounded_stores(path, kind, monkeypatch):
    for var in (
        "ACTION_ENDPOINT_URL",
        "DB_HOST",
        "DB_NAME",
        "DB_USER",
        "DB_PASSWORD",
        "REDIS_HOST",
        "REDIS_PASSWORD",
        "REDIS_DB",
    ):
        monkeypatch.setenv(var, "x")
    for var in ("DB_PORT", "REDIS_PORT"):
        monkeypatch.setenv(var, "5432")
    config = read_endpoint_config(str(path), "tracker_store")
    assert config.type == f"{kind.__module__}.{kind.__name__}"
    if kind is BoundedInMemoryTrackerStore:  # Rasa falls back to its own store, with a warning, on any error
        assert type(TrackerStore.create(config, DOMAIN)) is kind
