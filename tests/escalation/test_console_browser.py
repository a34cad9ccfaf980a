"""The agent console end to end in headless Chromium (Debian's /usr/bin/chromium):
sign in, see the waiting customer, open the conversation, reply, see the customer's
next message arrive without a reload, resolve.

Screenshots go to tmp_path; with ``HELPLINE_SCREENSHOTS=docs`` they replace
docs/console-queue.png and docs/console-conversation.png.
"""

from __future__ import annotations

import os
import shutil
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

async def _waited(desk, sender: str, minutes: int) -> str:
    """The customer's conversation, as if handed off ``minutes`` ago."""
    conversation = await desk.conversation_of(sender)
    since = datetime.now(timezone.utc) - timedelta(minutes=minutes)
    await desk.runtime.store.set_state(conversation, "waiting", waiting_since=since)
    return conversation


async def test_an_agent_signs_in_replies_and_resolves_in_a_real_browser(desk, browser, tmp_path):
    from playwright.async_api import expect

    await desk.customer_writes("sara-r", "Hi, I want to talk to a manager about my order", name="Sara Karimi")
    sara = await _waited(desk, "sara-r", 12)
    await desk.customer_writes("darya-r", "می‌خوام با یه آدم صحبت کنم", name="دریا")
    darya = await _waited(desk, "darya-r", 4)
    await desk.customer_writes("yosef-r", "אני רוצה לדבר עם מנהל", name="Yosef Levi")
    await desk.customer_writes("hamid-r", "How long does delivery take?", name="Hamid")
    await desk.handed_off("nima-r", "My package is lost, where is it?", "logistics", name="Nima")  # not Ana's

    shots = tmp_path
    page = await browser.new_page(viewport={"width": 1440, "height": 860}, locale="en-GB", timezone_id="UTC")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))

    # /console redirects to /console/; a wrong token is refused with a message.
    await page.goto(str(desk.client.make_url("/console")))
    assert page.url.endswith("/console/")
    await page.fill("#token", "not-a-token")
    await page.click("#signin-button")
    await expect(page.locator("#signin-error")).to_contain_text("not accepted")

    await page.fill("#token", desk.token("Ana"))
    await page.click("#signin-button")
    await expect(page.locator("#me-name")).to_have_text("Ana")

    # The queue: the waiting customers first, longest-waiting at the top, with the time.
    waiting = page.locator(".queue-item.state-waiting")
    await expect(waiting).to_have_count(3)
    await expect(waiting.first).to_contain_text("Sara Karimi")
    await expect(waiting.first.locator(".queue-time")).to_have_text("12 min")
    await expect(page.locator(".queue-item.state-bot")).to_contain_text("Hamid")
    await expect(page.locator(".queue-list")).not_to_contain_text("Nima")  # another department's
    await page.screenshot(path=shots / "console-queue.png")

    # A right-to-left customer's messages render right to left.
    await page.click(f".queue-item[data-id='{darya}']")
    bubble = page.locator("#transcript .from-customer .bubble").first
    await expect(bubble).to_contain_text("صحبت")
    assert await bubble.evaluate("node => getComputedStyle(node).direction") == "rtl"

    # Open Sara's conversation: transcript and customer card.
    await page.click(f".queue-item[data-id='{sara}']")
    await expect(page.locator("#customer-name")).to_have_text("Sara Karimi")
    await expect(page.locator("#transcript .from-customer")).to_contain_text(["I want to talk to a manager"])
    await expect(page.locator("#transcript .kind-handoff")).to_contain_text("Customer Care")
    await expect(page.locator("#card-name")).to_have_text("Sara Karimi")
    await expect(page.locator("#card-channels")).to_contain_text("sara-r")

    # Reply: the conversation becomes Ana's and the customer receives the reply.
    await page.fill("#reply-text", "Hi Sara, I'm Ana from Customer Care. Could you tell me your order number?")
    await page.click("#send")
    await expect(page.locator("#transcript .from-agent")).to_contain_text("Could you tell me your order number?")
    await expect(page.locator("#state")).to_have_text("With you")
    got = await desk.customer_writes("sara-r", "Sure, it's NH-20418. The duvet cover came in the wrong size.")
    assert [r["text"] for r in got] == ["Hi Sara, I'm Ana from Customer Care. Could you tell me your order number?"]

    # The customer's answer appears without a reload (the console polls every 2 s).
    await expect(page.locator("#transcript .from-customer").last).to_contain_text("NH-20418", timeout=10_000)
    await page.fill("#reply-text", "Thanks! I've started an exchange for the larger size")
    await page.screenshot(path=shots / "console-conversation.png")

    # Resolve: it leaves the open queue.
    await page.click("#resolve")
    await expect(page.locator("#state")).to_have_text("Resolved")
    await expect(page.locator(f".queue-item[data-id='{sara}']")).to_have_count(0)
    assert (await desk.runtime.store.get_conversation(sara)).state == "resolved"
    assert errors == []

    if os.environ.get("HELPLINE_SCREENSHOTS") == "docs":
        for name in ("console-queue.png", "console-conversation.png"):
            shutil.copyfile(shots / name, ROOT / "docs" / name)


async def test_the_console_sends_security_headers_and_no_token_in_the_page(desk):
    response = await desk.client.get("/console", allow_redirects=False)
    assert response.status == 302 and response.headers["Location"] == "/console/"
    response = await desk.client.get("/console/")
    assert response.status == 200 and response.content_type == "text/html"
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    page = await response.text()
    assert all(desk.token(agent) not in page for agent in ("Ana", "Omid", "Bita", "admin"))
    for asset, kind in (("console.js", "text/javascript"), ("console.css", "text/css")):
        response = await desk.client.get(f"/console/{asset}")
        assert response.status == 200 and response.content_type == kind
