"""Rasa's Redis ticket lock, in two non-blocking round trips per turn instead of seven blocking ones.

Rasa's RedisLockStore takes a conversation's lock with GET+SET (a ticket), GET (is it mine?),
and gives it back with GET+SET (drop the ticket), GET (anyone waiting?), DEL: seven
round trips on the synchronous redis client, each blocking the server's event loop (all
the conversations a replica serves) while Redis answers, and not atomic between replicas.
A waiting request polls once a second.

`RedisLockStore` (this module's) keeps the same lock, stored the same way (the same key,
`<key_prefix>:lock:<conversation id>`, and the same TicketLock JSON, so replicas running
Rasa's own store during a rolling update share the locks), with the same rules: tickets in
the order they were asked for, each valid for LOCK_LIFETIME seconds, the first valid one is
served. Taking a ticket (and learning whether it is served) and giving it back are each one
Lua script, atomic in Redis, on redis-py's asyncio client: the event loop serves other
conversations meanwhile. A request that has to wait checks again every 0.05 s, not every
second.

deploy/endpoints.yml:
    lock_store:
      type: bot.lock_store.RedisLockStore
      url: ...   port, password, db, key_prefix, use_ssl: as for `type: redis`
"""

from __future__ import annotations

import asyncio
import logging
import time
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, Optional, Text

from rasa.core import lock_store as rasa_lock_store
from rasa.core.lock import TicketLock
from rasa.core.lock_store import LOCK_LIFETIME, LockError

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.05

# Both scripts drop expired tickets first, as TicketLock does before every decision.
# KEYS[1] = lock key; ARGV = now, lifetime, conversation id. Returns {ticket, now serving}.
_TAKE = """
local raw = redis.call('GET', KEYS[1])
local now = tonumber(ARGV[1])
local kept, last = {}, -1
if raw then
  local lock = cjson.decode(raw)
  for _, encoded in ipairs(lock['tickets'] or {}) do
    local ticket = cjson.decode(encoded)
    if ticket['expires'] >= now then table.insert(kept, encoded); last = ticket['number'] end
  end
end
local number = last + 1
table.insert(kept, cjson.encode({number = number, expires = now + tonumber(ARGV[2])}))
redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[3], tickets = kept}))
return {number, cjson.decode(kept[1])['number']}
"""

# KEYS[1] = lock key; ARGV = now, the ticket to drop ('' to drop none), conversation id.
# Returns the number now served, or false when no valid ticket is left (the key is deleted).
_UPDATE = """
local raw = redis.call('GET', KEYS[1])
if not raw then return false end
local now = tonumber(ARGV[1])
local lock = cjson.decode(raw)
local kept = {}
for _, encoded in ipairs(lock['tickets'] or {}) do
  local ticket = cjson.decode(encoded)
  if ticket['expires'] >= now and tostring(ticket['number']) ~= ARGV[2] then table.insert(kept, encoded) end
end
if #kept == 0 then redis.call('DEL', KEYS[1]); return false end
redis.call('SET', KEYS[1], cjson.encode({conversation_id = ARGV[3], tickets = kept}))
return cjson.decode(kept[1])['number']
"""


class RedisLockStore(rasa_lock_store.RedisLockStore):
    """Rasa's RedisLockStore, under the same class name: bot/privacy.py finds the Redis that every
    replica shares (its forgotten-conversation guard) by that name, and uses `red` and `key_prefix`."""

    def __init__(self, endpoint_config: Any = None, **settings: Any) -> None:
        """Takes RedisLockStore's settings (host, port, db, username, password, use_ssl, ssl_*,
        key_prefix, socket_timeout), and poll_seconds; Rasa passes them as an endpoint_config."""
        if endpoint_config is not None:  # how Rasa builds a lock store named by its module path
            settings = {**endpoint_config.kwargs, "host": endpoint_config.url or "localhost", **settings}
        self.poll_seconds = float(settings.pop("poll_seconds", POLL_SECONDS))
        super().__init__(**settings)  # Rasa's own store: its checks, its key prefix, its synchronous client
        import redis.asyncio

        self.ared = redis.asyncio.Redis(
            host=settings.get("host", "localhost"),
            port=int(settings.get("port", 6379)),
            db=int(settings.get("db", 1)),
            username=settings.get("username"),
            password=settings.get("password"),
            ssl=bool(settings.get("use_ssl", False)),
            ssl_certfile=settings.get("ssl_certfile"),
            ssl_keyfile=settings.get("ssl_keyfile"),
            ssl_ca_certs=settings.get("ssl_ca_certs"),
            socket_timeout=float(settings.get("socket_timeout", 10)),
        )
        self._take_script = self.ared.register_script(_TAKE)
        self._update_script = self.ared.register_script(_UPDATE)

    async def _take(self, conversation_id: Text, lifetime: float):
        ticket, serving = await self._take_script(
            keys=[self.key_prefix + conversation_id], args=[repr(time.time()), repr(float(lifetime)), conversation_id]
        )
        return int(ticket), int(serving)

    async def _update(self, conversation_id: Text, drop: Optional[int] = None) -> Optional[int]:
        serving = await self._update_script(
            keys=[self.key_prefix + conversation_id],
            args=[repr(time.time()), "" if drop is None else str(drop), conversation_id],
        )
        return None if serving is None else int(serving)

    @asynccontextmanager
    async def lock(
        self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: Optional[float] = None
    ) -> AsyncGenerator[TicketLock, None]:
        wait = self.poll_seconds if wait_time_in_seconds is None else min(wait_time_in_seconds, self.poll_seconds)
        try:
            ticket, serving = await self._take(conversation_id, lock_lifetime)
        except Exception as error:  # noqa: BLE001 - as Rasa's issue_ticket: any failure is a LockError
            raise LockError(f"Error while acquiring lock. Error:\n{error}") from error
        try:
            while serving != ticket:
                if serving is None:  # every ticket expired, ours too
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(wait)
                serving = await self._update(conversation_id)
            yield TicketLock(conversation_id)
        finally:
            try:
                await self._update(conversation_id, drop=ticket)
            except Exception:  # noqa: BLE001 - the ticket expires by itself; never mask the turn's own error
                logger.exception("could not release the lock of a conversation")
