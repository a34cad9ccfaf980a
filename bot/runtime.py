"""Everything a running helpline holds, opened in one place and closed in one place."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from faq.encoders import Encoder

from .config import Config
from .engine import Engine
from .responder import Responder
from .store import Store, StoreUnavailable

log = logging.getLogger("helpline.runtime")


@dataclass
class Runtime:
    config: Config
    store: Store
    engine: Engine
    responder: Responder
    redis: Any = None  # redis.asyncio.Redis when several processes share the database
    nudges: Any = None

    async def close(self) -> None:
        await self.store.close()
        if self.redis is not None:
            await self.redis.aclose()


async def start_runtime(config: Config, *, database_url: str | None = None, encoder: Encoder | None = None) -> Runtime:
    """Open the store (migrated), load the bank and model (in a thread), build the engine."""
    store = await Store.open(database_url or config.database_url)
    try:
        await store.migrate()
        responder = await asyncio.to_thread(Responder, config, encoder)
    except BaseException:
        await store.close()
        raise
    log.info("runtime ready", extra={"bank_version": responder.bank.fingerprint, "entries": len(responder.bank.served())})
    redis = nudges = locks = None
    if config.redis_url:
        from redis.asyncio import Redis

        from .cluster import Nudges, RedisConversationLocks

        redis = Redis.from_url(config.redis_url)
        try:
            await redis.ping()
        except Exception as exc:
            await redis.aclose()
            await store.close()
            raise StoreUnavailable(f"Redis at {config.redis_url.split('@')[-1]} is unreachable: {exc}") from exc
        locks, nudges = RedisConversationLocks(redis), Nudges(redis)
    engine = Engine(store, responder, locks=locks, nudges=nudges)
    return Runtime(config=config, store=store, engine=engine, responder=responder, redis=redis, nudges=nudges)
