"""What flows between channels and the engine: an inbound :class:`Message`, outbound :class:`Reply`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from enum import StrEnum
from typing import Any


class ReplyKind(StrEnum):
    ANSWER = "answer"  # an approved FAQ answer
    ACK = "ack"  # small talk, clarification, acknowledgement
    HANDOFF = "handoff"  # the notice that a person will take over
    SYSTEM = "system"  # everything else the catalogue says
    AGENT = "agent"  # written by a person in the console


@dataclass(frozen=True, slots=True)
class Button:
    title: str
    payload: str

    def as_json(self) -> dict[str, str]:
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True, slots=True)
class Reply:
    text: str
    kind: ReplyKind
    buttons: tuple[Button, ...] = ()
    entry_id: str | None = None  # which approved entry, when kind is ANSWER
    language: str | None = None


@dataclass(frozen=True, slots=True)
class Message:
    """One customer message as a channel delivered it. Frozen: the engine never edits it."""

    channel: str
    conversation_id: str  # the channel's conversation key (chat id, phone number, session)
    user_id: str
    text: str
    display_name: str | None = None
    message_id: str | None = None  # the channel's id: duplicates are recognised by it
    language: str | None = None  # when the channel knows it
    media: str | None = None  # "sticker", "photo", "voice"… when the customer sent no text
    received_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))
    raw: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
