"""The web-chat widget in headless Chromium, on the demo page the server serves at /.

Screenshots go to tmp_path; with HELPLINE_SCREENSHOTS=docs they replace docs/widget-*.png.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def keep(shot: Path) -> None:
    if os.environ.get("HELPLINE_SCREENSHOTS") == "docs":
        shutil.copyfile(shot, ROOT / "docs" / shot.name)


async def open_chat(page, url):
    await page.goto(url)
    await page.click(".hl-launch")
    await page.wait_for_selector(".hl-panel.hl-open")
    await page.wait_for_function("document.querySelector('.hl-head small').textContent === 'online'")


async def ask(page, text):
    await page.fill(".hl-form textarea", text)
    await page.press(".hl-form textarea", "Enter")


async def test_widget_answers_survives_a_reload_and_shows_an_agent_reply(served, browser, tmp_path):
    base = str(served.make_url("/"))
    bank = served.runtime.responder.bank
    page = await browser.new_page(viewport={"width": 1100, "height": 760})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    await open_chat(page, base)
    assert await page.text_content(".hl-head b") == "Nilu"  # the bot's name from config.yml
    await ask(page, "How long does delivery take?")
    answer = bank.entry("shipping-time").answer["en"]
    await page.wait_for_selector(f".hl-bot:has-text('{answer[:40]}')")

    await page.reload()  # the transcript comes back with the same conversation
    await open_chat(page, base)
    await page.wait_for_selector(f".hl-bot:has-text('{answer[:40]}')")
    assert await page.locator(".hl-customer", has_text="How long does delivery take?").count() == 1

    await ask(page, "I want to talk to a manager")
    await page.wait_for_selector(".hl-bot:has-text('will reply')")
    conversation = (await served.runtime.store.list_conversations(states={"waiting"}))[0]
    await served.runtime.engine.agent_reply(conversation.id, "Ana", "Hi! Ana here, how can I help?")
    await page.wait_for_selector(".hl-agent:has-text('Ana here')")
    await page.screenshot(path=str(tmp_path / "widget-chat.png"))
    keep(tmp_path / "widget-chat.png")
    assert errors == []


async def test_widget_renders_persian_right_to_left(served, browser, tmp_path):
    page = await browser.new_page(viewport={"width": 1100, "height": 760})
    await open_chat(page, str(served.make_url("/")))
    await ask(page, "سفارشم کی به دستم می‌رسه؟")
    bubble = page.locator(".hl-customer").first
    assert await bubble.get_attribute("dir") == "auto"
    assert await bubble.evaluate("node => getComputedStyle(node).direction") == "rtl"
    answer = served.runtime.responder.bank.entry("shipping-time").answer["fa"]
    await page.wait_for_selector(f".hl-bot:has-text('{answer[:20]}')")
    reply = page.locator(".hl-bot").last
    assert await reply.evaluate("node => getComputedStyle(node).direction") == "rtl"
    await page.screenshot(path=str(tmp_path / "widget-rtl.png"))
    keep(tmp_path / "widget-rtl.png")


async def test_widget_script_and_config_are_served_for_other_sites(served):
    script = await served.get("/widget.js")
    assert script.status == 200 and script.headers["Access-Control-Allow-Origin"] == "*"
    assert "application/javascript" in script.headers["Content-Type"]
    config = await (await served.get("/widget/config.json")).json()
    assert config == {"bot_name": "Nilu", "colour": "#0f766e"}
