"""WhatsApp Cloud API: ``GET``/``POST /webhooks/whatsapp`` in, the Graph API out.

In: the verification handshake (``hub.mode=subscribe`` with the configured verify token →
the challenge), then webhooks whose ``X-Hub-Signature-256`` (HMAC-SHA256 of the raw body
with the app secret) is checked *before* anything is parsed or stored; a bad or missing
signature is refused with 401. A signed body is always answered 200, whatever it holds
(status callbacks, fields we do not use), because WhatsApp redelivers anything else;
a redelivered message is recognised by its ``wamid`` and answered once.

Out: ``POST {api_base}/{phone_number_id}/messages``: text (split at 4096 characters),
interactive reply buttons or a list for choices, and — for an agent's reply more than
24 hours after the customer last wrote — the configured approved template instead.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Self

import aiohttp
from aiohttp import web

from bot.channels import DeliveryError, RateLimited, Recipient
from bot.config import Secret, secret
from bot.engine import policy_state
from bot.logs import mask
from bot.messages import Button, Message, Reply, ReplyKind
from bot.store import NotFound

from .base import Connector, ConnectorError

log = logging.getLogger("helpline.connectors.whatsapp")

GRAPH_API = "https://graph.facebook.com/v21.0"
WINDOW = timedelta(hours=24)  # the customer-service window: free-form messages only inside it
TEXT_LIMIT = 4096
INTERACTIVE_BODY_LIMIT = 1024
MAX_BUTTONS, BUTTON_TITLE, BUTTON_ID = 3, 20, 256
MAX_ROWS, ROW_TITLE, ROW_DESCRIPTION, ROW_ID = 10, 24, 72, 200
RATE_LIMIT_CODES = frozenset({4, 80007, 130429, 131056})  # app, account, throughput, pair rate limits
DEFAULT_RETRY_AFTER = 30.0
#: Message types that are not something the customer asked: nothing to store or answer.
IGNORED_TYPES = frozenset({"reaction", "system", "request_welcome"})
SETTINGS = {"access_token", "app_secret", "verify_token", "phone_number_id", "api_base", "window_template",
            "typing_indicator"}
SECRETS = {"access_token": "WHATSAPP_ACCESS_TOKEN", "app_secret": "WHATSAPP_APP_SECRET",
           "verify_token": "WHATSAPP_VERIFY_TOKEN"}


@dataclass(frozen=True, slots=True)
class Template:
    """An approved message template, sent for agent replies outside the 24-hour window.

    ``text_parameter``: the template's body has one variable (``{{1}}``) that carries the
    agent's words; without it the template's own approved text goes out alone.
    """

    name: str
    language: str
    text_parameter: bool = False


@dataclass(frozen=True, slots=True)
class DeliveryStatus:
    """One status callback: what became of a message we sent."""

    message_id: str
    status: str  # sent | delivered | read | failed (| deleted, warning: passed through)
    recipient_id: str
    at: datetime | None
    error_code: int | None = None
    error_title: str | None = None


def signature_valid(app_secret: str, body: bytes, header: str | None) -> bool:
    """``X-Hub-Signature-256`` is ``sha256=`` + hex HMAC-SHA256 of the raw body (constant-time check)."""
    if not header:
        return False
    expected = "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), header.strip().encode("utf-8", "replace"))


def _values(payload: Any) -> list[dict[str, Any]]:
    """Every ``entry[].changes[].value`` of a ``messages`` change; anything else is skipped."""
    if not isinstance(payload, dict):
        raise ValueError("body must be a JSON object")
    if payload.get("object", "whatsapp_business_account") != "whatsapp_business_account":
        return []
    values = []
    for entry in _dicts(payload.get("entry")):
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if change.get("field", "messages") == "messages" and isinstance(value, dict):
                values.append(value)
    return values


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _timestamp(value: Any) -> datetime | None:
    try:
        return datetime.fromtimestamp(int(value), timezone.utc)
    except (TypeError, ValueError, OverflowError, OSError):
        return None


def parse_statuses(payload: dict[str, Any]) -> list[DeliveryStatus]:
    """Pure: the status callbacks of a webhook body (sent, delivered, read, failed)."""
    statuses = []
    for value in _values(payload):
        for item in _dicts(value.get("statuses")):
            if not item.get("id") or not item.get("status"):
                continue
            errors = _dicts(item.get("errors"))
            code = errors[0].get("code") if errors else None
            statuses.append(DeliveryStatus(
                message_id=str(item["id"]), status=str(item["status"]), recipient_id=str(item.get("recipient_id", "")),
                at=_timestamp(item.get("timestamp")),
                error_code=code if isinstance(code, int) else None,
                error_title=str(errors[0].get("title") or errors[0].get("message") or "") or None if errors else None,
            ))
    return statuses


def split_text(text: str, limit: int) -> list[str]:
    """Cut ``text`` into parts of at most ``limit`` characters, at a paragraph, line or word break."""
    parts, rest = [], text.strip()
    while len(rest) > limit:
        window = rest[: limit + 1]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > limit // 2:
                break
        if cut <= 0:
            cut = limit
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    parts.append(rest)
    return [p for p in parts if p]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class WhatsAppConnector(Connector):
    name = "whatsapp"

    def __init__(
        self,
        *,
        access_token: Secret,
        app_secret: Secret,
        verify_token: Secret,
        phone_number_id: str,
        api_base: str = GRAPH_API,
        window_template: Template | None = None,
        typing_indicator: bool = True,
        session: aiohttp.ClientSession | None = None,
    ) -> None:
        super().__init__()
        self.access_token = access_token
        self.app_secret = app_secret
        self.verify_token = verify_token
        self.phone_number_id = phone_number_id
        self.api_base = api_base.rstrip("/")
        self.window_template = window_template
        self.typing_indicator = typing_indicator
        self._session = session
        self._own_session = session is None
        self._unread: dict[str, str] = {}  # wa_id → wamid being handled (for the read receipt)

    # -- configuration ---------------------------------------------------------------------
    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Self:
        problems: list[str] = []
        for unknown in sorted(set(section) - SETTINGS):
            problems.append(f"{unknown}: unknown setting (allowed: {', '.join(sorted(SETTINGS))})")
        secrets = {key: secret(section.get(key, f"${{{variable}}}"), key, problems) for key, variable in SECRETS.items()}
        phone_number_id = str(section.get("phone_number_id") or "").strip()
        if not phone_number_id.isdigit():
            problems.append("phone_number_id: required, the digits of the business number's id in the Meta app")
        api_base = str(section.get("api_base") or GRAPH_API)
        if not api_base.startswith(("https://", "http://")):
            problems.append(f"api_base: must be an http(s) URL, not {api_base!r}")
        template = None
        raw_template = section.get("window_template")
        if raw_template is not None:
            if not isinstance(raw_template, dict) or not raw_template.get("name") or not raw_template.get("language"):
                problems.append("window_template: needs `name` and `language` of an approved template")
            elif set(raw_template) - {"name", "language", "text_parameter"}:
                problems.append("window_template: allowed keys are name, language, text_parameter")
            else:
                template = Template(str(raw_template["name"]), str(raw_template["language"]),
                                    bool(raw_template.get("text_parameter", False)))
        typing_indicator = section.get("typing_indicator", True)
        if not isinstance(typing_indicator, bool):
            problems.append("typing_indicator: must be true or false")
        if problems:
            raise ConnectorError("; ".join(problems))
        return cls(
            access_token=secrets["access_token"], app_secret=secrets["app_secret"],  # type: ignore[arg-type]
            verify_token=secrets["verify_token"], phone_number_id=phone_number_id,  # type: ignore[arg-type]
            api_base=api_base, window_template=template, typing_indicator=typing_indicator,
        )

    def __repr__(self) -> str:
        return f"WhatsAppConnector(phone_number_id={self.phone_number_id!r}, api_base={self.api_base!r})"

    # -- lifecycle -------------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        return [web.get("/webhooks/whatsapp", self.verify), web.post("/webhooks/whatsapp", self.webhook)]

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15))
            self._own_session = True
        return self._session

    async def start(self) -> None:
        self._client()

    async def stop(self) -> None:
        if self._own_session and self._session is not None:
            await self._session.close()
        self._session = None

    # -- in ----------------------------------------------------------------------------------
    async def verify(self, request: web.Request) -> web.Response:
        """The subscription handshake Meta performs when the webhook URL is set."""
        query = request.query
        token = query.get("hub.verify_token", "")
        if query.get("hub.mode") == "subscribe" and hmac.compare_digest(
            token.encode(), self.verify_token.reveal().encode()
        ):
            log.info("whatsapp webhook verified")
            return web.Response(text=query.get("hub.challenge", ""))
        log.warning("whatsapp webhook verification refused", extra={"mode": query.get("hub.mode")})
        return web.json_response({"error": "verification failed"}, status=403)

    async def webhook(self, request: web.Request) -> web.Response:
        body = await request.read()
        header = request.headers.get("X-Hub-Signature-256")
        if not signature_valid(self.app_secret.reveal(), body, header):
            log.warning("whatsapp webhook refused: bad signature",
                        extra={"reason": "missing" if not header else "mismatch", "remote": request.remote})
            return web.json_response({"error": "invalid signature"}, status=401)
        try:
            payload = json.loads(body)
            messages = self.parse(payload)
            statuses = parse_statuses(payload)
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("whatsapp webhook refused: bad body", extra={"error": str(exc)})
            return web.json_response({"error": f"bad request: {exc}"}, status=400)
        for status in statuses:
            self._record_status(status)
        engine = self.runtime.engine
        # An error below is a 500: WhatsApp redelivers, and what was stored already is a duplicate.
        # Media (text="") goes the same way: the policy answers the unsupported_media phrase.
        for message in messages:
            self._unread[message.conversation_id] = message.message_id or ""
            try:
                await engine.handle(message)
            finally:
                self._unread.pop(message.conversation_id, None)
        return web.json_response({"status": "ok"})

    def parse(self, payload: dict[str, Any]) -> list[Message]:
        """Pure: a webhook body → customer messages. Statuses and unknown fields give none.

        Text, interactive replies (button and list: their id is the payload) and template
        quick-reply buttons carry text; any other type (image, audio, sticker, location,
        a type added after this was written) is a message with empty text and the raw kept.
        Reactions and system notices are not questions and are skipped.
        """
        messages = []
        for value in _values(payload):
            metadata = value.get("metadata") if isinstance(value.get("metadata"), dict) else {}
            number_id = metadata.get("phone_number_id")
            if number_id is not None and str(number_id) != self.phone_number_id:
                continue  # another number of the same business account
            names = {}
            for contact in _dicts(value.get("contacts")):
                profile = contact.get("profile") if isinstance(contact.get("profile"), dict) else {}
                if contact.get("wa_id") and isinstance(profile.get("name"), str) and profile["name"].strip():
                    names[str(contact["wa_id"])] = profile["name"].strip()[:80]
            for item in _dicts(value.get("messages")):
                sender, wamid, kind = item.get("from"), item.get("id"), item.get("type")
                if not sender or not wamid or kind in IGNORED_TYPES:
                    continue
                sender = str(sender)
                text = _text_of(item)
                messages.append(Message(
                    channel=self.name, conversation_id=sender, user_id=sender, text=text,
                    media=str(kind) if not text and kind else None,
                    display_name=names.get(sender) or (next(iter(names.values())) if len(names) == 1 else None),
                    message_id=str(wamid), received_at=_timestamp(item.get("timestamp")) or datetime.now(timezone.utc),
                    raw=item,
                ))
        return messages

    def _record_status(self, status: DeliveryStatus) -> None:
        fields = {"status": status.status, "recipient": mask(status.recipient_id), "wamid": status.message_id}
        if status.status == "failed":
            log.warning("whatsapp delivery status", extra={**fields, "error_code": status.error_code,
                                                           "error": status.error_title})
        else:
            log.info("whatsapp delivery status", extra=fields)

    # -- out ---------------------------------------------------------------------------------
    async def typing(self, recipient: Recipient) -> None:
        """Mark the message being handled as read, with WhatsApp's typing indicator (best effort).

        The Cloud API shows typing only tied to an inbound message id, and only for ~25 s or
        until our reply; when a person owns the conversation the bot will not reply, so the
        message is only marked read.
        """
        wamid = self._unread.get(recipient.channel_user_id)
        if not wamid:
            return
        body: dict[str, Any] = {"messaging_product": "whatsapp", "status": "read", "message_id": wamid}
        try:
            if self.typing_indicator:
                conversation = await self.runtime.store.get_conversation(recipient.conversation_id)
                if conversation.state not in ("human", "waiting"):
                    body["typing_indicator"] = {"type": "text"}
            await asyncio.wait_for(self._post(body), timeout=3)
        except (DeliveryError, NotFound, asyncio.TimeoutError) as exc:
            log.info("whatsapp read receipt not sent", extra={"conversation": recipient.conversation_id,
                                                              "error": type(exc).__name__})

    async def deliver(self, recipient: Recipient, reply: Reply) -> None:
        """Send on the conversation's channel handle; an agent's reply after the window → the template."""
        try:
            conversation = await self.runtime.store.get_conversation(recipient.conversation_id)
        except NotFound:
            conversation = None
        language = reply.language or (policy_state(conversation).language if conversation else None)
        if reply.kind is ReplyKind.AGENT:
            last = conversation.last_inbound_at if conversation else None
            if last is None or self.runtime.engine.clock() - last >= WINDOW:
                await self._send_template(recipient, reply)
                return
        await self._send(recipient.channel_user_id, reply, language)

    async def send(self, conversation_id: str, reply: Reply) -> None:
        await self._send(conversation_id, reply, reply.language)

    async def _send(self, wa_id: str, reply: Reply, language: str | None) -> None:
        bodies = self.bodies(wa_id, reply, language)
        for body in bodies:
            await self._post(body)
        log.info("whatsapp sent", extra={"recipient": mask(wa_id), "kind": str(reply.kind), "parts": len(bodies)})

    async def _send_template(self, recipient: Recipient, reply: Reply) -> None:
        template = self.window_template
        if template is None:
            raise DeliveryError(
                "outside the 24-hour window and no template configured (channels.whatsapp.window_template)"
            )
        body: dict[str, Any] = {
            "messaging_product": "whatsapp", "recipient_type": "individual", "to": recipient.channel_user_id,
            "type": "template", "template": {"name": template.name, "language": {"code": template.language}},
        }
        if template.text_parameter:  # template variables allow no newlines or tabs
            body["template"]["components"] = [
                {"type": "body", "parameters": [{"type": "text", "text": _shorten(reply.text, TEXT_LIMIT)}]}
            ]
        await self._post(body)
        log.info("whatsapp agent reply sent as template outside the 24-hour window",
                 extra={"conversation": recipient.conversation_id, "recipient": mask(recipient.channel_user_id),
                        "template": template.name})

    def bodies(self, wa_id: str, reply: Reply, language: str | None = None) -> list[dict[str, Any]]:
        """Pure: the Graph API request bodies that carry ``reply``, in order."""
        base = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id}
        if not reply.buttons:
            return [{**base, "type": "text", "text": {"body": part}} for part in split_text(reply.text, TEXT_LIMIT)]
        parts = split_text(reply.text, TEXT_LIMIT) or [" "]
        last = parts.pop()
        if len(last) > INTERACTIVE_BODY_LIMIT:  # the interactive body is shorter: its tail goes with the choices
            pieces = split_text(last, INTERACTIVE_BODY_LIMIT)
            parts.append(last[: len(last) - len(pieces[-1])].rstrip())
            last = pieces[-1]
        texts = [{**base, "type": "text", "text": {"body": part}} for part in parts if part]
        return [*texts, {**base, "type": "interactive", "interactive": self._interactive(last, reply.buttons, language)}]

    def _interactive(self, text: str, buttons: tuple[Button, ...], language: str | None) -> dict[str, Any]:
        if len(buttons) <= MAX_BUTTONS and all(len(b.title) <= BUTTON_TITLE for b in buttons):
            return {"type": "button", "body": {"text": text}, "action": {"buttons": [
                {"type": "reply", "reply": {"id": b.payload[:BUTTON_ID], "title": b.title}} for b in buttons
            ]}}
        # More than three choices, or titles a button would cut off: a list shows 24 + 72 characters.
        rows = []
        for b in buttons[:MAX_ROWS]:
            row = {"id": b.payload[:ROW_ID], "title": _shorten(b.title, ROW_TITLE)}
            if len(" ".join(b.title.split())) > ROW_TITLE:
                row["description"] = _shorten(b.title, ROW_DESCRIPTION)
            rows.append(row)
        return {"type": "list", "body": {"text": text},
                "action": {"button": self._list_label(language), "sections": [{"rows": rows}]}}

    def _list_label(self, language: str | None) -> str:
        """The label of the button that opens a list (≤ 20 characters), from the phrase catalogue."""
        if self._runtime is not None:
            try:
                return _shorten(self.runtime.responder.catalogue.say("choices.open", language), BUTTON_TITLE)
            except KeyError:
                pass
        return "☰"

    async def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        url = f"{self.api_base}/{self.phone_number_id}/messages"
        headers = {"Authorization": f"Bearer {self.access_token.reveal()}"}
        try:
            async with self._client().post(url, json=body, headers=headers) as response:
                status, retry_after = response.status, response.headers.get("Retry-After")
                raw = await response.text()
        except (aiohttp.ClientError, asyncio.TimeoutError) as exc:
            raise DeliveryError(f"WhatsApp Graph API unreachable: {type(exc).__name__}") from None
        try:
            data = json.loads(raw) if raw else {}
        except ValueError:
            data = {}
        error = data.get("error") if isinstance(data, dict) else None
        if status < 400 and not error:
            return data if isinstance(data, dict) else {}
        error = error if isinstance(error, dict) else {}
        code = error.get("code")
        message = str(error.get("message") or f"HTTP {status}")
        error_data = error.get("error_data") if isinstance(error.get("error_data"), dict) else {}
        details = error_data.get("details")
        if details:
            message = f"{message} ({details})"
        if status == 429 or code in RATE_LIMIT_CODES:
            raise RateLimited(_retry_after(retry_after), f"WhatsApp rate limit ({code or status}): {message}")
        raise DeliveryError(f"WhatsApp Graph API error {code or status}: {message}")


def _text_of(item: dict[str, Any]) -> str:
    """What the customer said, or a button's payload; "" for anything that is not text."""
    kind = item.get("type")
    content = item.get(kind) if isinstance(kind, str) and isinstance(item.get(kind), dict) else {}
    if kind == "text":
        return str(content.get("body") or "").strip()
    if kind == "interactive":
        reply = content.get(content.get("type")) if isinstance(content.get("type"), str) else None
        if content.get("type") in ("button_reply", "list_reply") and isinstance(reply, dict):
            return str(reply.get("id") or reply.get("title") or "").strip()
        return ""
    if kind == "button":  # a template's quick-reply button
        return str(content.get("payload") or content.get("text") or "").strip()
    return ""


def _retry_after(header: str | None) -> float:
    try:
        return max(0.0, float(header)) if header else DEFAULT_RETRY_AFTER
    except ValueError:
        return DEFAULT_RETRY_AFTER
