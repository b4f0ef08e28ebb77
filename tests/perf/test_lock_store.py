"""bot.lock_store.RedisLockStore: Rasa's ticket lock, shared with Rasa's own RedisLockStore.

Runs a private redis-server on a free port (skipped where Debian's redis-server is missing).
"""

import asyncio
import shutil
import socket
import subprocess
import time

import pytest
from rasa.core.lock_store import LockError
from rasa.core.lock_store import RedisLockStore as RasasRedisLockStore
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import RedisLockStore

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="redis-server not installed")


@pytest.fixture(scope="module")
def redis_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
    )
    for _ in range(50):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    yield port
    server.terminate()
    server.wait(timeout=10)


def stores(port):
    ours = RedisLockStore(EndpointConfig(url="127.0.0.1", port=port, db=2, key_prefix="test"))
    rasas = RasasRedisLockStore(host="127.0.0.1", port=port, db=2, key_prefix="test")
    return ours, rasas


async def test_a_conversation_is_served_one_turn_at_a_time_in_order(redis_port):
    replica_a, _ = stores(redis_port)
    replica_b, _ = stores(redis_port)
    order, inside = [], []

    async def turn(store, name, delay):
        await asyncio.sleep(delay)
        async with store.lock("conv"):
            inside.append(name)
            assert len(inside) == 1, "two turns of one conversation at once"
            await asyncio.sleep(0.05)
            order.append(name)
            inside.remove(name)

    for store in (replica_a, replica_b):  # connections and scripts loaded: arrival order is call order
        async with store.lock("warm-up"):
            pass
    await asyncio.gather(*(turn((replica_a, replica_b)[i % 2], i, i * 0.03) for i in range(6)))
    assert order == list(range(6))  # first come, first served, across replicas


async def test_other_conversations_do_not_wait(redis_port):
    store, _ = stores(redis_port)
    async with store.lock("busy"):
        started = time.monotonic()
        async with store.lock("free"):
            pass
        assert time.monotonic() - started < 0.5


async def test_the_lock_is_rasas_ticket_lock(redis_port):
    ours, rasas = stores(redis_port)
    async with ours.lock("shared"):
        lock = rasas.get_lock("shared")  # Rasa's store reads what ours wrote
        assert [t.number for t in lock.tickets] == [0] and lock.conversation_id == "shared"
        assert rasas.issue_ticket("shared") == 1  # and queues behind it
        assert [t.number for t in rasas.get_lock("shared").tickets] == [0, 1]
    assert [t.number for t in rasas.get_lock("shared").tickets] == [1]  # ours gave its ticket back
    rasas.cleanup("shared", 1)
    assert rasas.get_lock("shared") is None
    async with ours.lock("shared"):
        pass
    assert rasas.get_lock("shared") is None  # nothing left behind


async def test_an_expired_ticket_does_not_block(redis_port):
    ours, rasas = stores(redis_port)
    rasas.issue_ticket("stale", lock_lifetime=0.1)  # a replica that died holding the lock
    await asyncio.sleep(0.2)
    started = time.monotonic()
    async with ours.lock("stale"):
        assert time.monotonic() - started < 0.5


async def test_a_held_lock_makes_the_next_turn_wait_until_released(redis_port):
    ours, _ = stores(redis_port)
    released = asyncio.Event()

    async def holder():
        async with ours.lock("wait"):
            await asyncio.sleep(0.3)
            released.set()

    async def waiter():
        await asyncio.sleep(0.05)
        async with ours.lock("wait"):
            assert released.is_set()

    await asyncio.gather(holder(), waiter())


async def test_redis_down_is_a_lock_error():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    store = RedisLockStore(host="127.0.0.1", port=port, socket_timeout=1)
    with pytest.raises(LockError):
        async with store.lock("x"):
            pass


def test_the_production_endpoints_use_it(monkeypatch):
    from pathlib import Path

    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    for var, value in {
        "ACTION_ENDPOINT_URL": "x",
        "DB_HOST": "x",
        "DB_PORT": "5432",
        "DB_NAME": "x",
        "DB_USER": "x",
        "DB_PASSWORD": "x",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "x",
        "REDIS_DB": "1",
    }.items():
        monkeypatch.setenv(var, value)
    config = read_endpoint_config(str(Path(__file__).resolve().parents[2] / "deploy" / "endpoints.yml"), "lock_store")
    store = LockStore.create(config)  # Redis is only reached on first use
    assert type(store) is RedisLockStore
    assert store.key_prefix == "abusesupport:lock:" and store.poll_seconds == 0.05


def test_the_forgotten_guard_is_shared_through_this_lock_store(redis_port):
    """bot/privacy.py keeps quick exit's guard in the lock store's Redis, seen by every replica."""
    import types

    from bot import privacy

    if not hasattr(privacy, "forgotten_guard"):
        pytest.skip("bot/privacy.py has no forgotten-conversation guard")
    ours, _ = stores(redis_port)
    guard = privacy.forgotten_guard(types.SimpleNamespace(lock_store=ours))
    assert isinstance(guard, privacy.RedisGuard)
    token = guard.mark("gone")
    assert privacy.forgotten_guard(types.SimpleNamespace(lock_store=stores(redis_port)[0])).current("gone") == token
