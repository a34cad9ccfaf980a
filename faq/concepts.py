"""Cross-lingual keywords: a customer's words mapped to language-neutral concepts.

The sentence encoder is strong within a language and weaker across them: a Hebrew
"איך משנים קוד סודי לכרטיס?" lands near several English card questions, not clearly on
"How do I change my PIN?". Support vocabulary is small and well known, so a lexicon
closes much of that gap: ``concepts.yml`` (beside this module) lists, for a few hundred
customer-support meanings, the words customers write for them in en, fa, ar, he, hy and
ru. A message and every bank question become sets of concept ids; the overlap, weighted
by how rare each concept is in the bank, is one more signal per entry. It is also a
signal of what the bank does *not* cover: a message about a "loan" whose concept no
bank question has scores low everywhere.

Matching rules (kept simple enough for a support lead to extend the lexicon):

* a term is a word or a short phrase; a word ending in ``*`` matches any word that
  starts with it (stems for inflected languages: ``карт*``, ``քարտ*``);
* text is folded first (:func:`faq.text.fold`), so Persian and Arabic letter variants,
  case and diacritics do not matter;
* Arabic and Hebrew words may carry one-letter clitics (و ف ب ل ك, ال; ו ה ב ל מ ש כ)
  that are tried off as well, so ``بالبطاقة`` meets ``بطاق*``.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import FaqError, Problem
from .language import LANGUAGES, detect_language
from .memo import TextMemo, code_digest
from .text import clitic_forms, fold
from .yaml_loader import SafeLoader

_ID_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")

_MIN_STEM = 2


class LexiconInvalid(FaqError):
    """A concepts file with problems; ``problems`` lists every one."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


@dataclass(frozen=True, slots=True)
class _Pattern:
    words: tuple[tuple[str, bool], ...]  # (text, is_prefix) per word
    concept: str


class ConceptLexicon:
    """Words → concept ids, for any of the lexicon's languages."""

    def __init__(self, terms: dict[str, list[str]]) -> None:
        """``terms``: concept id → its terms (any language), as written in the lexicon."""
        self._exact: dict[str, list[_Pattern]] = {}  # first word (exact) -> patterns
        self._prefix: dict[str, list[_Pattern]] = {}  # first word stem -> patterns
        self._longest_stem = 0
        self.concepts: tuple[str, ...] = tuple(sorted(terms))
        self.fingerprint = hashlib.sha256(repr(sorted((c, sorted(t)) for c, t in terms.items())).encode()).hexdigest()[:16]
        compiled: set[_Pattern] = set()  # spellings that fold alike (أكد*, اكد*) index once
        for concept, texts in terms.items():
            for text in texts:
                pattern = _compile(text, concept)
                if pattern is None or pattern in compiled:
                    continue
                compiled.add(pattern)
                head, is_prefix = pattern.words[0]
                (self._prefix if is_prefix else self._exact).setdefault(head, []).append(pattern)
                if is_prefix:
                    self._longest_stem = max(self._longest_stem, len(head))

    @classmethod
    def load(cls, glossary: str | Path | None = None) -> ConceptLexicon:
        """The bundled lexicon, extended by a deployment's ``glossary`` file of the same
        shape (product names, local words). Raises :class:`LexiconInvalid`."""
        if glossary is None:
            return bundled()
        try:
            raw = Path(glossary).read_text(encoding="utf-8")
        except OSError as exc:
            raise LexiconInvalid([Problem(str(glossary), 0, f"cannot read: {exc.strerror or exc}")]) from exc
        return cls(merge(parse(raw, str(glossary)), _bundled_terms()))

    def find(self, text: str) -> set[str]:
        """The concepts ``text`` mentions."""
        tokens = fold(text).split()
        # Persian attaches no Arabic clitics: stripped, its commonest word "برای" (for) became
        # Arabic "رأي" (opinion) and every such message mentioned feedback.
        forms = _whole_word if detect_language(text) == "fa" else clitic_forms
        found: set[str] = set()
        for i, token in enumerate(tokens):
            for form in forms(token):
                for pattern in self._candidates(form):
                    if _matches(pattern, form, tokens, i, forms):
                        found.add(pattern.concept)
        return found

    def _candidates(self, word: str) -> Iterable[_Pattern]:
        yield from self._exact.get(word, ())
        for end in range(_MIN_STEM, min(len(word), self._longest_stem) + 1):
            yield from self._prefix.get(word[:end], ())


@functools.cache
def _bundled_terms() -> dict[str, list[str]]:
    """``concepts.yml`` beside this module, parsed once per process (never mutated)."""
    return parse(resources.files(__package__).joinpath("concepts.yml").read_text(encoding="utf-8"), "concepts.yml")


@functools.cache
def bundled() -> ConceptLexicon:
    """The bundled lexicon alone, built once per process (lexicons are immutable)."""
    return ConceptLexicon(_bundled_terms())


def _compile(text: str, concept: str) -> _Pattern | None:
    words = []
    for raw in str(text).split():
        prefix = raw.endswith("*")
        folded = fold(raw.rstrip("*"))
        for part in folded.split():  # folding may split a word (Persian half-space)
            words.append((part, False))
        if words and prefix:
            words[-1] = (words[-1][0], True)
    if not words or (len(words) == 1 and words[0][1] and len(words[0][0]) < _MIN_STEM):
        return None
    return _Pattern(tuple(words), concept)


def _whole_word(word: str) -> list[str]:
    return [word]


def _matches(pattern: _Pattern, first_form: str, tokens: Sequence[str], start: int,
             forms: Callable[[str], list[str]] = clitic_forms) -> bool:
    for offset, (text, is_prefix) in enumerate(pattern.words):
        if start + offset >= len(tokens):
            return False
        options = [first_form] if offset == 0 else forms(tokens[start + offset])
        if not any(word.startswith(text) if is_prefix else word == text for word in options):
            return False
    return True


def parse(raw: str, name: str = "concepts.yml") -> dict[str, list[str]]:
    """Read and check a lexicon ``{concept-id: {lang: [term, ...]}}``; every problem is
    reported as ``FILE:LINE: message`` in one :class:`LexiconInvalid`."""
    try:
        root = yaml.compose(raw, Loader=SafeLoader)
    except yaml.MarkedYAMLError as exc:
        line = exc.problem_mark.line + 1 if exc.problem_mark else 0
        raise LexiconInvalid([Problem(name, line, f"YAML syntax error: {exc.problem}")]) from exc
    if root is None:
        return {}
    if not isinstance(root, MappingNode):
        raise LexiconInvalid([Problem(name, root.start_mark.line + 1, "expected a mapping of concept ids to {language: [terms]}")])
    problems: list[Problem] = []
    terms: dict[str, list[str]] = {}
    for key, value in root.value:
        concept, line = str(key.value), key.start_mark.line + 1
        if not isinstance(key, ScalarNode) or not concept or not set(concept) <= _ID_CHARS:
            problems.append(Problem(name, line, f"concept id {concept!r} must be made of a-z, 0-9 and '-'"))
            continue
        if not isinstance(value, MappingNode):
            problems.append(Problem(name, line, f"concept {concept!r}: expected {{language: [terms]}}"))
            continue
        for lang, texts in value.value:
            where = lang.start_mark.line + 1
            if not isinstance(texts, SequenceNode) or not all(isinstance(t, ScalarNode) and str(t.value).strip() for t in texts.value):
                problems.append(Problem(name, where, f"concept {concept!r}, {lang.value}: expected a list of terms"))
                continue
            terms.setdefault(concept, []).extend(str(t.value) for t in texts.value)
    if problems:
        raise LexiconInvalid(problems)
    return terms


def merge(*lexicons: dict[str, list[str]]) -> dict[str, list[str]]:
    """One lexicon from several (a deployment's glossary and the bundled one): the terms
    of a concept id that appears in more than one are pooled."""
    merged: dict[str, list[str]] = {}
    for lexicon in lexicons:
        for concept, terms in lexicon.items():
            merged.setdefault(concept, []).extend(t for t in terms if t not in merged.get(concept, []))
    return merged


class ConceptIndex:
    """The bank's questions as concept sets; scores a message against each of them.

    Similarity is the cosine of idf-weighted binary concept vectors: concepts many
    entries share ("order", "account") count little, rare ones ("PIN", "cashback") a
    lot, and concepts of the message that no question has lower every score.

    It also knows what each entry *speaks of* — the concepts of its questions and of its
    answer (``spoken``: (entry, text) pairs) — for the calibration: a message whose
    concepts no entry speaks of ("do you sell gift cards?" at a shop whose bank never
    mentions one) is rarely answered right, whatever its nearest entry scores.
    """

    def __init__(self, lexicon: ConceptLexicon, texts: Sequence[str], rows: Sequence[int], entries: int,
                 memo: TextMemo | None = None, spoken: Sequence[tuple[int, str]] = ()) -> None:
        """``memo``: where the texts' concepts are remembered (see :meth:`memo`)."""
        self.lexicon = lexicon
        every = [*texts, *(text for _, text in spoken)]
        found_sets = memo.map(every, lexicon.find) if memo else [lexicon.find(t) for t in every]
        sets = found_sets[: len(texts)]
        per_entry: list[set[str]] = [set() for _ in range(entries)]
        for row, found in zip(rows, sets):
            per_entry[row] |= found
        said = [set(found) for found in per_entry]
        for (row, _), found in zip(spoken, found_sets[len(texts):]):
            said[row] |= found
        self.spoken: tuple[frozenset[str], ...] = tuple(frozenset(s) for s in said)
        self._known = frozenset().union(*self.spoken)
        document_frequency: dict[str, int] = {}
        for found in per_entry:
            for concept in found:
                document_frequency[concept] = document_frequency.get(concept, 0) + 1
        self._idf = {c: math.log((1 + entries) / (1 + df)) + 1.0 for c, df in document_frequency.items()}
        self._unseen_idf = math.log(1 + entries) + 1.0
        self._vocabulary = {c: i for i, c in enumerate(sorted(document_frequency))}
        matrix = np.zeros((len(texts), len(self._vocabulary)), dtype=np.float32)
        for i, found in enumerate(sets):
            for concept in found:
                matrix[i, self._vocabulary[concept]] = self._idf[concept]
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        self._matrix = matrix / norms

    def unknown(self, found: frozenset[str] | set[str]) -> float:
        """The share of a message's concepts that no entry speaks of (0 without concepts)."""
        return len(self.unspoken(found)) / len(found) if found else 0.0

    def unspoken(self, found: Iterable[str]) -> set[str]:
        """The message's concepts that no entry's questions or answer speak of."""
        return set(found) - self._known

    def cover(self, found: frozenset[str] | set[str], entry: int) -> float:
        """The share of a message's concepts that entry ``entry`` speaks of (0 without concepts)."""
        return len(found & self.spoken[entry]) / len(found) if found else 0.0

    @staticmethod
    def memo(lexicon: ConceptLexicon, directory: str | Path | None) -> TextMemo:
        """The questions' concepts on disk, valid for this lexicon and these matching rules."""
        return TextMemo(directory, "concepts", f"{lexicon.fingerprint}-{code_digest(__name__, 'faq.language', 'faq.text')}")

    def scores(self, text: str) -> np.ndarray:
        """Cosine of ``text``'s concepts against every question's, shape ``(len(texts),)``."""
        return self.scores_of(self.lexicon.find(text))

    def scores_of(self, found: Iterable[str]) -> np.ndarray:
        """:meth:`scores` for a message whose concepts are found already."""
        found = set(found)
        if not found or not self._vocabulary:
            return np.zeros(self._matrix.shape[0], dtype=np.float32)
        vector = np.zeros(len(self._vocabulary), dtype=np.float32)
        norm = 0.0
        for concept in found:
            index = self._vocabulary.get(concept)
            weight = self._idf.get(concept, self._unseen_idf)
            norm += weight * weight
            if index is not None:
                vector[index] = weight
        return (self._matrix @ vector) / math.sqrt(norm)
