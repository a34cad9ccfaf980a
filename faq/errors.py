"""Errors of the faq package. Each carries a message a support lead can act on."""

from __future__ import annotations

from dataclasses import dataclass


class FaqError(Exception):
    """Base of every error the faq package raises on purpose."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One mistake in a bank file, reported as ``FILE:LINE: message``."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


class BankInvalid(FaqError):
    """The bank has mistakes; ``problems`` lists every one found in a single pass."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.file, p.line, p.message))
        super().__init__("\n".join(str(p) for p in self.problems))


class EncoderUnavailable(FaqError):
    """The configured sentence encoder cannot be loaded."""


class CasesInvalid(FaqError):
    """An evaluation cases file is malformed."""
