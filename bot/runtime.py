"""Everything a running helpline holds, opened in one place and closed in one place."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from faq.encoders import Encoder

from .config import Config
from .engine import Engine
from .responder import Responder
from .store import Store

log = logging.getLogger("helpline.runtime")


@dataclass
class Runtime:
    config: Config
    store: Store
    engine: Engine
    responder: Responder

    async def close(self) -> None:
        await self.store.close()


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
    return Runtime(config=config, store=store, engine=Engine(store, responder), responder=responder)
