"""Wiring: config → bank → encoder → matcher → policy, in one place.

:class:`Responder` is what the CLI, ``helpline eval`` and the server share. It holds one
bank version at a time; :meth:`Responder.reload` builds a new matcher for a changed bank
and swaps it in only when the new bank is valid, so a broken edit keeps the previous
bank serving.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass
from pathlib import Path

from faq import spelling
from faq.bank import Bank
from faq.cache import CachedEncoder
from faq.concepts import ConceptLexicon
from faq.encoders import Encoder, make_encoder
from faq.evaluation import Case
from faq.loader import load_bank
from faq.matcher import Matcher, Reading

from .config import Config
from .messages import Message
from .phrases import Catalogue
from .policy import ConversationState, Decision, Policy

log = logging.getLogger(__name__)
_SPELLING_AFTER = 5.0  # seconds after a bank is built (a server answered /healthz 2.4–4.6 s after its start)


@dataclass(frozen=True, slots=True)
class Brain:
    """One bank version with its matcher and policy."""

    bank: Bank
    matcher: Matcher
    policy: Policy


class Responder:
    def __init__(self, config: Config, encoder: Encoder | None = None, catalogue: Catalogue | None = None) -> None:
        self.config = config
        if config.matcher.spelling:
            spelling.preload()  # the word list reads while the model loads
        inner = encoder or make_encoder(config.model.backend, config.model.name, config.model.threads, config.model.runtime)
        self.encoder = inner if isinstance(inner, CachedEncoder) else CachedEncoder(inner, config.model.cache_dir, config.model.cache_texts)
        self.catalogue = catalogue or Catalogue.load(config.phrases, tone=config.brand.tone, emoji=config.brand.emoji)
        self._reader: threading.Timer | None = None  # reads the other languages' word lists (_build)
        self.brain = self._build(load_bank(config.bank), ConceptLexicon.load(config.glossary))

    def _build(self, bank: Bank, lexicon: ConceptLexicon) -> Brain:
        mismatches = self.config.routing.mismatches(tuple(d.id for d in bank.departments))
        if mismatches:
            log.warning("config does not fit the bank: %s", "; ".join(mismatches))
        matcher = Matcher(bank, self.encoder, self.config.matcher, cache_dir=self.config.model.cache_dir, lexicon=lexicon)
        if self.config.matcher.spelling:
            # The other languages' word lists (about 2 s in all) are read once the server is up, not
            # while it starts: a message in a language before then waits for its own list.
            if self._reader is not None:
                self._reader.cancel()  # a bank reloaded before its predecessor's lists were read
            self._reader = threading.Timer(_SPELLING_AFTER, matcher.prepare_spelling)
            self._reader.daemon = True
            self._reader.start()
        policy = Policy(bank, self.catalogue, self.config.routing, self.config.matcher.thresholds.route)
        return Brain(bank, matcher, policy)

    @property
    def bank(self) -> Bank:
        return self.brain.bank

    def reload(self, path: Path | None = None) -> Bank:
        """Load the bank (and the glossary) again; raises BankInvalid or LexiconInvalid and
        keeps the old ones if either is broken."""
        bank = load_bank(path or self.config.bank)
        lexicon = ConceptLexicon.load(self.config.glossary)
        if bank.fingerprint != self.brain.bank.fingerprint or lexicon.fingerprint != self.brain.matcher.lexicon.fingerprint:
            self.brain = self._build(bank, lexicon)
            log.info("bank reloaded", extra={"bank_version": bank.fingerprint})
        return bank

    async def areload(self, path: Path | None = None) -> Bank:
        return await asyncio.to_thread(self.reload, path)

    # -- deciding -----------------------------------------------------------------------
    def decide(self, state: ConversationState, message: Message) -> tuple[Decision, Reading | None]:
        brain = self.brain  # one version for the whole decision, even if a reload lands
        # A button payload ("/answer x") or a message with no text (media) needs no model.
        needs_model = message.text.strip() and not message.text.startswith("/")
        reading = brain.matcher.read(message.text, message.display_name) if needs_model else None
        return brain.policy.decide(state, message, reading), reading

    async def adecide(self, state: ConversationState, message: Message) -> tuple[Decision, Reading | None]:
        return await asyncio.to_thread(self.decide, state, message)

    def decide_case(self, case: Case) -> tuple[str, float]:
        """``helpline eval``: the case as the first message of a new conversation."""
        decision = self.decide_first(case.text)
        return decision.outcome, decision.confidence

    def decide_first(self, text: str) -> Decision:
        """The decision on ``text`` as the first message of a new conversation."""
        message = Message(channel="eval", conversation_id="eval", user_id="eval", text=text)
        decision, _ = self.decide(ConversationState(), message)
        return decision
