"""Several helpline processes on one database: Redis for locks and delivery nudges.

* :class:`RedisConversationLocks` — the per-conversation lock of the message flow, held in
  Redis so two processes never decide messages of one conversation at the same time. An
  in-process lock in front of it keeps a busy conversation from polling Redis.
* :class:`Nudges` — after a reply is stored, the process publishes the conversation id;
  every process that has the customer's connection open (a web-chat socket) delivers it at
  once. Without Redis, one process does everything and neither is needed.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

from redis.asyncio import Redis
from redis.exceptions import LockError, RedisError

from .locks import ConversationLocks

log = logging.getLogger("helpline.cluster")
CHANNEL = "helpline:pending"


class LockTimeout(Exception):
    """Another process held the conversation for longer than a decision can take."""


class RedisConversationLocks(ConversationLocks):
    def __init__(self, redis: Redis, *, ttl: float = 30.0, wait: float = 60.0, prefix: str = "helpline:lock:") -> None:
        super().__init__()
        self._redis = redis
        self._ttl = ttl
        self._wait = wait
        self._prefix = prefix

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        async with super().hold(key):  # one waiter per process goes to Redis
            lock = self._redis.lock(self._prefix + key, timeout=self._ttl, blocking_timeout=self._wait, sleep=0.02)
            if not await lock.acquire():
                raise LockTimeout(f"conversation {key} stayed locked for {self._wait:g}s")
            try:
                yield
            finally:
                try:
                    await lock.release()
                except LockError:  # expired while we worked: the TTL is the safety net
                    log.warning("conversation lock expired before release", extra={"conversation": key})


class Nudges:
    """Publish "this conversation has replies to deliver"; act on other processes' nudges."""

    def __init__(self, redis: Redis) -> None:
        self._redis = redis

    async def publish(self, conversation_id: str) -> None:
        try:
            await self._redis.publish(CHANNEL, conversation_id)
        except RedisError as exc:  # delivery still happens through the outbox worker
            log.warning("nudge not published", extra={"conversation": conversation_id, "error": str(exc)})

    async def listen(self, on_nudge: Callable[[str], Awaitable[None]]) -> None:
        """Run until cancelled, calling ``on_nudge(conversation_id)`` for every nudge."""
        while True:
            pubsub = self._redis.pubsub()
            try:
                await pubsub.subscribe(CHANNEL)
                async for item in pubsub.listen():
                    if item.get("type") != "message":
                        continue
                    data = item["data"]
                    await on_nudge(data.decode() if isinstance(data, bytes) else str(data))
            except asyncio.CancelledError:
                raise
            except RedisError as exc:
                log.warning("nudge subscription lost, retrying", extra={"error": str(exc)})
                await asyncio.sleep(1.0)
            finally:
                try:
                    await pubsub.aclose()
                except RedisError:
                    pass
