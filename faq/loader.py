"""Load and validate a bank: one YAML file, or a directory whose ``*.yml``/``*.yaml`` merge.

Validation walks PyYAML's node tree (not the plain data) so that every problem carries
the line it is on. All problems of all files are collected in one pass and raised
together as :class:`~faq.errors.BankInvalid`; nothing here raises a bare traceback for
bad input.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .bank import Bank, Department, Entry, Location, Status
from .errors import BankInvalid, Problem
from .yaml_loader import SafeLoader

ID_PATTERN = re.compile(r"^[a-z0-9-]+$")
LANG_PATTERN = re.compile(r"^[a-z]{2}$")

TOP_KEYS = {"version", "language", "departments", "entries"}
DEPARTMENT_KEYS = {"id", "name"}
ENTRY_KEYS = {"id", "department", "status", "approved_by", "approved_on", "questions", "answer"}
SUPPORTED_VERSIONS = {1}


def bank_files(path: Path) -> list[Path]:
    """The files a bank path stands for, in a stable order."""
    if path.is_dir():
        return sorted(p for p in path.iterdir() if p.suffix in (".yml", ".yaml") and p.is_file())
    return [path]


def load_bank(path: str | Path) -> Bank:
    """Read and validate the bank at ``path``. Raises :class:`BankInvalid` listing every problem."""
    path = Path(path)
    if not path.exists():
        raise BankInvalid([Problem(str(path), 0, "no such file or directory")])
    files = bank_files(path)
    if not files:
        raise BankInvalid([Problem(str(path), 0, "directory has no *.yml or *.yaml files")])
    collector = _Collector()
    for file in files:
        collector.read_file(file)
    return collector.finish()


@dataclass
class _Collector:
    problems: list[Problem] = field(default_factory=list)
    language: str | None = None
    language_at: Location | None = None
    departments: dict[str, Department] = field(default_factory=dict)
    entries: dict[str, Entry] = field(default_factory=dict)
    seen_ids: dict[str, Location] = field(default_factory=dict)
    department_refs: list[tuple[str, str, Location]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    file: str = ""

    # -- reporting -------------------------------------------------------------------
    def problem(self, node: Node | int, message: str) -> None:
        line = node if isinstance(node, int) else node.start_mark.line + 1
        self.problems.append(Problem(self.file, line, message))

    # -- files -----------------------------------------------------------------------
    def read_file(self, file: Path) -> None:
        self.file = str(file)
        self.sources.append(self.file)
        try:
            text = file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.problem(0, f"cannot read file: {exc}")
            return
        try:
            root = yaml.compose(text, Loader=SafeLoader)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else 0
            self.problem(line, f"YAML syntax error: {exc.problem or exc}")
            return
        except yaml.YAMLError as exc:
            self.problem(0, f"YAML error: {exc}")
            return
        if root is None:
            self.problem(1, "file is empty")
            return
        if not isinstance(root, MappingNode):
            self.problem(root, "a bank file must be a mapping with version, language, departments, entries")
            return
        top = self.mapping(root, TOP_KEYS, "bank file")
        self.read_header(root, top)
        if "departments" in top:
            self.read_departments(top["departments"])
        if "entries" in top:
            self.read_entries(top["entries"])
        else:
            self.problem(root, "missing 'entries'")

    def read_header(self, root: Node, top: dict[str, Node]) -> None:
        version = top.get("version")
        if version is None:
            self.problem(root, "missing 'version' (use version: 1)")
        elif self.scalar(version, "version") not in {str(v) for v in SUPPORTED_VERSIONS}:
            self.problem(version, f"unsupported version {version.value!r} (supported: 1)")
        lang_node = top.get("language")
        if lang_node is None:
            self.problem(root, "missing 'language' (the bank's default language, e.g. language: en)")
            return
        lang = self.language_code(lang_node)
        if lang is None:
            return
        if self.language is None:
            self.language, self.language_at = lang, Location(self.file, lang_node.start_mark.line + 1)
        elif lang != self.language:
            self.problem(lang_node, f"language {lang!r} differs from {self.language!r} set at {self.language_at}")

    def read_departments(self, node: Node) -> None:
        if not isinstance(node, SequenceNode):
            self.problem(node, "'departments' must be a list")
            return
        for item in node.value:
            if not isinstance(item, MappingNode):
                self.problem(item, "a department must be a mapping with id and name")
                continue
            fields = self.mapping(item, DEPARTMENT_KEYS, "department")
            dep_id = self.identifier(fields.get("id"), item, "department")
            label = f"department {dep_id!r}" if dep_id else "department"
            names = self.localized(fields.get("name"), item, label, "name")
            if dep_id is None or not names:
                continue
            location = Location(self.file, item.start_mark.line + 1)
            if dep_id in self.departments:
                self.problem(item, f"duplicate department id {dep_id!r} (first declared at {self.departments[dep_id].location})")
                continue
            self.departments[dep_id] = Department(dep_id, names.get("") or next(iter(names.values())), location,
                                                  names=names)

    def read_entries(self, node: Node) -> None:
        if not isinstance(node, SequenceNode):
            self.problem(node, "'entries' must be a list")
            return
        for item in node.value:
            if not isinstance(item, MappingNode):
                self.problem(item, "an entry must be a mapping")
                continue
            self.read_entry(item)

    def read_entry(self, item: MappingNode) -> None:
        fields = self.mapping(item, ENTRY_KEYS, "entry")
        entry_id = self.identifier(fields.get("id"), item, "entry")
        label = f"entry {entry_id!r}" if entry_id else "entry"
        ok = entry_id is not None

        dep_node = fields.get("department")
        department = self.scalar(dep_node, "department") if dep_node is not None else None
        if dep_node is None:
            self.problem(item, f"{label} is missing 'department'")
            ok = False

        status: Status | None = None
        status_node = fields.get("status")
        if status_node is None:
            self.problem(item, f"{label} is missing 'status' (draft | approved | retired)")
            ok = False
        else:
            raw = self.scalar(status_node, "status")
            try:
                status = Status(raw)
            except ValueError:
                self.problem(status_node, f"status must be draft, approved or retired, not {raw!r}")
                ok = False

        approved_by = None
        by_node = fields.get("approved_by")
        if by_node is not None:
            approved_by = (self.scalar(by_node, "approved_by") or "").strip() or None
        if status is Status.APPROVED and approved_by is None:
            self.problem(by_node or item, f"{label} is approved but has no 'approved_by'")
            ok = False

        approved_on = None
        on_node = fields.get("approved_on")
        if on_node is not None:
            approved_on = self.date(on_node)

        questions = self.questions(fields.get("questions"), item, label)
        answer = self.answer(fields.get("answer"), item, label)
        location = Location(self.file, item.start_mark.line + 1)
        if entry_id is not None:
            if entry_id in self.seen_ids:
                self.problem(item, f"duplicate entry id {entry_id!r} (first defined at {self.seen_ids[entry_id]})")
                ok = False
            else:
                self.seen_ids[entry_id] = location
        if department and dep_node is not None:
            self.department_refs.append((entry_id or "?", department, Location(self.file, dep_node.start_mark.line + 1)))
        if not ok or questions is None or answer is None or status is None:
            return
        entry = Entry(
            id=entry_id,
            department=department or "",
            status=status,
            questions=questions,
            answer=answer,
            approved_by=approved_by,
            approved_on=approved_on,
            location=location,
        )
        self.entries[entry_id] = entry

    # -- entry parts ---------------------------------------------------------------------
    def questions(self, node: Node | None, item: Node, label: str) -> dict[str, tuple[str, ...]] | None:
        if node is None:
            self.problem(item, f"{label} is missing 'questions'")
            return None
        if isinstance(node, SequenceNode):
            texts = self.texts(node)
            if texts is None:
                return None
            if not texts:
                self.problem(node, f"{label} has no questions")
                return None
            return {"": tuple(texts)}  # default language, filled in by finish()
        if isinstance(node, MappingNode):
            result: dict[str, tuple[str, ...]] = {}
            for key, value in node.value:
                lang = self.language_code(key)
                if lang is None:
                    continue
                if not isinstance(value, SequenceNode):
                    self.problem(value, f"questions in {lang!r} must be a list")
                    continue
                texts = self.texts(value)
                if texts:
                    result[lang] = tuple(texts)
                elif texts is not None:
                    self.problem(value, f"{label} has an empty question list for {lang!r}")
            if not result:
                self.problem(node, f"{label} has no questions")
                return None
            return result
        self.problem(node, "questions must be a list or a mapping {language: [questions]}")
        return None

    def answer(self, node: Node | None, item: Node, label: str) -> dict[str, str] | None:
        return self.localized(node, item, label, "answer")

    def localized(self, node: Node | None, item: Node, label: str, what: str) -> dict[str, str] | None:
        """Text, or a mapping {language: text}; ``{"": text}`` stands for the default language."""
        if node is None:
            self.problem(item, f"{label} is missing '{what}'")
            return None
        if isinstance(node, ScalarNode):
            text = self.scalar(node, what)
            if not text or not text.strip():
                self.problem(node, f"{label} has an empty {what}")
                return None
            return {"": text.strip()}
        if isinstance(node, MappingNode):
            result: dict[str, str] = {}
            for key, value in node.value:
                lang = self.language_code(key)
                if lang is None:
                    continue
                text = self.scalar(value, what) if isinstance(value, ScalarNode) else None
                if not isinstance(value, ScalarNode):
                    self.problem(value, f"{what} in {lang!r} must be text")
                elif not text or not text.strip():
                    self.problem(value, f"{label} has an empty {what} in {lang!r}")
                else:
                    result[lang] = text.strip()
            if not result:
                if node.value:
                    return None
                self.problem(node, f"{label} has an empty {what}")
                return None
            return result
        self.problem(node, f"{what} must be text or a mapping {{language: text}}")
        return None

    def texts(self, node: SequenceNode) -> list[str] | None:
        texts: list[str] = []
        for q in node.value:
            if not isinstance(q, ScalarNode):
                self.problem(q, "a question must be text")
                continue
            text = (q.value or "").strip()
            if not text:
                self.problem(q, "empty question")
                continue
            texts.append(text)
        return texts

    # -- scalars -----------------------------------------------------------------------
    def mapping(self, node: MappingNode, allowed: set[str], what: str) -> dict[str, Node]:
        fields: dict[str, Node] = {}
        for key, value in node.value:
            name = key.value if isinstance(key, ScalarNode) else None
            if name is None:
                self.problem(key, f"{what} keys must be plain names")
            elif name not in allowed:
                self.problem(key, f"unknown key {name!r} in {what} (allowed: {', '.join(sorted(allowed))})")
            elif name in fields:
                self.problem(key, f"key {name!r} appears twice in {what}")
            else:
                fields[name] = value
        return fields

    def scalar(self, node: Node, what: str) -> str | None:
        if not isinstance(node, ScalarNode):
            self.problem(node, f"'{what}' must be a single value")
            return None
        return node.value

    def identifier(self, node: Node | None, owner: Node, what: str) -> str | None:
        if node is None:
            self.problem(owner, f"{what} is missing 'id'")
            return None
        value = self.scalar(node, "id")
        if value is None:
            return None
        if not ID_PATTERN.match(value):
            self.problem(node, f"{what} id {value!r} must match [a-z0-9-]+")
            return None
        return value

    def language_code(self, node: Node) -> str | None:
        value = self.scalar(node, "language")
        if value is None:
            return None
        if not LANG_PATTERN.match(value):
            self.problem(node, f"language {value!r} is not an ISO 639-1 code (two lower-case letters)")
            return None
        return value

    def date(self, node: Node) -> date | None:
        value = self.scalar(node, "approved_on")
        try:
            return date.fromisoformat(value or "")
        except ValueError:
            self.problem(node, f"approved_on {value!r} is not a date (YYYY-MM-DD)")
            return None

    # -- whole bank --------------------------------------------------------------------
    def finish(self) -> Bank:
        default = self.language or "en"
        declared = ", ".join(sorted(self.departments)) or "none declared"
        for entry_id, department, at in self.department_refs:
            if department not in self.departments:
                self.problems.append(
                    Problem(at.file, at.line, f"entry {entry_id!r}: department {department!r} is not declared ({declared})")
                )
        entries = [_with_default_language(e, default) for e in self.entries.values()]
        departments = []
        for dep in self.departments.values():
            names = dict(dep.names)
            if "" in names:
                names[default] = names.pop("")
            departments.append(Department(dep.id, names.get(default) or dep.name, dep.location, names=names))
        if self.problems:
            raise BankInvalid(self.problems)
        if not entries:
            raise BankInvalid([Problem(self.sources[0], 1, "the bank has no entries")])
        return Bank(
            version=1,
            language=default,
            departments=tuple(departments),
            entries=tuple(entries),
            sources=tuple(self.sources),
        )


def _with_default_language(entry: Entry, default: str) -> Entry:
    """Replace the placeholder language '' (plain list / plain string) by the bank's default."""
    questions = dict(entry.questions)
    if "" in questions:
        questions[default] = questions.pop("") + questions.get(default, ())
    answer = dict(entry.answer)
    if "" in answer:
        answer[default] = answer.pop("")
    if questions == entry.questions and answer == entry.answer:
        return entry
    return Entry(
        id=entry.id,
        department=entry.department,
        status=entry.status,
        questions=questions,
        answer=answer,
        approved_by=entry.approved_by,
        approved_on=entry.approved_on,
        location=entry.location,
    )
