"""The Connector contract (DESIGN.md): a channel's payloads in, replies out."""

from __future__ import annotations

from abc import abstractmethod
from typing import TYPE_CHECKING, Any, ClassVar, Self

from aiohttp import web

from bot.channels import Delivery, Recipient
from bot.messages import Message, Reply

if TYPE_CHECKING:
    from bot.runtime import Runtime


class ConnectorError(Exception):
    """A connector's configuration is unusable (the message says what to set)."""


class Connector(Delivery):
    """One channel. Subclasses live in one module each under ``connectors/``."""

    name: ClassVar[str]

    def __init__(self) -> None:
        self._runtime: Runtime | None = None

    @classmethod
    @abstractmethod
    def from_config(cls, section: dict[str, Any]) -> Self:
        """Validated settings; secrets come from ``${ENV}`` (raise ConnectorError naming the variable)."""

    def attach(self, runtime: Runtime) -> None:
        """Called once by the server before ``routes`` and ``start``."""
        self._runtime = runtime

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError(f"connector {self.name} is not attached to a runtime")
        return self._runtime

    def routes(self) -> list[web.RouteDef]:
        """Webhooks this channel serves, if any."""
        return []

    async def start(self) -> None:
        """Polling loops, sessions: whatever runs beside the web server."""

    async def stop(self) -> None:
        """Close what ``start`` opened."""

    @abstractmethod
    def parse(self, payload: dict[str, Any]) -> list[Message]:
        """Pure: a channel payload → messages (fixtures test it). Raise ValueError when malformed."""

    @abstractmethod
    async def send(self, conversation_id: str, reply: Reply) -> None:
        """Send one reply to the channel's conversation; raise DeliveryError / RateLimited."""

    async def deliver(self, recipient: Recipient, reply: Reply) -> None:
        await self.send(recipient.channel_user_id, reply)
