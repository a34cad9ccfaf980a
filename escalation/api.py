"""The agent API: a JSON sub-application under ``/api/`` (documented in
docs/agent-api.md, described by ``escalation/openapi.yaml``).

Every request but ``GET /api/openapi.yaml`` carries ``Authorization: Bearer <token>``;
none or an unknown one is a ``401``. An agent sees the conversations of its
departments only (a conversation with no department belongs to the default
department); any other conversation is a ``404``, the same answer as for an id that
does not exist. Every error is a JSON ``{"error": "..."}``, never an HTML page.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.store import (
    Conflict,
    ConversationRecord,
    CustomerCard,
    MessageRecord,
    NotFound,
    Store,
    StoreUnavailable,
)

from .agents import Agent, AgentDirectory

if TYPE_CHECKING:
    from bot.engine import Engine

log = logging.getLogger("helpline.agent_api")

Clock = Callable[[], datetime]
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

OPENAPI_FILE = Path(__file__).with_name("openapi.yaml")
STATES = ("waiting", "human", "bot", "resolved")
OPEN_STATES = frozenset({"waiting", "human", "bot"})
#: The longest agent reply accepted (Telegram's limit for one message is 4096).
MAX_TEXT = 4096
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000

#: The signed-in agent on each request (``web.RequestKey`` is aiohttp >= 3.14).
_AGENT: Any = web.RequestKey("helpline.agent", Agent) if hasattr(web, "RequestKey") else "helpline.agent"
#: The one route that needs no token: the OpenAPI description.
PUBLIC_ROUTE = "agent-api-openapi"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def iso(moment: datetime | None) -> str | None:
    """ISO-8601 in UTC with a ``Z``, to the millisecond: ``2026-11-23T09:00:00.000Z``."""
    if moment is None:
        return None
    return moment.astimezone(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def json_error(status: int, message: str, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.json_response({"error": message}, status=status, headers=headers)


class ApiError(Exception):
    """A request the API refuses: answered as ``{"error": message}`` with ``status``."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message
        super().__init__(message)


def not_found(conversation_id: str) -> ApiError:
    return ApiError(404, f"no conversation {conversation_id}")


class AgentApi:
    """The handlers of the agent API over an engine (which owns the store).

    ``engine`` owns the store and acts (claim, reply, release, resolve); ``departments`` returns the current
    bank's ``{id: name}`` (the bank can be reloaded while the server runs).
    """

    def __init__(
        self,
        engine: Engine,
        directory: AgentDirectory,
        *,
        default_department: str | None,
        departments: Callable[[], Mapping[str, str]] = dict,
        clock: Clock = utc_now,
    ) -> None:
        self.engine = engine
        self.directory = directory
        self.default_department = default_department
        self.departments = departments
        self.clock = clock

    @property
    def store(self) -> Store:
        return self.engine.store

    def application(self) -> web.Application:
        """The sub-application to mount at ``/api/``."""
        app = web.Application(middlewares=[self._middleware])
        self._openapi = OPENAPI_FILE.read_text(encoding="utf-8")  # once: no file I/O per request
        app.router.add_get("/openapi.yaml", self.openapi, name=PUBLIC_ROUTE)
        app.router.add_get("/me", self.me)
        app.router.add_get("/conversations", self.list_conversations)
        app.router.add_get("/conversations/{id}", self.conversation)
        app.router.add_get("/conversations/{id}/customer", self.customer)
        app.router.add_post("/conversations/{id}/claim", self.claim)
        app.router.add_post("/conversations/{id}/release", self.release)
        app.router.add_post("/conversations/{id}/resolve", self.resolve)
        app.router.add_post("/conversations/{id}/messages", self.post_message)
        return app

    # -- authentication and errors ------------------------------------------------------------
    @web.middleware
    async def _middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        try:
            if request.match_info.route.name != PUBLIC_ROUTE:
                agent = self.directory.authenticate(request.headers.get("Authorization"))
                if agent is None:
                    log.info("agent api: unauthorised request", extra={"path": request.path})
                    return json_error(
                        401,
                        "sign in: send the header 'Authorization: Bearer <agent token>'",
                        {"WWW-Authenticate": 'Bearer realm="helpline"'},
                    )
                request[_AGENT] = agent
            return await handler(request)
        except ApiError as exc:
            return json_error(exc.status, exc.message)
        except web.HTTPException as exc:  # the router's: no such path, method not allowed
            if exc.status < 400:
                raise
            allow = {"Allow": exc.headers["Allow"]} if "Allow" in exc.headers else None
            return json_error(exc.status, exc.reason.lower(), allow)
        except StoreUnavailable:
            log.warning("agent api: store unavailable", extra={"path": request.path})
            return json_error(503, "the database is unavailable; try again shortly", {"Retry-After": "5"})

    # -- reading -------------------------------------------------------------------------------
    async def openapi(self, request: web.Request) -> web.Response:
        return web.Response(
            text=self._openapi,
            content_type="application/yaml",
            headers={"Cache-Control": "no-cache"},
        )

    async def me(self, request: web.Request) -> web.Response:
        agent = _agent(request)
        names = dict(self.departments())
        ids = sorted(names) if agent.admin else sorted(agent.departments)
        return web.json_response(
            {
                "name": agent.name,
                "admin": agent.admin,
                "departments": ids,
                "department_names": {d: names.get(d, d) for d in ids},
                "default_department": self.default_department,
            }
        )

    async def list_conversations(self, request: web.Request) -> web.Response:
        agent = _agent(request)
        states = _states(request.query.get("state"))
        limit = _limit(request.query.get("limit"))
        departments, with_unassigned = agent.store_filter(self.default_department)
        if with_unassigned and departments is not None:
            # Conversations with no department are the default department's: the store
            # filters by department id only, so this agent's rows are picked here.
            found = await self.store.list_conversations(states, None)
            found = [c for c in found if agent.sees(c.department, self.default_department)][:limit]
        else:
            found = await self.store.list_conversations(states, departments, limit=limit)
        now = self.clock()
        return web.json_response({"conversations": [self._conversation_json(c, now) for c in found]})

    async def conversation(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        messages = await self.store.transcript(conversation.id)
        body = self._conversation_json(conversation, self.clock())
        body["messages"] = [message_json(m) for m in messages]
        return web.json_response(body)

    async def customer(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        card: CustomerCard = await self.store.customer_card(conversation.customer_id)
        agent = _agent(request)
        visible = [c for c in card.conversations if agent.sees(c.department, self.default_department)]
        now = self.clock()
        return web.json_response(
            {
                "id": card.customer.id,
                "name": card.customer.display_name,
                "language": card.customer.language
                or next((lang for lang in map(conversation_language, card.conversations) if lang), None),
                "since": iso(card.customer.created_at),
                "channels": [{"channel": h.channel, "channel_user_id": h.channel_user_id} for h in card.handles],
                "conversations": [self._conversation_json(c, now) for c in visible],
                "other_conversations": len(card.conversations) - len(visible),
            }
        )

    # -- acting ------------------------------------------------------------------------------------
    async def claim(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        agent = _agent(request)
        updated = await self._act(self.engine.claim, conversation, agent)
        log.info("agent claimed", extra={"conversation": conversation.id, "agent": agent.name})
        return web.json_response(self._conversation_json(updated, self.clock()))

    async def release(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        agent = _agent(request)
        if conversation.state == "resolved":
            raise ApiError(409, "the conversation is resolved; a new message from the customer reopens it")
        if conversation.state == "bot":  # already with the bot: nothing to tell the customer again
            return web.json_response(self._conversation_json(conversation, self.clock()))
        updated = await self._act(self.engine.release, conversation, agent)
        log.info("agent returned to bot", extra={"conversation": conversation.id, "agent": agent.name})
        return web.json_response(self._conversation_json(updated, self.clock()))

    async def resolve(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        agent = _agent(request)
        if conversation.state == "resolved":
            return web.json_response(self._conversation_json(conversation, self.clock()))
        updated = await self._act(self.engine.resolve, conversation, agent)
        log.info("agent resolved", extra={"conversation": conversation.id, "agent": agent.name})
        return web.json_response(self._conversation_json(updated, self.clock()))

    async def post_message(self, request: web.Request) -> web.Response:
        conversation = await self._visible(request)
        agent = _agent(request)
        text = _reply_text(await _json_object(request))
        try:
            message = await self.engine.agent_reply(conversation.id, agent.name, text)
        except NotFound:
            raise not_found(conversation.id) from None
        except Conflict as exc:
            raise ApiError(409, str(exc)) from None
        log.info("agent replied", extra={"conversation": conversation.id, "agent": agent.name})
        return web.json_response(message_json(message), status=201)

    # -- helpers ---------------------------------------------------------------------------------
    async def _visible(self, request: web.Request) -> ConversationRecord:
        """The conversation of the path, if it exists and is the agent's business."""
        conversation_id = request.match_info["id"]
        try:
            conversation = await self.store.get_conversation(conversation_id)
        except NotFound:
            conversation = None
        if conversation is None or not _agent(request).sees(conversation.department, self.default_department):
            raise not_found(conversation_id)
        return conversation

    async def _act(
        self,
        action: Callable[[str, str], Awaitable[ConversationRecord]],
        conversation: ConversationRecord,
        agent: Agent,
    ) -> ConversationRecord:
        try:
            return await action(conversation.id, agent.name)
        except NotFound:
            raise not_found(conversation.id) from None
        except Conflict as exc:
            raise ApiError(409, str(exc)) from None

    def _conversation_json(self, c: ConversationRecord, now: datetime) -> dict[str, Any]:
        waiting = None
        if c.waiting_since is not None and c.state in ("waiting", "human"):
            waiting = max(0, int((now - c.waiting_since).total_seconds()))
        return {
            "id": c.id,
            "channel": c.channel,
            "channel_user_id": c.channel_user_id,
            "customer": {"id": c.customer_id, "name": c.customer_name},
            "department": c.department,
            "state": c.state,
            "assigned_agent": c.assigned_agent,
            "language": conversation_language(c),
            "waiting_since": iso(c.waiting_since),
            "waiting_seconds": waiting,
            "created_at": iso(c.created_at),
            "updated_at": iso(c.updated_at),
            "last_inbound_at": iso(c.last_inbound_at),
        }


def conversation_language(c: ConversationRecord) -> str | None:
    """The language the channel gave, else the one the bot recognised in the messages."""
    detected = (c.policy_state or {}).get("language")
    return c.language or (detected if isinstance(detected, str) else None)


def message_json(m: MessageRecord) -> dict[str, Any]:
    return {
        "id": m.id,
        "from": m.sender,
        "text": m.text,
        "at": iso(m.created_at),
        "kind": m.kind,
        "buttons": m.buttons or [],
        "entry_id": m.entry_id,
        "agent": m.agent,
    }


def _agent(request: web.Request) -> Agent:
    return request[_AGENT]


def _states(value: str | None) -> set[str]:
    if value is None or not value.strip():
        return set(OPEN_STATES)
    states = {s.strip() for s in value.split(",") if s.strip()}
    unknown = sorted(states - set(STATES))
    if unknown:
        raise ApiError(400, f"unknown state {', '.join(unknown)} (allowed: {', '.join(STATES)})")
    return states


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise ApiError(400, f"limit must be a whole number from 1 to {MAX_LIMIT}")
    return limit


async def _json_object(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text())
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ApiError(400, 'the body must be JSON, e.g. {"text": "..."}') from None
    if not isinstance(body, dict):
        raise ApiError(400, 'the body must be a JSON object, e.g. {"text": "..."}')
    return body


def _reply_text(body: dict[str, Any]) -> str:
    text = body.get("text")
    if not isinstance(text, str) or not text.strip():
        raise ApiError(400, '"text" is required: a non-empty string')
    text = text.strip()
    if len(text) > MAX_TEXT:
        raise ApiError(400, f'"text" is too long ({len(text)} characters, at most {MAX_TEXT})')
    return text
