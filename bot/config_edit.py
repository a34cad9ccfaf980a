"""Writing tuned matcher settings into config.yml in place.

``helpline tune --write`` changes numbers a support lead did not write by hand, in a file they
did: every other line stays as it was — other matcher settings (``head``, the weights), the
comments, their columns, the order — and only the tuned values change. A setting the file does
not have yet is added to the ``matcher:`` section (under ``calibration:`` for the calibration's
terms); a file without that section gets one at its end.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

_SECTION = re.compile(r"^matcher:[ \t]*(#.*)?$")
_TOP_LEVEL = re.compile(r"^[^\s#]")  # a line that starts the next section
_SETTING = re.compile(r"^(?P<indent>[ \t]+)(?P<key>[\w-]+):(?P<space>[ \t]*)(?P<value>[^#\n]*?)(?P<comment>[ \t]+#.*)?$")


def update_matcher(text: str, values: dict[str, Any]) -> str:
    """``text`` (config.yml) with the ``matcher:`` settings in ``values`` written in place.

    ``values`` maps setting names to numbers, and ``calibration`` to a mapping of its terms."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines) if _SECTION.match(line)), None)
    if start is None:
        block = yaml.safe_dump({"matcher": values}, sort_keys=False)
        return text.rstrip("\n") + "\n\n" + block
    end = next((i for i in range(start + 1, len(lines)) if _TOP_LEVEL.match(lines[i])), len(lines))
    section = _Section(lines[start + 1:end])
    for key, value in values.items():
        if isinstance(value, dict):
            for term, number in value.items():
                section.set((key, term), number)
        else:
            section.set((key,), value)
    trailing = "\n" if text.endswith("\n") else ""
    return "\n".join(lines[: start + 1] + section.lines + lines[end:]) + trailing


class _Section:
    """The lines of the ``matcher:`` section, addressed by (setting,) or (mapping, term)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = list(lines)
        settings = [m for m in map(_SETTING.match, self.lines) if m]
        self.indent = settings[0]["indent"] if settings else "  "

    def _where(self) -> dict[tuple[str, ...], int]:
        """Each setting's line, by its path (nested mappings other than one level are not addressed)."""
        paths: dict[tuple[str, ...], int] = {}
        parent: str | None = None
        for index, line in enumerate(self.lines):
            match = _SETTING.match(line)
            if not match:
                continue
            if match["indent"] == self.indent:
                parent = match["key"]
                paths[(parent,)] = index
            elif parent is not None and len(match["indent"]) > len(self.indent):
                paths.setdefault((parent, match["key"]), index)
        return paths

    def set(self, path: tuple[str, ...], value: Any) -> None:
        where = self._where()
        if path in where:
            self.lines[where[path]] = _rewrite(self.lines[where[path]], value)
            return
        if len(path) == 1:
            self._insert(self._last_line(), f"{self.indent}{path[0]}: {value}")
            return
        parent = (path[0],)
        if parent not in where:
            self._insert(self._last_line(), f"{self.indent}{path[0]}:")
            where = self._where()
        children = [i for p, i in where.items() if len(p) == 2 and p[0] == path[0]]
        after = max(children, default=where[parent])
        self._insert(after, f"{self.indent * 2}{path[1]}: {value}")

    def _last_line(self) -> int:
        """The section's last line that is not blank (-1 for an empty section)."""
        return max((i for i, line in enumerate(self.lines) if line.strip()), default=-1)

    def _insert(self, after: int, line: str) -> None:
        self.lines.insert(after + 1, line)


def _rewrite(line: str, value: Any) -> str:
    """The setting's line with ``value``, its comment kept at the column it started at."""
    match = _SETTING.match(line)
    assert match is not None
    head = f"{match['indent']}{match['key']}:{match['space'] or ' '}{value}"
    if not match["comment"]:
        return head
    comment = match["comment"].lstrip()
    column = len(line) - len(comment)
    return f"{head.ljust(column - 1)} {comment}"
