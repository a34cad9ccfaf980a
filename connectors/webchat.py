"""Web chat over a WebSocket: ``GET /chat/ws[?session=TOKEN]`` (contract in DESIGN.md).

The session token is the customer's handle on this channel: reconnecting with it (after
a page reload) resumes the same conversation and replays its transcript. Replies — the
bot's and agents' — are pushed to every open socket of the session; with none open they
stay in the outbox and go out when the customer comes back.
"""

from __future__ import annotations

import json
from importlib import resources
import logging
import secrets
import uuid
from typing import Any, Self

from aiohttp import WSMsgType, web

from bot.channels import NotConnected, Recipient
from bot.messages import Message, Reply, ReplyKind

from .base import Connector

log = logging.getLogger("helpline.connectors.web")
MAX_TEXT = 4000


def _static(name: str) -> bytes:
    return resources.files("connectors.widget").joinpath(name).read_bytes()


class WebChatConnector(Connector):
    name = "web"

    def __init__(self) -> None:
        super().__init__()
        self._sockets: dict[str, set[web.WebSocketResponse]] = {}

    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Self:
        return cls()

    def routes(self) -> list[web.RouteDef]:
        return [
            web.get("/chat/ws", self.socket),
            web.get("/widget.js", self.widget),
            web.get("/widget/config.json", self.widget_config),
            web.get("/", self.demo_page),
        ]

    async def widget(self, request: web.Request) -> web.Response:
        """The embeddable widget: one <script> tag on any site (served with CORS open)."""
        return web.Response(body=_static("widget.js"), content_type="application/javascript", charset="utf-8",
                            headers={"Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*"})

    async def widget_config(self, request: web.Request) -> web.Response:
        brand = self.runtime.config.brand
        return web.json_response({"bot_name": brand.bot_name, "colour": brand.colour},
                                 headers={"Access-Control-Allow-Origin": "*"})

    async def demo_page(self, request: web.Request) -> web.Response:
        return web.Response(body=_static("demo.html"), content_type="text/html", charset="utf-8")

    def parse(self, payload: dict[str, Any]) -> list[Message]:
        """A client frame → a message. ``payload['session']`` is set by the server, not the client."""
        if not isinstance(payload, dict):
            raise ValueError("a frame must be a JSON object")
        kind = payload.get("type")
        if kind == "message":
            text = payload.get("text")
            if not isinstance(text, str) or not text.strip():
                raise ValueError("a message frame needs non-empty 'text'")
        elif kind == "button":
            text = payload.get("payload")
            if not isinstance(text, str) or not text.strip():
                raise ValueError("a button frame needs 'payload'")
        else:
            raise ValueError(f"unknown frame type {kind!r} (message | button)")
        if len(text) > MAX_TEXT:
            raise ValueError(f"text longer than {MAX_TEXT} characters")
        session = str(payload["session"])
        name = payload.get("name")
        return [Message(
            channel=self.name, conversation_id=session, user_id=session, text=text.strip(),
            display_name=name.strip()[:80] if isinstance(name, str) and name.strip() else None,
            message_id=str(payload.get("id") or uuid.uuid4().hex), raw=payload,
        )]

    async def socket(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(heartbeat=30)
        await ws.prepare(request)
        given = request.query.get("session", "")
        session = given if given and len(given) <= 128 else secrets.token_urlsafe(18)
        store = self.runtime.store
        conversation = await store.open_conversation(self.name, session)
        await ws.send_json({"type": "hello", "conversation_id": conversation.id, "session": session})
        if given:
            history = await store.transcript(conversation.id)
            if history:
                await ws.send_json({"type": "history", "messages": [
                    {"from": m.sender, "text": m.text, "buttons": m.buttons or [], "at": m.created_at.isoformat()}
                    for m in history
                ]})
        self._sockets.setdefault(session, set()).add(ws)
        try:
            await self.runtime.engine.deliver_conversation(conversation.id, listener_back=True)
            async for frame in ws:
                if frame.type is not WSMsgType.TEXT:
                    continue
                await self._frame(ws, session, frame.data)
        finally:
            sockets = self._sockets.get(session, set())
            sockets.discard(ws)
            if not sockets:
                self._sockets.pop(session, None)
        return ws

    async def _frame(self, ws: web.WebSocketResponse, session: str, data: str) -> None:
        try:
            payload = json.loads(data)
            if isinstance(payload, dict):
                payload["session"] = session
            messages = self.parse(payload)
        except ValueError as exc:
            await ws.send_json({"type": "error", "error": str(exc)})
            return
        for message in messages:
            await self.runtime.engine.handle(message)

    def listening(self, recipient: Recipient) -> bool:
        return any(not ws.closed for ws in self._sockets.get(recipient.channel_user_id, ()))

    async def typing(self, recipient: Recipient) -> None:
        for ws in list(self._sockets.get(recipient.channel_user_id, ())):
            try:
                await ws.send_json({"type": "typing"})
            except (ConnectionError, RuntimeError):
                pass

    async def send(self, conversation_id: str, reply: Reply) -> None:
        sockets = [ws for ws in self._sockets.get(conversation_id, ()) if not ws.closed]
        if not sockets:
            raise NotConnected("no open web-chat socket for this session")
        frame = {"type": "message", "from": "agent" if reply.kind is ReplyKind.AGENT else "bot", "text": reply.text,
                 "buttons": [b.as_json() for b in reply.buttons]}
        sent = 0
        for ws in sockets:
            try:
                await ws.send_json(frame)
                sent += 1
            except (ConnectionError, RuntimeError):
                continue
        if not sent:
            raise NotConnected("web-chat socket closed while sending")
