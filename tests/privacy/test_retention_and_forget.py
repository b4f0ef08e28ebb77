"""Retention and "forget me" against real Rasa tracker stores (SQLite stands in for PostgreSQL:
same SQLTrackerStore code, same queries)."""

import time

import pytest
from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

import bot.retention as retention
from bot.config import settings
from bot.privacy import forget
from bot.retention import purge_store, retention_days

DOMAIN = Domain.from_path("domain.yml")
DAY = 86400


def tracker(sender: str, age_days: float) -> DialogueStateTracker:
    when = time.time() - age_days * DAY
    events = [UserUttered("hello", timestamp=when), SlotSet("victim_country", "AU", timestamp=when + 1)]
    return DialogueStateTracker.from_events(sender, events, slots=DOMAIN.slots)


@pytest.fixture
def sql_store(tmp_path):
    return SQLTrackerStore(DOMAIN, dialect="sqlite", db=str(tmp_path / "trackers.db"))


async def test_purge_deletes_only_idle_conversations(sql_store):
    for sender, age in (("old-1", 45), ("old-2", 31), ("recent", 2), ("today", 0)):
        await sql_store.save(tracker(sender, age))
    assert purge_store(sql_store, 30) == 2
    assert set(await sql_store.keys()) == {"recent", "today"}


async def test_a_conversation_with_recent_activity_is_kept_whole(sql_store):
    old = tracker("busy", 60)
    old.update(UserUttered("still here", timestamp=time.time()))
    await sql_store.save(old)
    assert purge_store(sql_store, 30) == 0
    kept = await sql_store.retrieve("busy")
    assert len([e for e in kept.events if isinstance(e, UserUttered)]) == 2


def test_retention_period_from_environment(monkeypatch):
    monkeypatch.delenv("TRACKER_RETENTION_DAYS", raising=False)
    settings.cache_clear()
    assert retention_days() == 30  # bot/config.py's default
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "7")
    settings.cache_clear()
    assert retention_days() == 7
    settings.cache_clear()  # the next test reads the environment afresh


def test_the_purge_command_takes_the_period_from_the_settings(monkeypatch, capsys):
    monkeypatch.setenv("TRACKER_RETENTION_DAYS", "12")
    settings.cache_clear()
    seen = []
    monkeypatch.setattr(retention, "_store", lambda endpoints: InMemoryTrackerStore(DOMAIN))
    monkeypatch.setattr(retention, "purge_store", lambda store, days: seen.append(days) or 0)
    try:
        assert retention.main(["purge"]) == 0
        assert retention.main(["purge", "--older-than-days", "3"]) == 0
    finally:
        settings.cache_clear()
    assert seen == [12, 3]
    assert "idle for more than 12 days" in capsys.readouterr().out


def test_in_memory_store_needs_no_purge():
    assert purge_store(InMemoryTrackerStore(DOMAIN), 30) == 0


async def test_forget_deletes_from_sql(sql_store):
    await sql_store.save(tracker("me", 0))
    await sql_store.save(tracker("someone-else", 0))
    assert await forget(sql_store, "me") is True
    assert await sql_store.retrieve("me") is None
    assert await sql_store.retrieve("someone-else") is not None


async def test_forget_deletes_from_memory():
    store = InMemoryTrackerStore(DOMAIN)
    await store.save(tracker("me", 0))
    assert await forget(store, "me") is True
    assert await store.retrieve("me") is None


def test_session_expiry_is_configured():
    assert DOMAIN.session_config.session_expiration_time == 60
    assert DOMAIN.session_config.carry_over_slots is False
