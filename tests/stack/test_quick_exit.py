"""Quick exit holds across replicas (scripts/stack.sh up 2: two Rasa replicas sharing PostgreSQL
and Redis). A widget message that is still being answered on replica B while quick exit runs on
replica A must not bring the conversation back, and B must refuse that conversation afterwards
although the quick exit never reached it.

To have a message truly in flight on B at the moment of the quick exit, the test holds the
conversation's lock in Redis itself, through Rasa's own RedisLockStore with the stack's
settings: B's message then waits for the lock exactly as it would behind a slow earlier message.
With the forgotten-guard in one process's memory (before issue 11), B answered 200 and saved the
conversation again after A had deleted it.

Run by `make stack-test`, which starts and stops the stack around these tests."""

import asyncio
import json
import os
import subprocess
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Dict, Tuple

import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / ".run" / "stack"
RASA_BASE = int(os.environ.get("RASA_BASE_PORT", "5106"))
DB_PORT = os.environ.get("DB_PORT", "5433")

pytestmark = pytest.mark.skipif(not (RUN / "replicas").exists(), reason="stack not running: use `make stack-test`")


def lock_store():
    from rasa.core.lock_store import RedisLockStore

    return RedisLockStore(
        host="127.0.0.1",
        port=int(os.environ.get("REDIS_PORT", "6380")),
        db=int(os.environ.get("REDIS_DB", "1")),
        password=os.environ.get("REDIS_PASSWORD", "redis-local-only"),
        key_prefix="abusesupport",
    )  # deploy/endpoints.yml's lock_store key_prefix


def widget(base: str, path: str, body: Dict) -> Tuple[int, Dict]:
    request = urllib.request.Request(
        f"{base}/webhooks/widget/{path}", data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else {}
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else {}


def replica(index: int) -> str:
    return f"http://127.0.0.1:{RASA_BASE + index}"


def psql(sql: str) -> str:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    env = dict(os.environ, PGPASSWORD=os.environ.get("DB_PASSWORD", "rasa-local-only"))
    return subprocess.run(
        [str(pg_bin / "psql"), "-h", "127.0.0.1", "-p", DB_PORT, "-U", "rasa", "-d", "rasa", "-qtA", "-c", sql],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.strip()


def events(sender: str) -> int:
    return int(psql(f"select count(*) from events where sender_id = '{sender}'"))


def test_a_message_in_flight_on_b_during_quick_exit_on_a_does_not_bring_the_conversation_back():
    a, b = replica(0), replica(1)
    sender = uuid.uuid4().hex
    status, reply = widget(a, "webhook", {"sender": sender, "message": "someone posted my address, I live in Hobart"})
    assert status == 200 and reply["messages"]
    assert events(sender) > 0
    store = lock_store()
    in_flight: Dict[str, Tuple[int, Dict]] = {}

    def message_on_b():
        in_flight["b"] = widget(b, "webhook", {"sender": sender, "message": "he keeps messaging my family"})

    async def scenario():
        # Hold the conversation's lock, as a slow earlier message would.
        async with store.lock(sender, lock_lifetime=60, wait_time_in_seconds=0.1):
            thread = threading.Thread(target=message_on_b)
            thread.start()
            deadline = time.monotonic() + 30
            while len(store.get_or_create_lock(sender).tickets) < 2:  # B's message is waiting for the lock
                assert time.monotonic() < deadline, "replica B's message never queued for the lock"
                await asyncio.sleep(0.05)
            status, _ = widget(a, "forget", {"sender": sender})  # quick exit, on the other replica
            assert status == 204
            assert events(sender) == 0
        return thread

    thread = asyncio.run(scenario())
    thread.join(120)
    assert not thread.is_alive()
    status, body = in_flight["b"]
    assert status == 410, (status, body)  # B answered, saw the quick exit in Redis, and forgot again
    assert "messages" not in body
    assert events(sender) == 0  # the conversation did not come back

    # B never received the quick exit itself, and still refuses the conversation for a while.
    status, _ = widget(b, "webhook", {"sender": sender, "message": "hello again"})
    assert status == 410
    assert events(sender) == 0


def test_the_guard_keeps_no_message_text_in_redis():
    sender = uuid.uuid4().hex
    marker = f"qxmarker{uuid.uuid4().hex[:8]}"
    widget(replica(0), "webhook", {"sender": sender, "message": f"my ex {marker} is outside"})
    assert widget(replica(1), "forget", {"sender": sender})[0] == 204
    red = lock_store().red
    keys = [k.decode() for k in red.keys(f"abusesupport:forgotten:{sender}")]
    assert keys == [f"abusesupport:forgotten:{sender}"]
    value = red.get(keys[0]).decode()
    assert marker not in value and len(value) <= 32
    assert 0 < red.ttl(keys[0]) <= 300  # it expires by itself
