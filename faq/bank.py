"""The FAQ bank as the rest of helpline sees it: departments and approved entries.

A :class:`Bank` is immutable once loaded. Only entries whose status is ``approved`` are
ever served (:meth:`Bank.served`); drafts and retired entries stay in the bank so that
``helpline check`` can report on them.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Status(StrEnum):
    DRAFT = "draft"
    APPROVED = "approved"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Location:
    """Where something was written: the file and 1-based line, for error messages."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True, slots=True)
class Department:
    id: str
    name: str  # in the bank's default language
    location: Location | None = field(default=None, compare=False)
    names: dict[str, str] = field(default_factory=dict, compare=False)  # {language: name}, when translated

    def name_in(self, language: str | None) -> str:
        """The department's name for a customer writing ``language`` (default name otherwise)."""
        return self.names.get(language or "", self.name)


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    department: str
    status: Status
    questions: dict[str, tuple[str, ...]]
    answer: dict[str, str]
    approved_by: str | None = None
    approved_on: date | None = None
    location: Location | None = field(default=None, compare=False)

    @property
    def served(self) -> bool:
        return self.status is Status.APPROVED

    def answer_in(self, language: str, default: str) -> tuple[str, str]:
        """The answer text in ``language`` if the entry has it, else in ``default``.

        Returns ``(language_used, text)``. The loader guarantees the default language
        (or at least one language) is present.
        """
        if language in self.answer:
            return language, self.answer[language]
        if default in self.answer:
            return default, self.answer[default]
        first = next(iter(self.answer))
        return first, self.answer[first]

    def all_questions(self) -> list[tuple[str, str]]:
        """Every example question as ``(language, text)``."""
        return [(lang, q) for lang, qs in self.questions.items() for q in qs]


@dataclass(frozen=True, slots=True)
class Bank:
    version: int
    language: str
    departments: tuple[Department, ...]
    entries: tuple[Entry, ...]
    sources: tuple[str, ...] = ()

    def served(self) -> tuple[Entry, ...]:
        """The entries customers may be given: approved ones only."""
        return tuple(e for e in self.entries if e.served)

    def entry(self, entry_id: str) -> Entry:
        for e in self.entries:
            if e.id == entry_id:
                return e
        raise KeyError(entry_id)

    def department(self, department_id: str) -> Department:
        for d in self.departments:
            if d.id == department_id:
                return d
        raise KeyError(department_id)

    @property
    def languages(self) -> tuple[str, ...]:
        langs: set[str] = {self.language}
        for e in self.entries:
            langs.update(e.questions)
            langs.update(e.answer)
        return tuple(sorted(langs))

    @property
    def fingerprint(self) -> str:
        """A short content hash: which version of the bank gave an answer."""
        doc = {
            "language": self.language,
            "departments": [(d.id, d.name, sorted(d.names.items())) for d in self.departments],
            "entries": [
                {
                    "id": e.id,
                    "department": e.department,
                    "status": str(e.status),
                    "questions": {k: list(v) for k, v in sorted(e.questions.items())},
                    "answer": dict(sorted(e.answer.items())),
                    "approved_by": e.approved_by,
                }
                for e in self.entries
            ],
        }
        raw = json.dumps(doc, ensure_ascii=False, sort_keys=True).encode()
        return hashlib.sha256(raw).hexdigest()[:12]
