"""Tracker stores whose trackers have a bounded length, and an in-memory store that forgets.

Rasa rebuilds the whole conversation on every turn: the tracker store replays every
event, the RulePolicy computes a state for every past action, the whole tracker goes
to the action server and back into storage. So a turn's cost grows with the length of
the conversation (docs/benchmarks.md: with Rasa's store, 38 ms in the first 20 turns and
300 ms by turn 200). These stores keep every turn's cost flat, by handing Rasa a tracker that starts
KEEP_TURNS to 2 x KEEP_TURNS turns back instead of at the start of the session.

How, without changing what Rasa decides:

- After every KEEP_TURNS user turns, at the end of a turn (the assistant is listening,
  no loop active, not paused), the store writes a *checkpoint* after that turn's
  events: a marker (a SlotSet of Rasa's built-in `session_started_metadata` slot to
  its current value, with `metadata: {"checkpoint": true}`) and a SlotSet for every
  slot that has been set or differs from its initial value, to its current value.
  Each of these sets a slot to the value it already has, so replaying the events
  with or without them gives the same slots; no event here creates a dialogue state.
- A tracker is read from the second-to-last checkpoint of the current session (or from
  the session start, while there are fewer than two). Replaying from there gives the
  same slots as replaying the whole session (the checkpoint restores them), the same
  latest message and action, and the same last KEEP_TURNS turns or more. Rules look at
  the last few turns only, so the RulePolicy predicts the same action as long as every
  rule is shorter than KEEP_TURNS turns (tests/perf/test_bounded_tracker.py checks the
  rules in data/rules and replays long conversations with and without the bound).
- What an action sees in `tracker.events` is that window: the slots are complete,
  the history goes back at least KEEP_TURNS turns. Actions that need to remember
  something for longer must keep it in a slot (as this project's actions do).

`BoundedInMemoryTrackerStore` (make run) keeps only that window per conversation,
and drops conversations idle for longer than the session expiry
(domain.yml `session_expiration_time`): their next message would start a new session
anyway (carry_over_slots_to_new_session: false), so nothing a person is told changes,
and nobody's words stay in memory longer than their session.

`BoundedSQLTrackerStore` (production, PostgreSQL) keeps every event in Rasa's `events`
table, as Rasa's SQLTrackerStore does (checkpoint rows included; the marker row's
`type_name` is `checkpoint`), reads only the window with one query, writes only the new
events, and does both in a worker thread so that the Rasa server keeps serving other
conversations while PostgreSQL answers.

Both wrap Rasa's own store in `_tracker_store`, the attribute Rasa's wrappers use, so
bot/privacy.py (forget) and bot/retention.py find and delete from the real store.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import logging
import time
from collections import OrderedDict
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore
from rasa.shared.core.constants import ACTION_LISTEN_NAME, SESSION_START_METADATA_SLOT
from rasa.shared.core.conversation import Dialogue
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)

KEEP_TURNS = 10
CHECKPOINT = "checkpoint"  # metadata key of the marker event; type_name of its SQL row
_SAVED = "_bounded_saved"  # on a tracker read from SQL: how many of its events are stored


def is_checkpoint(event: Event) -> bool:
    return isinstance(event, SlotSet) and bool((event.metadata or {}).get(CHECKPOINT))


def turns_since_checkpoint(events: Iterable[Event]) -> int:
    """User turns after the latest checkpoint (all of them if there is none)."""
    turns = 0
    for event in reversed(list(events)):
        if is_checkpoint(event):
            break
        if isinstance(event, UserUttered):
            turns += 1
    return turns


def checkpoint_due(tracker: DialogueStateTracker, turns: int, keep_turns: int) -> bool:
    """A checkpoint goes at the end of a turn only, where a slot replay restores everything."""
    return (
        turns >= keep_turns
        and tracker.latest_action_name == ACTION_LISTEN_NAME
        and not tracker.active_loop_name
        and not tracker.is_paused()
    )


def checkpoint_events(tracker: DialogueStateTracker) -> List[Event]:
    """The marker and a SlotSet to its current value for every slot set or not at its initial value."""
    timestamp = tracker.events[-1].timestamp if tracker.events else time.time()
    metadata_slot = tracker.slots.get(SESSION_START_METADATA_SLOT)
    events: List[Event] = [
        SlotSet(
            SESSION_START_METADATA_SLOT,
            metadata_slot.value if metadata_slot else None,
            timestamp=timestamp,
            metadata={CHECKPOINT: True},
        )
    ]
    for name, slot in tracker.slots.items():
        if name == SESSION_START_METADATA_SLOT:
            continue
        if slot.has_been_set or slot.value != slot.initial_value:
            events.append(SlotSet(name, slot.value, timestamp=timestamp))
    return events


class _Bounded(TrackerStore):
    """What both stores share: the wrapped Rasa store, the domain, the window length."""

    def __init__(self, inner: TrackerStore, keep_turns: int = KEEP_TURNS) -> None:
        from bot import rasa_patches

        rasa_patches.install()  # events are read back on every turn: the faster event lookup
        self._tracker_store = inner
        self.keep_turns = int(keep_turns)
        if self.keep_turns < 2:
            raise ValueError("keep_turns must be at least 2")
        super().__init__(inner.domain, inner.event_broker)

    @property
    def domain(self) -> Domain:
        return self._tracker_store.domain

    @domain.setter
    def domain(self, domain: Optional[Domain]) -> None:
        self._tracker_store.domain = domain or Domain.empty()

    async def keys(self) -> Iterable[Text]:
        return await self._tracker_store.keys()

    async def _publish(self, sender_id: Text, events: List[Event]) -> None:
        if self.event_broker is not None and events:
            await self._stream_new_events(self.event_broker, events, sender_id)


class BoundedInMemoryTrackerStore(_Bounded):
    """In memory (make run): each conversation's window only, dropped once its session expired.

    endpoints.yml:
        tracker_store:
          type: bot.tracker_store.BoundedInMemoryTrackerStore
          keep_turns: 10                # optional
          expire_after_seconds: 3600    # optional; default: the domain's session expiry
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        event_broker: Any = None,
        host: Any = None,
        keep_turns: int = KEEP_TURNS,
        expire_after_seconds: Optional[float] = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(InMemoryTrackerStore(domain or Domain.empty(), event_broker), keep_turns)
        self._expire_after = float(expire_after_seconds) if expire_after_seconds is not None else None
        self._last_active: "OrderedDict[Text, float]" = OrderedDict()  # sender -> last save, oldest first
        self._next_sweep = 0.0
        self._timer: Optional[asyncio.TimerHandle] = None

    @property
    def store(self) -> Dict[Text, Text]:
        return self._tracker_store.store

    def expire_after_seconds(self) -> Optional[float]:
        """Idle time after which a conversation is dropped: the session expiry, unless configured."""
        if self._expire_after is not None:
            return self._expire_after
        config = self.domain.session_config
        if not config.are_sessions_enabled():
            return None  # sessions never expire: a conversation is never dropped
        return config.session_expiration_time * 60

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        self.sweep()
        return await self._tracker_store.retrieve(sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.retrieve(conversation_id)  # only the window is kept

    async def save(self, tracker: DialogueStateTracker) -> None:
        events = list(tracker.events)
        if self.event_broker is not None:
            old = await self._tracker_store.retrieve(tracker.sender_id)
            await self._publish(tracker.sender_id, events[len(old.events) if old else 0 :])
        turns = turns_since_checkpoint(events)
        if checkpoint_due(tracker, turns, self.keep_turns):
            events += checkpoint_events(tracker)
        markers = [i for i, event in enumerate(events) if is_checkpoint(event)]
        if len(markers) >= 2:
            events = events[markers[-2] :]
        self.store[tracker.sender_id] = json.dumps(Dialogue(tracker.sender_id, events).as_dict())
        self._last_active[tracker.sender_id] = time.monotonic()
        self._last_active.move_to_end(tracker.sender_id)
        self.sweep()
        self._schedule_sweep()

    def sweep(self, now: Optional[float] = None) -> int:
        """Drop conversations idle for longer than the expiry; returns how many were dropped."""
        expiry = self.expire_after_seconds()
        now = time.monotonic() if now is None else now
        if expiry is None or now < self._next_sweep:
            return 0
        self._next_sweep = now + min(60.0, max(0.5, expiry / 10))
        dropped = 0
        while self._last_active:
            sender, seen = next(iter(self._last_active.items()))
            if now - seen <= expiry:
                break
            del self._last_active[sender]
            if self.store.pop(sender, None) is not None:
                dropped += 1
        if dropped:
            logger.info("dropped %d conversations idle for more than %d s", dropped, expiry)
        return dropped

    def _schedule_sweep(self) -> None:
        """Sweep again later even without traffic, so nothing stays past its expiry for long."""
        expiry = self.expire_after_seconds()
        if expiry is None or (self._timer is not None and not self._timer.cancelled()):
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        def run() -> None:
            self._timer = None
            self.sweep()
            if self._last_active:
                self._schedule_sweep()

        self._timer = loop.call_later(min(60.0, max(0.5, expiry / 10)) + 0.01, run)


class BoundedSQLTrackerStore(_Bounded):
    """Rasa's SQLTrackerStore, read and written in windows, off the event loop.

    deploy/endpoints.yml: the same settings as `type: SQL`, with
        type: bot.tracker_store.BoundedSQLTrackerStore
        keep_turns: 10   # optional
    """

    def __init__(
        self,
        domain: Optional[Domain] = None,
        host: Optional[Text] = None,
        event_broker: Any = None,
        keep_turns: int = KEEP_TURNS,
        **kwargs: Any,
    ) -> None:
        super().__init__(SQLTrackerStore(domain=domain, host=host, event_broker=event_broker, **kwargs), keep_turns)
        self._create_indexes()

    @property
    def sql(self) -> SQLTrackerStore:
        return self._tracker_store

    def _create_indexes(self) -> None:
        """Rasa indexes `events` by sender only; reading a window needs (sender, type, id) and (sender, id)."""
        import sqlalchemy as sa

        with self.sql.engine.begin() as connection:
            for name, columns in (
                ("ix_events_sender_type_id", "sender_id, type_name, id"),
                ("ix_events_sender_id_id", "sender_id, id"),
            ):
                try:
                    connection.execute(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON events ({columns})"))
                except Exception as error:  # noqa: BLE001 - several replicas may race; the index exists then
                    logger.warning("could not create index %s: %s", name, type(error).__name__)

    # Window: from the second-to-last checkpoint after the latest session start, or from that start.
    _WINDOW = """
        WITH s AS (SELECT COALESCE(MAX(id), 0) AS id FROM events
                   WHERE sender_id = :sender AND type_name = 'session_started'),
             c AS (SELECT e.id FROM events e, s
                   WHERE e.sender_id = :sender AND e.type_name = :checkpoint AND e.id > s.id
                   ORDER BY e.id DESC LIMIT 1 OFFSET 1)
        SELECT data FROM events
        WHERE sender_id = :sender AND id >= COALESCE((SELECT id FROM c), (SELECT id FROM s))
        ORDER BY id
    """

    def _retrieve_sync(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        import sqlalchemy as sa

        with self.sql.session_scope() as session:
            rows = session.execute(sa.text(self._WINDOW), {"sender": sender_id, "checkpoint": CHECKPOINT}).all()
        if not rows:
            return None
        tracker = DialogueStateTracker.from_dict(sender_id, [json.loads(row[0]) for row in rows], self.domain.slots)
        setattr(tracker, _SAVED, len(tracker.events))
        return tracker

    async def retrieve(self, sender_id: Text) -> Optional[DialogueStateTracker]:
        return await asyncio.get_running_loop().run_in_executor(None, self._retrieve_sync, sender_id)

    async def retrieve_full_tracker(self, conversation_id: Text) -> Optional[DialogueStateTracker]:
        return await self.sql.retrieve_full_tracker(conversation_id)

    def init_tracker(self, sender_id: Text) -> DialogueStateTracker:
        tracker = super().init_tracker(sender_id)
        setattr(tracker, _SAVED, 0)
        return tracker

    def _rows(self, sender_id: Text, events: List[Event], marker_index: Optional[int]) -> List[Dict[str, Any]]:
        rows = []
        for index, event in enumerate(events):
            data = event.as_dict()
            rows.append(
                {
                    "sender_id": sender_id,
                    "type_name": CHECKPOINT if index == marker_index else event.type_name,
                    "timestamp": data.get("timestamp"),
                    "intent_name": (data.get("parse_data") or {}).get("intent", {}).get("name"),
                    "action_name": data.get("name"),
                    "data": json.dumps(data),
                }
            )
        return rows

    def _save_sync(self, tracker: DialogueStateTracker) -> List[Event]:
        with self.sql.session_scope() as session:
            saved = getattr(tracker, _SAVED, None)
            if saved is None:  # a tracker this store did not read (Rasa's HTTP API): Rasa's own count
                new = list(self.sql._additional_events(session, tracker))
            else:
                new = list(itertools.islice(tracker.events, saved, None))
            stored = list(new)
            marker = None
            if new and checkpoint_due(tracker, turns_since_checkpoint(tracker.events), self.keep_turns):
                marker = len(stored)
                stored += checkpoint_events(tracker)
            if stored:
                session.execute(self.sql.SQLEvent.__table__.insert(), self._rows(tracker.sender_id, stored, marker))
                session.commit()
        if marker is not None:  # the tracker now matches what is stored (these events change nothing)
            for event in stored[marker:]:
                tracker.update(event)
        setattr(tracker, _SAVED, len(tracker.events))
        return new

    async def save(self, tracker: DialogueStateTracker) -> None:
        new = await asyncio.get_running_loop().run_in_executor(None, self._save_sync, tracker)
        await self._publish(tracker.sender_id, new)
