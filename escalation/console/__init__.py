"""The agent console at ``/console/`` and the agent API at ``/api/``, as one extension
of helpline's server (entry point ``helpline.extensions``: ``escalation.console:setup``).

The console is three static files (this folder: ``index.html``, ``console.js``,
``console.css``, plain JavaScript with no build step) that talk to the agent API
with the token the agent signs in with.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING

from aiohttp import web

from ..agents import AgentDirectory
from ..api import AgentApi

if TYPE_CHECKING:
    from bot.runtime import Runtime

__all__ = ["AGENTS", "AGENT_API", "setup"]

log = logging.getLogger("helpline.console")

#: The agents who may sign in, kept on the application for whoever else needs them.
AGENTS = web.AppKey("helpline.agents", AgentDirectory)
AGENT_API = web.AppKey("helpline.agent_api", AgentApi)

STATIC = Path(__file__).parent
_FILES = {
    "": ("index.html", "text/html"),
    "console.js": ("console.js", "text/javascript"),
    "console.css": ("console.css", "text/css"),
}
# The console loads nothing but its own files and talks only to its own server.
_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
        "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


def setup(app: web.Application, runtime: Runtime) -> None:
    """Mount the agent API at ``/api/`` and the console at ``/console/``.

    Raises :class:`bot.config.ConfigError` when config.yml's ``agents:`` are wrong
    (every problem listed), e.g. a token variable that is not set.
    """
    config = runtime.config
    routing = config.routing
    known = {d.id for d in runtime.responder.bank.departments} | set(routing.departments)
    if routing.default_department:
        known.add(routing.default_department)
    directory = AgentDirectory.from_config(
        config.raw.get("agents"), known_departments=known, where=str(config.path or "config.yml")
    )
    api = AgentApi(
        runtime.engine,
        directory,
        default_department=routing.default_department,
        departments=lambda: {d.id: d.name for d in runtime.responder.bank.departments},
    )
    app[AGENTS] = directory
    app[AGENT_API] = api
    app.add_subapp("/api/", api.application())
    add_console_routes(app)
    if directory.agents:
        log.info("agent console on /console/", extra={"agents": [a.name for a in directory.agents]})
    else:
        log.warning(
            "agent console on /console/ has no agents: add agents to config.yml or set HELPLINE_ADMIN_TOKEN"
        )


def add_console_routes(app: web.Application) -> None:
    """``/console`` (redirect), ``/console/`` and its two assets."""

    async def to_console(request: web.Request) -> web.StreamResponse:
        raise web.HTTPFound("/console/")

    app.router.add_get("/console", to_console)
    for name, (filename, content_type) in _FILES.items():
        app.router.add_get(f"/console/{name}", _serve(STATIC / filename, content_type))


def _serve(path: Path, content_type: str) -> Callable[[web.Request], Awaitable[web.Response]]:
    body = path.read_bytes()  # read once, at start: no file I/O on the event loop

    async def serve(request: web.Request) -> web.Response:
        return web.Response(body=body, content_type=content_type, charset="utf-8", headers=_HEADERS)

    return serve
