"""Structured logs: one JSON event per line, with the fields passed as ``extra``.

Never log tokens, secrets or full phone numbers: connectors pass masked identifiers
(:func:`mask`) and :class:`~bot.config.Secret` values print as ``***``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        event = {
            "at": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        event.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            event["error"] = self.formatException(record.exc_info)
        return json.dumps(event, ensure_ascii=False, default=str)


def configure(level: int = logging.INFO) -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("aiohttp.access").setLevel(logging.WARNING)
    # These log request URLs (with bot tokens) or SQL parameters (with phone numbers) below WARNING.
    for noisy in ("aiosqlite", "sqlalchemy.engine", "httpx", "httpcore", "telegram", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def mask(identifier: str, keep: int = 3) -> str:
    """``+37491234567`` → ``***567``: enough to tell customers apart in a log."""
    return "***" + identifier[-keep:] if len(identifier) > keep else "***"
