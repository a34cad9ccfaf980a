"""Telegram through python-telegram-bot's :class:`telegram.Bot`, embedded in our aiohttp app.

Two ways in, one way of handling an update:

- **webhook** (default): ``POST /webhooks/telegram`` is a route of helpline's own app.
  Telegram signs each call with the ``X-Telegram-Bot-Api-Secret-Token`` header (the
  ``secret_token`` given to ``setWebhook``): missing → 401, wrong → 403, nothing stored.
- **polling**: for a laptop without a public URL, ``start()`` runs a ``getUpdates``
  long-polling task (no PTB ``Application``/``Updater``: we own the loop) and ``stop()``
  ends it.

Replies go out as plain text (no ``parse_mode``: approved answers are sent verbatim and
nothing needs escaping), split within Telegram's 4096-character limit, with choices as
an inline keyboard. The bot token is never logged: PTB and httpx put it in URLs at
DEBUG, so their loggers are held at WARNING, and error texts are scrubbed of it.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import warnings
from datetime import datetime, timedelta, timezone
from typing import Any, Self

from aiohttp import web
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ChatAction
from telegram.error import Forbidden, RetryAfter, TelegramError
from telegram.request import HTTPXRequest

from bot.channels import DeliveryError, RateLimited, Recipient
from bot.config import Secret, secret
from bot.logs import mask
from bot.messages import Message, Reply

from .base import Connector, ConnectorError

__all__ = ["TelegramConnector", "split_text", "MAX_TEXT"]

log = logging.getLogger("helpline.connectors.telegram")

MAX_TEXT = 4096  # Telegram's limit per message, in UTF-16 code units
MAX_CALLBACK_DATA = 64  # bytes
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
API_BASE = "https://api.telegram.org"
POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open
ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
MODES = ("webhook", "polling")
SETTINGS = {"token", "mode", "secret_token", "api_base", "groups", "webhook_url"}
_MEDIA = ("sticker", "photo", "voice", "audio", "video", "video_note", "document", "animation", "location",
          "contact", "venue", "poll", "dice")
_HASHED = "h:"  # prefix of a callback_data standing for a payload longer than 64 bytes


class TelegramConnector(Connector):
    name = "telegram"

    def __init__(self, token: Secret, *, mode: str = "webhook", secret_token: Secret | None = None,
                 api_base: str = API_BASE, groups: bool = False, webhook_url: str | None = None) -> None:
        super().__init__()
        if mode == "webhook" and secret_token is None:
            raise ConnectorError("webhook mode needs secret_token")
        self.mode = mode
        self.groups = groups
        self.webhook_url = webhook_url
        self._token = token
        self._secret_token = secret_token
        self.api_base = api_base.rstrip("/")
        # Two connection pools: a long poll must never hold up a reply.
        self.bot = Bot(token.reveal(), base_url=f"{self.api_base}/bot",
                       request=HTTPXRequest(connection_pool_size=16, read_timeout=10.0),
                       get_updates_request=HTTPXRequest(connection_pool_size=1, read_timeout=10.0))
        self._long_payloads: dict[str, str] = {}  # short callback_data → the button's payload
        self._sent_parts: dict[tuple[str, str], int] = {}  # (chat, reply digest) → parts sent before a failure
        self._poller: asyncio.Task[None] | None = None
        for noisy in ("httpx", "httpcore", "telegram"):  # their DEBUG lines carry the token in URLs
            logging.getLogger(noisy).setLevel(logging.WARNING)

    # -- configuration ---------------------------------------------------------------------
    @classmethod
    def from_config(cls, section: dict[str, Any]) -> Self:
        """``channels.telegram``: token, mode, secret_token, api_base, groups, webhook_url."""
        problems: list[str] = []
        for unknown in sorted(set(section) - SETTINGS):
            problems.append(f"{unknown}: unknown setting (allowed: {', '.join(sorted(SETTINGS))})")
        mode = str(section.get("mode", "webhook"))
        if mode not in MODES:
            problems.append(f"mode: must be webhook or polling, not {mode!r}")
        token = secret(section.get("token", "${TELEGRAM_BOT_TOKEN}"), "token", problems)
        secret_token = None
        if mode == "webhook":
            secret_token = secret(section.get("secret_token", "${TELEGRAM_WEBHOOK_SECRET}"), "secret_token", problems)
        groups = section.get("groups", False)
        if not isinstance(groups, bool):
            problems.append(f"groups: must be true or false, not {groups!r}")
        api_base = str(section.get("api_base") or API_BASE)
        if not api_base.startswith(("http://", "https://")):
            problems.append(f"api_base: must be an http(s) URL, not {api_base!r}")
        webhook_url = section.get("webhook_url")
        if webhook_url is not None and not str(webhook_url).startswith("https://"):
            problems.append("webhook_url: Telegram only calls https:// webhooks")
        if problems or token is None:
            raise ConnectorError("; ".join(problems))
        return cls(token, mode=mode, secret_token=secret_token, api_base=api_base, groups=groups,
                   webhook_url=str(webhook_url) if webhook_url else None)

    def routes(self) -> list[web.RouteDef]:
        return [web.post("/webhooks/telegram", self.webhook)] if self.mode == "webhook" else []

    # -- lifecycle -------------------------------------------------------------------------
    async def start(self) -> None:
        try:  # opens the HTTP pools, then getMe checks the token
            await self.bot.initialize()
            log.info("telegram bot ready", extra={"channel": self.name, "bot": self.bot.username, "mode": self.mode})
        except TelegramError as exc:  # a laptop offline at start still serves the other channels
            log.error("telegram getMe failed", extra={"channel": self.name, "error": self._scrub(exc)})
        if self.mode == "webhook" and self.webhook_url:
            try:
                await self.bot.set_webhook(self.webhook_url, secret_token=self._secret_token.reveal(),
                                           allowed_updates=ALLOWED_UPDATES)
            except TelegramError as exc:
                log.error("telegram setWebhook failed", extra={"channel": self.name, "error": self._scrub(exc)})
        if self.mode == "polling":
            self._poller = asyncio.create_task(self._poll(), name="telegram-polling")

    async def stop(self) -> None:
        if self._poller is not None:
            self._poller.cancel()
            await asyncio.gather(self._poller, return_exceptions=True)
            self._poller = None
        await self.bot.shutdown()

    # -- parsing (pure) --------------------------------------------------------------------
    def parse(self, payload: dict[str, Any]) -> list[Message]:
        """A Bot API ``Update`` → 0 or 1 message.

        ``text=""`` means media without text (sticker, voice, photo without caption…):
        the webhook answers it with the ``unsupported_media`` phrase. Updates of other
        kinds (``my_chat_member``, ``channel_post``, …) and group chats (unless
        ``groups: true``) give ``[]``.
        """
        if not isinstance(payload, dict) or not isinstance(payload.get("update_id"), int):
            raise ValueError("a Telegram update is a JSON object with an integer update_id")
        if isinstance(payload.get("callback_query"), dict):
            return self._parse_callback(payload, payload["callback_query"])
        for key in ("message", "edited_message"):
            if isinstance(payload.get(key), dict):
                return self._parse_message(payload, payload[key], edited=key == "edited_message")
        return []

    def _parse_message(self, update: dict[str, Any], message: dict[str, Any], *, edited: bool) -> list[Message]:
        chat, sender = message.get("chat") or {}, message.get("from") or {}
        if not self._wanted_chat(chat) or sender.get("is_bot") or "id" not in sender or "message_id" not in message:
            return []
        text = message.get("text")
        media = None
        if isinstance(text, str):
            text = _command(text)
        elif isinstance(message.get("caption"), str) and message["caption"].strip():
            text = message["caption"]  # a photo with a question under it: answer the question
        elif any(key in message for key in _MEDIA):
            text = ""
            media = next(key for key in _MEDIA if key in message)
        else:
            return []  # service messages: a member joined, a title changed, a pinned message…
        message_id = f"{chat['id']}:{message['message_id']}"
        if edited:  # an edit is answered as a new message (the corrected question); each edit once
            message_id += f":edit:{message.get('edit_date', update['update_id'])}"
        return [self._message(update, chat, sender, text, message_id, message.get("edit_date") or message.get("date"),
                              media=media)]

    def _parse_callback(self, update: dict[str, Any], query: dict[str, Any]) -> list[Message]:
        chat = (query.get("message") or {}).get("chat") or {}
        sender = query.get("from") or {}
        data = query.get("data")
        if not isinstance(data, str) or not chat or not self._wanted_chat(chat) or "id" not in query:
            return []  # a game button or an inline-mode message: nothing we offered
        if data.startswith(_HASHED):
            if data not in self._long_payloads:
                log.warning("telegram button payload unknown (offered before a restart?)",
                            extra={"channel": self.name, "chat": mask(str(chat["id"]))})
                return []
            data = self._long_payloads[data]
        return [self._message(update, chat, sender, data, f"cb:{query['id']}", None)]

    def _message(self, update: dict[str, Any], chat: dict[str, Any], sender: dict[str, Any], text: str,
                 message_id: str, date: int | None, media: str | None = None) -> Message:
        language = sender.get("language_code")
        received = datetime.fromtimestamp(date, timezone.utc) if isinstance(date, int) else datetime.now(timezone.utc)
        return Message(
            channel=self.name, conversation_id=str(chat["id"]), user_id=str(sender.get("id", chat["id"])), text=text,
            display_name=sender.get("first_name") or None, message_id=message_id,
            language=language.split("-")[0].lower()[:2] if isinstance(language, str) and language else None,
            received_at=received, media=media, raw=update,
        )

    def _wanted_chat(self, chat: dict[str, Any]) -> bool:
        kind = chat.get("type")
        return "id" in chat and (kind == "private" or (self.groups and kind in ("group", "supergroup")))

    # -- inbound HTTP ----------------------------------------------------------------------
    async def webhook(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            log.warning("telegram webhook without secret header", extra={"channel": self.name})
            return web.json_response({"error": "missing secret token"}, status=401)
        assert self._secret_token is not None
        if not hmac.compare_digest(given.encode(), self._secret_token.reveal().encode()):
            log.warning("telegram webhook with a wrong secret header", extra={"channel": self.name})
            return web.json_response({"error": "wrong secret token"}, status=403)
        try:
            update = json.loads(await request.read())
            messages = self.parse(update)
        except (ValueError, UnicodeDecodeError) as exc:
            log.warning("rejected telegram update", extra={"channel": self.name, "error": str(exc)[:200]})
            return web.json_response({"error": f"bad request: {exc}"}, status=400)
        await self._handle(update, messages)
        return web.json_response({"ok": True})

    async def _handle(self, update: dict[str, Any], messages: list[Message]) -> None:
        query = update.get("callback_query")
        if isinstance(query, dict) and "id" in query:
            try:  # stops the spinner on the button; best effort
                await self.bot.answer_callback_query(str(query["id"]))
            except TelegramError as exc:
                log.info("answerCallbackQuery failed", extra={"channel": self.name, "error": self._scrub(exc)})
        for message in messages:  # text="" (media): the policy answers the unsupported_media phrase
            await self.runtime.engine.handle(message)

    async def _poll(self) -> None:
        offset: int | None = None
        pause = 1.0
        try:
            await self.bot.delete_webhook()  # getUpdates is refused while a webhook is set
        except TelegramError as exc:
            log.warning("telegram deleteWebhook failed", extra={"channel": self.name, "error": self._scrub(exc)})
        while True:
            try:
                updates = await self.bot.get_updates(offset=offset, timeout=POLL_TIMEOUT,
                                                     allowed_updates=ALLOWED_UPDATES)
                for update in updates:
                    payload = update.to_dict()
                    try:
                        messages = self.parse(payload)
                    except ValueError as exc:
                        log.warning("rejected telegram update", extra={"channel": self.name, "error": str(exc)[:200]})
                        messages = []
                    await self._handle(payload, messages)  # stored before the offset moves past it
                    offset = update.update_id + 1
                pause = 1.0
            except asyncio.CancelledError:
                raise
            except RetryAfter as exc:
                await asyncio.sleep(_seconds(exc))
            except TelegramError as exc:  # Conflict (a webhook is set elsewhere), NetworkError, InvalidToken…
                log.warning("telegram polling error", extra={"channel": self.name, "error": self._scrub(exc),
                                                             "retry_in": pause})
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)
            except Exception:  # the store is down, a bug: keep the update, try again later
                log.exception("telegram update handling failed", extra={"channel": self.name, "retry_in": pause})
                await asyncio.sleep(pause)
                pause = min(pause * 2, 60.0)

    # -- outbound --------------------------------------------------------------------------
    async def typing(self, recipient: Recipient) -> None:
        try:
            await self.bot.send_chat_action(recipient.channel_user_id, ChatAction.TYPING)
        except Exception as exc:  # best effort: never in the way of the answer
            log.info("telegram typing failed", extra={"conversation": recipient.conversation_id,
                                                      "error": self._scrub(exc)})

    async def send(self, conversation_id: str, reply: Reply) -> None:
        parts = split_text(reply.text)
        keyboard = self._keyboard(reply) if reply.buttons else None
        digest = hashlib.sha256(f"{reply.text}\x00{reply.buttons}".encode()).hexdigest()[:16]
        key = (conversation_id, digest)
        done = self._sent_parts.get(key, 0)  # a retry after a part failed does not repeat the parts sent
        for i, part in enumerate(parts[done:], start=done):
            try:
                await self.bot.send_message(conversation_id, part,
                                            reply_markup=keyboard if i == len(parts) - 1 else None)
            except TelegramError as exc:
                if i:
                    self._sent_parts[key] = i
                raise self._delivery_error(exc) from None
        self._sent_parts.pop(key, None)

    def _keyboard(self, reply: Reply) -> InlineKeyboardMarkup:
        rows = []
        for button in reply.buttons:
            data = button.payload
            if len(data.encode()) > MAX_CALLBACK_DATA:
                data = _HASHED + hashlib.sha256(data.encode()).hexdigest()[:32]
                self._long_payloads[data] = button.payload
            rows.append([InlineKeyboardButton(button.title, callback_data=data)])
        return InlineKeyboardMarkup(rows)

    def _delivery_error(self, exc: TelegramError) -> DeliveryError:
        if isinstance(exc, RetryAfter):
            return RateLimited(_seconds(exc), "Telegram flood control")
        if isinstance(exc, Forbidden):
            return DeliveryError(f"Telegram refused (the user blocked the bot?): {self._scrub(exc)}")
        return DeliveryError(f"Telegram {type(exc).__name__}: {self._scrub(exc)}")

    def _scrub(self, exc: BaseException | str) -> str:
        """An error's text without the bot token (PTB's InvalidToken quotes it)."""
        return str(exc).replace(self._token.reveal(), "***")


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """``text`` in parts of at most ``limit`` UTF-16 units, cut at a paragraph, line or word when possible."""
    if _units(text) <= limit:
        return [text]
    parts: list[str] = []
    rest = text
    while _units(rest) > limit:
        head = _prefix(rest, limit)
        cut = -1
        for separator in ("\n\n", "\n", " "):
            at = head.rfind(separator)
            if at > len(head) // 2:  # do not leave a tiny part behind a far-off separator
                cut = at
                break
        if cut <= 0:
            parts.append(head)
            rest = rest[len(head):]
        else:
            parts.append(head[:cut].rstrip())
            rest = rest[cut:].lstrip()
    if rest.strip():
        parts.append(rest)
    return [p for p in parts if p]


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _prefix(text: str, limit: int) -> str:
    """The longest prefix of ``text`` within ``limit`` UTF-16 units (never half a surrogate pair)."""
    units = 0
    for i, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            return text[:i]
    return text


def _command(text: str) -> str:
    """``/start`` (and ``/start payload``) is a greeting; other typed commands lose their slash.

    Only our own buttons' payloads may start with ``/`` (``/answer <entry>``): a customer
    typing one is read as words, not as a choice.
    """
    if not text.startswith("/"):
        return text
    word, _, rest = text.partition(" ")
    command = word[1:].split("@")[0].lower()
    if command == "start":
        return "hello"
    return f"{command} {rest.strip()}".strip() if command else text.lstrip("/")


def _seconds(exc: RetryAfter) -> float:
    with warnings.catch_warnings():  # PTB 22 deprecates the int form in favour of timedelta
        warnings.simplefilter("ignore")
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
