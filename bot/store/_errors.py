"""Errors the store raises on purpose. Callers catch what they can act on."""

from __future__ import annotations


class StoreError(Exception):
    """Base of every error the store raises on purpose."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or opened.

    The message names the database URL with its password masked, and the reason
    the driver gave. Retrying later may succeed; nothing was written.
    """


class NotFound(StoreError):
    """A conversation, message, outbox item, ticket or customer does not exist."""


class Conflict(StoreError):
    """The write would break a rule the database keeps, e.g. reopening a resolved
    conversation while the same channel handle already has an open one."""
