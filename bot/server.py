"""The one aiohttp application that serves every channel, the console and the API.

Connectors come from the entry point group ``helpline.connectors`` and extensions (the
agent console) from ``helpline.extensions``, so ``bot`` imports neither: a new channel
needs no edit here. Every resource is opened in a ``cleanup_ctx`` and closed there.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from importlib.metadata import entry_points
from typing import Any

from aiohttp import web

from .config import Config
from .runtime import Runtime, start_runtime
from .watcher import watch_bank

log = logging.getLogger("helpline.server")

RUNTIME = web.AppKey("runtime", Runtime)
CONNECTORS = web.AppKey("connectors", dict)
DEFAULT_CHANNELS = ("rest", "web")  # need no secrets: always on unless disabled


class ChannelConfigError(Exception):
    """A configured channel cannot start (e.g. its secret is not set)."""


def load_connectors(config: Config) -> dict[str, Any]:
    """Instantiate every enabled connector. Raises ChannelConfigError listing all problems."""
    available = {ep.name: ep for ep in entry_points(group="helpline.connectors")}
    wanted = {name: {} for name in DEFAULT_CHANNELS}
    for name, section in config.channels.items():
        if section.get("enabled", True) is False:
            wanted.pop(name, None)
            log.info("channel off: disabled in config", extra={"channel": name})
        else:
            wanted[name] = {k: v for k, v in section.items() if k != "enabled"}
    connectors, problems = {}, []
    for name, section in wanted.items():
        if name not in available:
            problems.append(f"channels.{name}: no connector named {name!r} is installed ({', '.join(sorted(available))})")
            continue
        try:
            connectors[name] = available[name].load().from_config(section)
        except Exception as exc:  # a connector's own config error, reported with its name
            problems.append(f"channels.{name}: {exc}")
    for name in sorted(set(available) - set(wanted)):
        log.info("channel off: not configured", extra={"channel": name})
    if problems:
        raise ChannelConfigError("\n".join(problems))
    return connectors


def build_app(runtime: Runtime, connectors: dict[str, Any] | None = None) -> web.Application:
    app = web.Application(middlewares=[json_errors], client_max_size=1024 * 1024)
    app[RUNTIME] = runtime
    connectors = load_connectors(runtime.config) if connectors is None else connectors
    app[CONNECTORS] = connectors
    for name, connector in connectors.items():
        connector.attach(runtime)
        app.add_routes(connector.routes())
        runtime.engine.channels.add(name, connector)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/metrics", metrics)
    for ep in entry_points(group="helpline.extensions"):
        try:
            setup = ep.load()
        except Exception:  # customers keep being served when an extension is broken
            log.exception("extension failed to load", extra={"extension": ep.name})
            continue
        setup(app, runtime)
    app.cleanup_ctx.append(_background)
    return app


async def _background(app: web.Application) -> AsyncIterator[None]:
    runtime = app[RUNTIME]
    for connector in app[CONNECTORS].values():
        await connector.start()
    recovered = await runtime.engine.recover()
    worker = asyncio.create_task(runtime.engine.run_outbox(), name="outbox")
    watcher = asyncio.create_task(watch_bank(runtime.responder), name="bank-watcher")
    tasks = [worker, watcher]
    if runtime.nudges is not None:
        tasks.append(asyncio.create_task(runtime.nudges.listen(runtime.engine.on_nudge), name="nudges"))
    log.info("serving", extra={"channels": sorted(app[CONNECTORS]), "recovered": recovered})
    yield
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for connector in app[CONNECTORS].values():
        await connector.stop()


async def healthz(request: web.Request) -> web.Response:
    runtime = request.app[RUNTIME]
    try:
        await runtime.store.ping()
    except Exception as exc:
        return web.json_response({"status": "unavailable", "error": type(exc).__name__}, status=503)
    bank = runtime.responder.bank
    return web.json_response({"status": "ok", "bank_version": bank.fingerprint, "entries": len(bank.served())})


async def metrics(request: web.Request) -> web.Response:
    """Prometheus text format: this process's counters and the store's open queues."""
    runtime = request.app[RUNTIME]
    gauges = {}
    try:
        open_conversations = await runtime.store.list_conversations(states={"waiting", "human"})
        gauges["helpline_conversations_waiting"] = sum(1 for c in open_conversations if str(c.state) == "waiting")
        gauges["helpline_conversations_with_agents"] = sum(1 for c in open_conversations if str(c.state) == "human")
    except Exception:  # metrics must answer even when the store does not
        log.warning("metrics: store unavailable")
    gauges["helpline_bank_entries"] = len(runtime.responder.bank.served())
    body = runtime.engine.metrics.render(gauges)
    return web.Response(text=body, content_type="text/plain", charset="utf-8", headers={"X-Content-Type": "version=0.0.4"})


@web.middleware
async def json_errors(request: web.Request, handler):
    """Errors as JSON; a bug is logged and answered 500, never a bare traceback page."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status >= 400 and exc.content_type != "application/json" and request.path.startswith(("/api", "/webhooks")):
            return web.json_response({"error": exc.reason}, status=exc.status)
        raise
    except json.JSONDecodeError as exc:
        return web.json_response({"error": f"bad JSON: {exc}"}, status=400)
    except Exception:
        log.exception("unhandled error", extra={"path": request.path})
        return web.json_response({"error": "internal error"}, status=500)


def serve(config: Config, host: str = "127.0.0.1", port: int = 8080) -> int:
    async def make() -> web.Application:
        runtime = await start_runtime(config)
        app = build_app(runtime)

        async def close_runtime(_: web.Application) -> None:
            await runtime.close()

        app.on_cleanup.append(close_runtime)
        return app

    web.run_app(make(), host=host, port=port, print=lambda line: log.info(line))
    return 0
