"""The forgotten-conversation guard (bot/privacy.py): in Redis when Rasa's lock store is Redis,
so that every replica sees a quick exit; in memory otherwise. Redis is a small fake here with
redis-py's get/set(ex=) semantics; the stack test (tests/stack/test_quick_exit.py) uses the
real one, with two replicas."""

import time
from types import SimpleNamespace

from rasa.core.lock_store import InMemoryLockStore, RedisLockStore

from bot import privacy
from bot.privacy import MemoryGuard, RedisGuard, forgotten_guard, guard_key_prefix


class FakeRedis:
    def __init__(self, fail: bool = False) -> None:
        self.data, self.ttl, self.fail = {}, {}, fail

    def set(self, key, value, ex=None):
        if self.fail:
            raise ConnectionError("redis down")
        self.data[key] = value.encode()
        self.ttl[key] = ex

    def get(self, key):
        if self.fail:
            raise ConnectionError("redis down")
        return self.data.get(key)


def redis_lock_store(red) -> RedisLockStore:
    store = RedisLockStore(host="127.0.0.1", port=1, key_prefix="abusesupport")  # connects lazily: never here
    store.red = red
    return store


def test_memory_guard_marks_and_expires():
    guard = MemoryGuard(ttl=0.2)
    assert guard.current("a") is None
    mark = guard.mark("a")
    assert guard.current("a") == mark and guard.current("b") is None
    assert guard.mark("a") != mark  # each forget is a new mark: a message can tell one happened meanwhile
    time.sleep(0.25)
    assert guard.current("a") is None


def test_without_a_redis_lock_store_the_guard_is_in_memory():
    assert forgotten_guard(None) is privacy._MEMORY
    assert forgotten_guard(SimpleNamespace(lock_store=InMemoryLockStore())) is privacy._MEMORY


def test_with_a_redis_lock_store_two_replicas_share_the_guard():
    red = FakeRedis()
    replica_a = SimpleNamespace(lock_store=redis_lock_store(red))
    replica_b = SimpleNamespace(lock_store=redis_lock_store(red))
    guard_a, guard_b = forgotten_guard(replica_a), forgotten_guard(replica_b)
    assert isinstance(guard_a, RedisGuard) and guard_a is not guard_b
    guard_b.local = MemoryGuard()  # replica B is another process: it shares nothing but Redis
    mark = guard_a.mark("sender-1")
    assert guard_b.current("sender-1") == mark
    assert guard_b.current("sender-2") is None
    assert red.data == {"abusesupport:forgotten:sender-1": mark.encode()}  # the id and a random mark only
    assert red.ttl["abusesupport:forgotten:sender-1"] == privacy.FORGOTTEN_FOR  # Redis expires it


def test_when_redis_fails_this_replica_still_remembers():
    red = FakeRedis()
    guard = RedisGuard(red, "p:forgotten:", MemoryGuard())
    red.fail = True
    mark = guard.mark("s")  # logged, not raised: the forget itself still happens
    assert guard.current("s") == mark


def test_key_prefix_sits_beside_rasas_lock_keys():
    assert guard_key_prefix("abusesupport:lock:") == "abusesupport:forgotten:"
    assert guard_key_prefix("lock:") == "forgotten:"
    assert guard_key_prefix("custom:") == "custom:forgotten:"
