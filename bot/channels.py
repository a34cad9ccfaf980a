"""What the engine needs from a channel to deliver a reply, and the errors a delivery raises.

The engine knows channels only through :class:`Delivery` (connectors implement it), so
``bot`` never imports ``connectors``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field

from .messages import Reply


class DeliveryError(Exception):
    """The reply did not reach the channel; the outbox keeps it and retries with backoff."""


class RateLimited(DeliveryError):
    """The channel asked us to wait ``retry_after`` seconds before sending again."""

    def __init__(self, retry_after: float, message: str = "") -> None:
        self.retry_after = retry_after
        super().__init__(message or f"rate limited: retry after {retry_after:g}s")


class NotConnected(DeliveryError):
    """Nobody is listening right now (a closed web-chat tab); delivered on reconnect."""


@dataclass(frozen=True, slots=True)
class Recipient:
    channel: str
    channel_user_id: str  # the channel's address: chat id, phone number, web session
    conversation_id: str  # helpline's conversation id


class Delivery(ABC):
    """Sends replies on one channel."""

    #: Push channels send as soon as a reply exists. Pull channels (Rasa-style REST)
    #: hand pending replies back in their next HTTP response instead.
    push: bool = True

    @abstractmethod
    async def deliver(self, recipient: Recipient, reply: Reply) -> None:
        """Send ``reply``; raise :class:`DeliveryError` (or a subclass) when it did not arrive."""

    async def typing(self, recipient: Recipient) -> None:
        """Show that the bot is working on an answer (best effort, never raises)."""

    def listening(self, recipient: Recipient) -> bool:
        """Can this process reach the customer right now? (A web-chat socket lives in one
        process; an HTTP API such as Telegram's is reachable from any.)"""
        return True


@dataclass
class Channels:
    """The delivery side of every running connector, by channel name."""

    by_name: dict[str, Delivery] = field(default_factory=dict)

    def add(self, name: str, delivery: Delivery) -> None:
        self.by_name[name] = delivery

    def get(self, name: str) -> Delivery | None:
        return self.by_name.get(name)
