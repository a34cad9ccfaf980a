"""The matcher: what does this message ask, and how sure are we?

Every served entry's example questions (all languages) and the small-talk examples are
encoded once (cached on disk). For a message the matcher combines three signals per
label — an entry, or a small-talk intent such as ``@handoff``:

* the best cosine between the message and the label's examples (multilingual, so a
  Persian message meets an English question),
* the probability the classifier head gives the label (when entries have examples
  enough to train one),
* the best character-trigram similarity (typos, very short messages; entries only).

One more view stays out of the score and speaks to the confidence: whether the entry's
own *answer* is also the answer text nearest the message (encoded as a document, e5's
``passage:``). Answers are written in other words than the example questions, so when
both views pick the same entry the match is far more often right — and a question the
bank does not cover rarely has its nearest question and its nearest answer agree.

The combined score of the best entry, its lead over the runner-up and that agreement
go through the calibration into a confidence, and the thresholds turn that into a :class:`Reading`:
answer, clarify, handoff, or a small-talk intent. ``read`` is synchronous CPU work;
``aread`` runs it in a worker thread so the event loop never waits on the model.
"""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable
from contextlib import nullcontext
from dataclasses import dataclass, replace
from enum import StrEnum
from pathlib import Path

import numpy as np

from .alignment import corpus_words, for_encoder, offsets_from_examples
from .bank import Bank, Entry
from .cache import CachedEncoder
from .concepts import ConceptIndex, ConceptLexicon, bundled
from .encoders import Encoder
from .head import SoftmaxHead, train_cached
from .language import detect_language, in_own_letters
from .layouts import keyboard_slips
from .lexical import LexicalIndex
from .memo import ArrayMemo
from .romanized import cued_languages, looks_romanized, transliterations
from .settings import Evidence, MatcherSettings, Thresholds
from .smalltalk import Intent, SmallTalk
from .spelling import ALPHABETS, Speller, Spellers, written_words
from .text import words


class Verdict(StrEnum):
    ANSWER = "answer"
    CLARIFY = "clarify"
    HANDOFF = "handoff"
    GREETING = "greeting"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    DECLINE = "decline"
    ABUSE = "abuse"


class Reason(StrEnum):
    CONFIDENT = "confident"  # answer
    AMBIGUOUS = "ambiguous"  # clarify: entries too close to call
    REQUESTED = "requested"  # handoff: the customer asked for a person
    NOT_COVERED = "not_covered"  # handoff: nothing approved fits well enough
    SMALLTALK = "smalltalk"  # greeting / thanks / goodbye
    EMPTY = "empty"  # nothing to read (emoji, punctuation)


@dataclass(frozen=True, slots=True)
class Candidate:
    entry_id: str
    department: str
    confidence: float
    score: float
    endorsed: bool = False  # the entry's answer is also the answer nearest the message
    evidence: Evidence | None = None  # what else the calibration read (None: score, lead and endorsement only)


@dataclass(frozen=True, slots=True)
class Reading:
    """What the matcher read in one message. Pure data: the policy acts on it."""

    verdict: Verdict
    reason: Reason
    language: str | None
    candidates: tuple[Candidate, ...]  # best entries first (at most clarify_choices + 1)
    intent_score: float = 0.0  # score of the small-talk intent when that was the verdict
    greeted: bool = False  # the message opened with a greeting before its question
    matched_text: str = ""
    romanized: bool = False  # read in its own script: the customer typed it in Latin letters (or keys)
    keyed: bool = False  # ...with the keyboard left on its English layout (faq/layouts.py), not transliterated
    worded: bool = False  # small talk or a request for a person said in so many words (a marker or mention)
    elsewhere: str | None = None  # handed off: asks about a topic no close entry speaks of (smalltalk.yml)
    spelled: bool = False  # typos were put right before matching (matched_text is the corrected text)

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None

    @property
    def entry_id(self) -> str | None:
        return self.best.entry_id if self.verdict is Verdict.ANSWER and self.best else None

    @property
    def confidence(self) -> float:
        if self.verdict in (Verdict.ANSWER, Verdict.CLARIFY, Verdict.HANDOFF) and self.reason is not Reason.REQUESTED:
            return self.best.confidence if self.best else 0.0
        return self.intent_score

    def department_hint(self, route_threshold: float) -> str | None:
        """The department the closest entries agree on, when they are close enough to route
        by (not for a question about another topic, such as a job application).

        A department's weight is the confidence of its entries among the candidates, added
        up: a message the bot cannot answer is often between two entries of one department
        ("my parcel is late, or lost?"), and then the department is surer than either entry.
        """
        if self.elsewhere or not self.candidates:
            return None
        weight: dict[str, float] = {}
        for candidate in self.candidates:
            weight[candidate.department] = weight.get(candidate.department, 0.0) + candidate.confidence
        department = max(weight, key=weight.__getitem__)  # ties: the best entry's department comes first
        return department if weight[department] >= route_threshold else None


@dataclass(frozen=True, slots=True)
class Scores:
    """Per-label signals for one message (labels = entries, then intents)."""

    combined: np.ndarray
    cosine: np.ndarray
    head: np.ndarray | None
    lexical: np.ndarray
    answer: np.ndarray  # per entry: cosine between the message and the entry's answer
    concept: np.ndarray  # per label: overlap of cross-lingual keyword concepts (entries only)
    concepts: frozenset[str] = frozenset()  # the message's concepts
    words: int = 0  # the message's length in words


def leads(ranked_scores: list[float]) -> list[float]:
    """Each candidate's margin as calibration sees it: the best one's lead over the
    runner-up (its own score when alone), the others' (negative) distance to the best."""
    if not ranked_scores:
        return []
    top = ranked_scores[0]
    second = ranked_scores[1] if len(ranked_scores) > 1 else 0.0
    return [top - second] + [score - top for score in ranked_scores[1:]]


# A near-tie is answered from ``Thresholds.sure`` only in a bank whose entries have this many
# example questions or more on average. With one each, a near-tie that sure was wrong more often:
# the held-out banks cut to one question per entry answered 0.4–1.1 points more wrongly with it
# (two per entry: as before or fewer; docs/benchmarks.md, nineteenth session).
SURE_PHRASINGS = 2.0


def answers_near_ties(phrasings: float) -> bool:
    """Whether a bank with ``phrasings`` example questions per entry answers a near-tie from ``sure``."""
    return phrasings >= SURE_PHRASINGS


def judged_by(t: Thresholds, phrasings: float) -> Thresholds:
    """The thresholds a bank with ``phrasings`` example questions per entry is judged by."""
    return t if answers_near_ties(phrasings) else replace(t, sure=math.inf)


def judge(
    candidates: tuple[Candidate, ...], t: Thresholds, choices: int
) -> tuple[Verdict, Reason, tuple[Candidate, ...]]:
    """Answer, clarify or hand off, from the best entries' confidences and scores."""
    if not candidates:
        return Verdict.HANDOFF, Reason.NOT_COVERED, ()
    best = candidates[0]
    close = [best, *(c for c in candidates[1:] if best.score - c.score < t.margin)]
    if best.confidence >= t.answer and (len(close) == 1 or best.confidence >= t.sure):
        return Verdict.ANSWER, Reason.CONFIDENT, candidates
    if best.confidence >= t.clarify and len(close) > 1:
        return Verdict.CLARIFY, Reason.AMBIGUOUS, tuple(close[:choices])
    return Verdict.HANDOFF, Reason.NOT_COVERED, candidates


_QUESTION_MARKS = frozenset("?？؟՞")  # Latin/CJK, Arabic script, Armenian (՞ sits on the stressed word)
_LONG_MESSAGE = 6  # words; from here on, small talk found by the embedding must use one of its markers
_ROMANIZED_LENGTH = 300  # characters: a longer Latin-typed message is not read again in three scripts


def entry_passage(entry: Entry, language: str) -> str:
    """An entry as one e5 passage: its questions in ``language`` (the bank's), then its answer.
    An entry asked only in other languages gives all its questions: the answer alone would be
    the answer view again, counted twice and without what the questions say."""
    questions = entry.questions.get(language) or tuple(q for _, q in entry.all_questions())
    return " ".join((*questions, entry.answer_in(language, language)[1]))


def _readable(query: str) -> bool:
    """Something left to match: not empty, not only emoji and punctuation."""
    return bool(query.strip()) and any(ch.isalnum() for ch in query)


def _asks(text: str) -> bool:
    return any(ch in _QUESTION_MARKS for ch in text)


def _one_blas_thread() -> None:
    """See faq/__init__.py: numpy may have been imported (with its BLAS threads) before us."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a dependency; the environment variable still applies
        return
    threadpool_limits(limits=1, user_api="blas")


class Matcher:
    """Built once per bank version; immutable and thread-safe afterwards."""

    def __init__(
        self,
        bank: Bank,
        encoder: Encoder,
        settings: MatcherSettings | None = None,
        smalltalk: SmallTalk | None = None,
        cache_dir: str | Path | None = None,
        lexicon: ConceptLexicon | None = None,
    ) -> None:
        _one_blas_thread()
        self.bank = bank
        self.settings = settings or MatcherSettings()
        self.smalltalk = smalltalk or SmallTalk.load()
        self.encoder = encoder
        self.entries: tuple[Entry, ...] = bank.served()
        intents = [i for i in Intent if self.smalltalk.examples.get(i)]
        self.labels: list[str] = [e.id for e in self.entries] + [i.label for i in intents]
        self.intents: dict[str, Intent] = {i.label: i for i in intents}
        self._entry_count = len(self.entries)

        texts: list[str] = []
        languages: list[str] = []
        rows: list[int] = []
        for index, entry in enumerate(self.entries):
            for lang, question in entry.all_questions():
                texts.append(in_own_letters(question, lang))  # a Persian question typed on an Arabic keyboard
                languages.append(lang)
                rows.append(index)
        self._question_languages = frozenset(languages)
        # The bank's own words (questions and answers): with common English they tell a
        # Latin-script message in English from Armenian or Persian typed in Latin letters.
        answers = [answer for entry in self.entries for answer in entry.answer.values()]
        self._vocabulary = frozenset(w for text in (*texts, *answers) for w in words(text))
        self._lexical = LexicalIndex(texts, memo=ArrayMemo(cache_dir, "trigrams"))
        self.lexicon = lexicon or bundled()
        self._customers_seen: dict[str, frozenset[str]] = {}  # _customer_words, per language asked for
        # Typos are put right against these words and the language's common ones, keeping the
        # lexicon's terms of trade (faq/spelling.py): English at once, other languages when a
        # message in one first comes.
        said = [example for intent in intents for lang, example in self.smalltalk.examples[intent] if lang == "en"]
        self._spellers = Spellers(Speller.english(self._vocabulary.union(*(words(t) for t in said)), known=self._term),
                                  self._customer_words, known=self._term) if self.settings.spelling else None
        self._concepts = ConceptIndex(self.lexicon, texts, rows, self._entry_count,
                                      memo=ConceptIndex.memo(self.lexicon, cache_dir),
                                      spoken=[(index, answer) for index, entry in enumerate(self.entries)
                                              for answer in entry.answer.values()])
        self._lexical_rows = np.array(rows, dtype=np.int64)
        # The topics not for the FAQ ("are you hiring?") that an entry speaks of itself.
        spoken = [(*(q for _, q in entry.all_questions()), *entry.answer.values()) for entry in self.entries]
        topics = iter(self.smalltalk.topics_memo(cache_dir).map([t for own in spoken for t in own], self.smalltalk.topics))
        self._entry_topics = {entry.id: frozenset().union(*(next(topics) for _ in own)) for entry, own in zip(self.entries, spoken)}
        for offset, intent in enumerate(intents):
            for lang, example in self.smalltalk.examples[intent]:
                texts.append(example)
                languages.append(lang)
                rows.append(self._entry_count + offset)
        self._rows = np.array(rows, dtype=np.int64)
        # One build for the cache (faq/cache.py): none of its texts is dropped while it runs.
        with self.encoder.building() if isinstance(self.encoder, CachedEncoder) else nullcontext():
            vectors = self._encode_known(texts)
            self._answers = self._encode_known(
                [entry.answer_in(bank.language, bank.language)[1] for entry in self.entries], documents=True)
            # Each entry as one passage, its questions then its answer (signal 6, "Entry view").
            self._passages = self._encode_known([entry_passage(entry, bank.language) for entry in self.entries],
                                                documents=True) if self.settings.entry_weight else None
        parallel_from = len(self._lexical_rows)  # the small-talk examples follow the bank's questions
        self.alignment = for_encoder(encoder.name, bank.language, cache_dir=cache_dir) or offsets_from_examples(
            vectors[parallel_from:], languages[parallel_from:], bank.language)
        self._vectors = np.vstack([
            self.align(vectors[:parallel_from], languages[:parallel_from]),
            self.alignment.apply(vectors[parallel_from:], languages[parallel_from:], memory=False),
        ])
        # What a question and an answer of this bank have in common on average (the mean of
        # all their cosines, which is the dot product of their mean vectors). Encoders differ in
        # how near all texts sit (e5 ~0.8, MiniLM ~0.1): measured from it, the answer signal means the
        # same to the calibration whatever the encoder, while a message near every answer (a
        # question about this business) still scores above one near none of them.
        questions = self._vectors[:parallel_from]
        self._answer_baseline = float(questions.mean(axis=0) @ self._answers.mean(axis=0)) if parallel_from else 0.0
        # The passages are measured the same way, from the bank's mean question–passage cosine.
        self._passage_baseline = (float(questions.mean(axis=0) @ self._passages.mean(axis=0))
                                  if parallel_from and self._passages is not None else 0.0)
        self._head = self._train_head(cache_dir)

    # -- construction --------------------------------------------------------------------
    def _train_head(self, cache_dir: str | Path | None) -> SoftmaxHead | None:
        mode = self.settings.head
        if mode == "off" or self._entry_count < 2:
            return None
        if mode == "auto":
            per_entry = np.bincount(self._lexical_rows, minlength=self._entry_count) if self._entry_count else np.zeros(0)
            if not len(per_entry) or per_entry.mean() < self.settings.head_min_examples:
                return None
        # Entries only: small-talk examples come in six languages while bank questions are
        # often English-only, and a head trained on both learns "not English → small talk".
        n = len(self._lexical_rows)
        return train_cached(
            self.encoder.name, self._vectors[:n], self._rows[:n], self._entry_count, self.settings.head_training, cache_dir
        )

    def prepare_spelling(self) -> None:
        """Make every language's speller now: reading their word lists takes about 2 s in all, which
        no customer's first message in a language should wait for (the server runs this in the
        background once a bank is built)."""
        if self._spellers is not None:
            for language in ALPHABETS:
                self._spellers(language)

    def _term(self, word: str) -> bool:
        """A term of the trade (the lexicon's or the glossary's): never taken for a typo."""
        return bool(self.lexicon.find(word))

    def _customer_words(self, language: str) -> frozenset[str]:
        """How customers write ``language``, for its speller and the wrong-layout check: the
        parallel corpus of customer messages, the small-talk phrases and the bank's own questions
        and answers in it. Made once per language (about 35 ms); two threads asking at once both
        make it."""
        found = self._customers_seen.get(language)
        if found is not None:
            return found
        own = [text for entry in self.entries for lang, text in (*entry.all_questions(), *entry.answer.items())
               if lang == language]
        said = [example for intent in self.intents.values() for lang, example in self.smalltalk.examples[intent]
                if lang == language]
        found = self._customers_seen[language] = corpus_words(language).union(*(written_words(text) for text in (*own, *said)))
        return found

    def _encode_known(self, texts: list[str], documents: bool = False) -> np.ndarray:
        if isinstance(self.encoder, CachedEncoder):
            return self.encoder.encode_cached(texts, documents=documents)
        if not texts:
            return np.zeros((0, self.encoder.dim), dtype=np.float32)
        return self.encoder.encode_documents(texts) if documents else self.encoder.encode(texts)

    def align(self, vectors: np.ndarray, languages: list[str | None]) -> np.ndarray:
        """Move each vector into the bank language's part of the space (faq/alignment.py)."""
        return self.alignment.apply(vectors, languages)

    @property
    def has_head(self) -> bool:
        return self._head is not None

    @property
    def phrasings(self) -> float:
        """Example questions per entry, on average (every language counted)."""
        return len(self._lexical_rows) / self._entry_count if self._entry_count else 0.0

    @property
    def thresholds(self) -> Thresholds:
        """The thresholds this bank is judged by: the configured ones, with near-ties never
        answered outright in a bank written with fewer than ``SURE_PHRASINGS`` per entry."""
        return judged_by(self.settings.thresholds, self.phrasings)

    @property
    def head_share(self) -> float:
        """The head's share of an entry's score, by how many phrasings it learnt from."""
        s = self.settings
        if not s.head_examples or not self._entry_count:
            return s.head_weight
        per_entry = self.phrasings
        return s.head_weight * per_entry / (per_entry + s.head_examples)

    # -- scoring -------------------------------------------------------------------------
    def encode(self, texts: list[str], languages: list[str | None] | None = None) -> np.ndarray:
        """Customer messages → vectors in the bank's space (moved by the language alignment).

        ``languages``: when the caller has detected them already."""
        if languages is None:
            languages = [detect_language(t) for t in texts]
        return self.align(self.encoder.encode(texts), languages)

    def scores(self, vector: np.ndarray, text: str, language: str | None = None) -> Scores:
        """Every label's signals for one message. ``language``: the message's, when known;
        concepts count for messages in another language than the bank's default, the ones
        the trigram signal cannot compare (for the bank's own language they only blurred
        what words and embedding already told: top-1 in English fell from 94.5 to 90.9%)."""
        n = len(self.labels)
        sims = self._vectors @ vector
        cosine = np.full(n, -1.0, dtype=np.float32)
        np.maximum.at(cosine, self._rows, sims)
        lexical = np.zeros(n, dtype=np.float32)
        concept = np.zeros(n, dtype=np.float32)
        across = language is not None and language != self.bank.language
        found = frozenset(self.lexicon.find(text))
        if self._entry_count:
            np.maximum.at(lexical, self._lexical_rows, self._lexical.scores(text))
            if across:
                np.maximum.at(concept, self._lexical_rows, self._concepts.scores_of(found))
        s = self.settings
        head = None
        combined = cosine.copy()
        if self._head is not None:
            head = self._head.probabilities(vector)
            w = self.head_share
            combined[: self._entry_count] = w * head + (1 - w) * cosine[: self._entry_count]
        combined[: self._entry_count] += s.lexical_weight * lexical[: self._entry_count]
        combined[: self._entry_count] += s.concept_weight * concept[: self._entry_count]
        answer = self._answers @ vector
        combined[: self._entry_count] += s.answer_weight * (answer - self._answer_baseline)
        if self._passages is not None:
            combined[: self._entry_count] += s.entry_weight * (self._passages @ vector - self._passage_baseline)
        return Scores(combined=combined, cosine=cosine, head=head, lexical=lexical, answer=answer, concept=concept,
                      concepts=found, words=len(words(text)))

    def unspoken(self, concepts: Iterable[str]) -> set[str]:
        """Those of a message's concepts that no entry's questions or answer speak of: what the
        calibration counts against an answer, and what a support lead might add to the bank."""
        return self._concepts.unspoken(concepts)

    def is_foreign(self, language: str | None) -> bool:
        """True when no bank question is written in ``language`` (a cross-lingual match)."""
        return language is not None and language not in self._question_languages

    # -- reading -------------------------------------------------------------------------
    def read(self, text: str, name: str | None = None) -> Reading:
        """Read one message (synchronous; see :meth:`aread`).

        A message that nothing fits and that looks like Armenian, Persian or Arabic typed
        in Latin letters is read again in each language's own script (faq/romanized.py);
        a transliteration that is decisive — an answer, a request for a person, small
        talk — is kept, and the reading says the customer's language. Russian, Hebrew, Persian or
        Arabic typed with the keyboard on its English layout ("ult vjq pfrfp&", "sthval ;[hsj?") is
        read as meant (faq/layouts.py), whatever the reading."""
        reading = self._read(text, name)
        # Small talk or a request for a person found by the embedding (not by a marker) is
        # no more certain than an unmatched question when the text is Latin-typed Armenian.
        settled = reading.reason in (Reason.CONFIDENT, Reason.EMPTY) or reading.worded
        if settled or len(text) > _ROMANIZED_LENGTH or not looks_romanized(text, self._vocabulary):
            return reading
        # Russian, Hebrew, Persian or Arabic typed on the English layout is the customer's
        # message, key for key.
        slips = keyboard_slips(text, self._customer_words)
        if slips:
            language, meant = slips[0]
            return replace(self._read(meant, name), language=language, romanized=True, keyed=True)
        alternatives = [replace(self._read(native, name), language=language)
                        for language, native in transliterations(text)]
        answers = [r for r in alternatives if r.verdict is Verdict.ANSWER and r.confidence >= self.settings.thresholds.romanized]
        # Garbled Persian can sit near a small-talk example: only markers and mentions count.
        said = [r for r in alternatives if r.worded]
        if answers:
            return replace(max(answers, key=lambda r: r.confidence), romanized=True)
        return replace(said[0], romanized=True) if said else reading

    def _read(self, text: str, name: str | None) -> Reading:
        language = detect_language(text)
        text = in_own_letters(text, language)
        marker = self.smalltalk.whole_message(text, name)
        if marker is not None:
            return self._intent_reading(marker, 1.0, language, text, worded=True)
        typed, query_language, greeted = self._question(text, name, language)
        if not _readable(typed):
            return Reading(Verdict.HANDOFF, Reason.EMPTY, language, (), matched_text=typed)
        query = self.spelled(typed, query_language, name)
        scores = self._score(query, query_language)
        # As typed too: the speller may take a slip for another word ("operater" for "operated").
        if self.smalltalk.asks_for_person(query) or (query != typed and self.smalltalk.asks_for_person(typed)):
            candidates = self._candidates(scores, self.is_foreign(language))
            reading = self._intent_reading(Intent.HANDOFF, 1.0, language, query, candidates, worded=True)
        else:
            reading = self.read_scores(scores, language, query, greeted=greeted)
        return replace(reading, spelled=query != typed)

    def scored(self, text: str, name: str | None = None) -> tuple[Scores, bool] | None:
        """The scores a reading of ``text`` rests on, and whether the message is foreign (in a
        language no bank question is written in); None when nothing is left to read. For
        ``helpline tune``: it fits the calibration on what live traffic is scored on."""
        language = detect_language(text)
        text = in_own_letters(text, language)
        query, query_language, _ = self._question(text, name, language)
        if not _readable(query):
            return None
        return self._score(self.spelled(query, query_language, name), query_language), self.is_foreign(language)

    def _question(self, text: str, name: str | None, language: str | None) -> tuple[str, str | None, bool]:
        """What is matched — the message after an opening greeting ("hi, where is my order?"
        is matched on the question) — its language, and whether a greeting was taken off."""
        rest = self.smalltalk.strip_greeting(text, name)
        return (text, language, False) if rest is None else (rest, detect_language(rest), True)

    def spelled(self, query: str, language: str | None, name: str | None = None) -> str:
        """``query`` with its typos put right (faq/spelling.py: English, Persian, Arabic, Hebrew,
        Russian, Armenian), the customer's name and the lexicon's terms of trade kept; Armenian or
        Persian typed in Latin letters as it is."""
        speller = self._spellers(language) if self._spellers is not None else None
        if speller is None:
            return query
        # Mostly unknown words are Armenian or Persian typed in Latin letters only when one of them
        # says so ("barev", "mikham"); otherwise they are typos ("wheres my oder?").
        if language == "en" and looks_romanized(query, self._vocabulary) and cued_languages(query):
            return query
        return speller.correct(query, keep=name.split() if name else ())

    def _score(self, query: str, language: str | None) -> Scores:
        return self.scores(self.encode([query], [language])[0], query, language)

    async def aread(self, text: str, name: str | None = None) -> Reading:
        return await asyncio.to_thread(self.read, text, name)

    def read_scores(self, scores: Scores, language: str | None, text: str, greeted: bool = False) -> Reading:
        t = self.thresholds
        candidates = self._candidates(scores, self.is_foreign(language))
        if len(self.labels) > self._entry_count:
            # Small talk and requests for a person: by cosine, clearly nearer than any entry.
            cosine = scores.cosine
            best_intent = self._entry_count + int(np.argmax(cosine[self._entry_count:]))
            best_entry = float(cosine[: self._entry_count].max()) if self._entry_count else -1.0
            score = float(cosine[best_intent])
            intent = self.intents[self.labels[best_intent]]
            if score >= t.intent and score - best_entry >= t.intent_margin and not (greeted and intent is Intent.GREETING):
                # Nobody thanks or says goodbye with a question mark, and the greetings that ask
                # ("how are you?", "anyone there?") are whole-message markers; a short or
                # off-topic question can still sit that close to small talk when the bank's
                # questions are few and English ("بسته‌ام کی میرسه؟" — "when does my parcel
                # come?" — next to "مرسی از کمکتون"; "فردا هوای تهران چطوره؟" next to a greeting).
                pleasantry = intent in (Intent.THANKS, Intent.GOODBYE, Intent.GREETING)
                # A long message is small talk only if it says so: "write me a birthday poem for
                # my mum" and "we'd like to rent the whole place for a party" sat near goodbyes.
                # So is a short one that reports a problem: "it never came", "still waiting" and
                # "not working" sat as near thanks and goodbyes, and were thanked or waved off.
                unsaid = pleasantry and not self.smalltalk.says(intent, text) and (
                    len(words(text)) >= _LONG_MESSAGE or self.smalltalk.reports_problem(text))
                if not (pleasantry and _asks(text)) and not unsaid:
                    return self._intent_reading(intent, score, language, text, candidates)
        verdict, reason, chosen = judge(candidates, t, self.settings.clarify_choices)
        # "Are you hiring? I'm a certified trainer" sits near the personal-trainer entry. A handoff
        # on low confidence is marked too: it then goes to the default department, not the nearest
        # entry's, and the support lead sees why.
        offered = chosen if verdict is Verdict.CLARIFY else chosen[:1]  # judge passes the runners-up along
        uncovered = self.smalltalk.topics(text).difference(*(self._entry_topics[c.entry_id] for c in offered))
        if uncovered:
            return Reading(Verdict.HANDOFF, Reason.NOT_COVERED, language, candidates, matched_text=text,
                           greeted=greeted, elsewhere=min(uncovered))
        return Reading(verdict, reason, language, chosen, matched_text=text, greeted=greeted)

    def candidates(self, scores: Scores, foreign: bool = False) -> tuple[Candidate, ...]:
        """The best entries by combined score, with calibrated confidences."""
        return self._candidates(scores, foreign)

    def _candidates(self, scores: Scores, foreign: bool) -> tuple[Candidate, ...]:
        if not self._entry_count:
            return ()
        entry_scores = scores.combined[: self._entry_count]
        nearest_answer = int(np.argmax(scores.answer))
        k = min(self.settings.clarify_choices + 1, self._entry_count)
        top = np.argpartition(-entry_scores, k - 1)[:k]
        top = top[np.argsort(-entry_scores[top])]
        ranked = [float(entry_scores[i]) for i in top]
        # The answer view's own lead: the nearest answer's over the next, the others' distance to it.
        answers = scores.answer
        nearest = float(answers[nearest_answer])
        runner_up = float(np.partition(answers, -2)[-2]) if len(answers) > 1 else nearest
        result = []
        for index, score, margin in zip(top, ranked, leads(ranked)):
            entry = self.entries[int(index)]
            endorsed = int(index) == nearest_answer
            answer_lead = float(answers[index]) - (runner_up if endorsed else nearest)
            evidence = self._evidence(scores, int(index), answer_lead)
            confidence = self.settings.calibration.confidence(score, margin, foreign, endorsed, self._entry_count, evidence)
            result.append(Candidate(entry.id, entry.department, confidence, score, endorsed, evidence))
        return tuple(result)

    def _evidence(self, scores: Scores, index: int, answer_lead: float) -> Evidence:
        """What the calibration reads of entry ``index`` besides its score (faq.settings.Evidence)."""
        found = scores.concepts
        return Evidence(words=scores.words, concept=float(scores.concept[index]), unknown=self._concepts.unknown(found),
                        cover=self._concepts.cover(found, index), answer_lead=answer_lead)

    def _intent_reading(
        self, intent: Intent, score: float, language: str | None, text: str, candidates: tuple[Candidate, ...] = (),
        worded: bool = False,
    ) -> Reading:
        verdict = {
            Intent.HANDOFF: Verdict.HANDOFF,
            Intent.GREETING: Verdict.GREETING,
            Intent.THANKS: Verdict.THANKS,
            Intent.GOODBYE: Verdict.GOODBYE,
            Intent.DECLINE: Verdict.DECLINE,
            Intent.ABUSE: Verdict.ABUSE,
        }[intent]
        reason = Reason.REQUESTED if intent is Intent.HANDOFF else Reason.SMALLTALK
        return Reading(verdict, reason, language, candidates, intent_score=score, matched_text=text, worded=worded)
