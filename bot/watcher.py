"""Serve an edited bank without a restart; keep the previous bank when the edit is broken.

The watcher looks at the bank files' names, sizes and modification times every few
seconds (no inotify dependency, works on any file system). When they change it reloads in a
worker thread; a bank with mistakes is logged problem by problem (FILE:LINE: message) and
the bank that was serving goes on serving.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from faq.concepts import LexiconInvalid
from faq.errors import BankInvalid
from faq.loader import bank_files

from .responder import Responder

log = logging.getLogger("helpline.bank")


def snapshot(path: Path) -> tuple:
    try:
        files = bank_files(path) if path.exists() else []
        return tuple((str(f), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
    except OSError:
        return ()


async def watch_bank(responder: Responder, interval: float = 3.0) -> None:
    """Reload the bank when its files change, until cancelled."""
    files = [p for p in (responder.config.bank, responder.config.glossary) if p is not None]
    seen = tuple(snapshot(p) for p in files)
    while True:
        await asyncio.sleep(interval)
        current = tuple(snapshot(p) for p in files)
        if current == seen:
            continue
        seen = current
        try:
            bank = await responder.areload()
        except (BankInvalid, LexiconInvalid) as exc:
            for problem in exc.problems:
                log.error("bank edit rejected, previous bank still serving", extra={"problem": str(problem)})
            continue
        except Exception:  # never let the watcher die: the bank in memory keeps serving
            log.exception("bank reload failed, previous bank still serving")
            continue
        log.info("bank in service", extra={"bank_version": bank.fingerprint, "entries": len(bank.served())})
