"""Who may use the agent API: the agents of config.yml and the bootstrap admin.

    agents:
      - name: Omid
        token: ${HELPLINE_TOKEN_OMID}
        departments: [logistics]

Tokens come only from the environment (``${ENV_VAR}``; a token written in the file, or
a variable that is not set, is a :class:`~bot.config.ConfigError` naming it). When
``HELPLINE_ADMIN_TOKEN`` is set, that token signs in an admin agent who sees every
department: the first login of a new deployment.

Tokens are held as :class:`~bot.config.Secret` (never printed) and compared in
constant time: :meth:`AgentDirectory.authenticate` hashes the presented token and
compares it with every agent's, so neither the time taken nor an early exit tells an
attacker how much of a guess was right, or which agent it came close to.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.config import ConfigError, Secret, secret

#: The environment variable whose token signs in the admin agent.
ADMIN_TOKEN_VARIABLE = "HELPLINE_ADMIN_TOKEN"
ADMIN_NAME = "admin"

_AGENT_KEYS = {"name", "token", "departments"}
_DEPARTMENT_ID = re.compile(r"^[a-z0-9-]+$")


@dataclass(frozen=True, slots=True)
class Agent:
    """A person who answers customers. ``admin`` agents see every department."""

    name: str
    departments: frozenset[str]
    admin: bool = False

    def sees(self, department: str | None, default_department: str | None) -> bool:
        """Whether conversations of ``department`` are this agent's business. A
        conversation with no department belongs to the default department's queue."""
        if self.admin:
            return True
        return (department or default_department) in self.departments

    def store_filter(self, default_department: str | None) -> tuple[set[str] | None, bool]:
        """``(departments, with_unassigned)`` for listing this agent's conversations:
        ``departments`` None means every department."""
        if self.admin:
            return None, True
        return set(self.departments), default_department in self.departments


@dataclass(frozen=True, slots=True)
class _Credential:
    agent: Agent
    digest: bytes = field(repr=False)  # SHA-256 of the token: compared instead of the token
    token: Secret = field(repr=False)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class AgentDirectory:
    """The agents who may sign in, found by their bearer token."""

    def __init__(self, credentials: Iterable[tuple[Agent, Secret]] = ()) -> None:
        self._credentials = tuple(
            _Credential(agent, _digest(token.reveal()), token) for agent, token in credentials
        )

    @classmethod
    def from_config(
        cls,
        section: Any,
        environ: Mapping[str, str] | None = None,
        *,
        known_departments: Iterable[str] | None = None,
        where: str = "config.yml",
    ) -> AgentDirectory:
        """Build the directory from config.yml's ``agents:`` list and the environment.

        Every problem (unknown key, missing name, inline token, unset variable, unknown
        department, a name or token used twice) is collected and raised together as
        :class:`ConfigError`. ``known_departments``, when given, are the departments
        agents may be assigned to.
        """
        environ = os.environ if environ is None else environ
        problems: list[str] = []
        known = set(known_departments) if known_departments is not None else None
        credentials: list[tuple[Agent, Secret]] = []
        if section is None:
            section = []
        if not isinstance(section, list):
            raise ConfigError([f"{where}: agents: must be a list of {{name, token, departments}}"])
        for index, item in enumerate(section):
            here = f"{where}: agents[{index}]"
            if not isinstance(item, dict):
                problems.append(f"{here}: must be a mapping with name, token and departments")
                continue
            for unknown in sorted(set(item) - _AGENT_KEYS):
                problems.append(f"{here}.{unknown}: unknown setting (allowed: {', '.join(sorted(_AGENT_KEYS))})")
            name = item.get("name")
            if not isinstance(name, str) or not name.strip():
                problems.append(f"{here}.name: required, a non-empty string")
                name = None
            departments = _departments(item.get("departments"), f"{here}.departments", known, problems)
            token = secret(item.get("token"), f"{here}.token", problems, dict(environ))
            if name and token is not None and departments is not None:
                credentials.append((Agent(name.strip(), departments), token))
        admin_token = environ.get(ADMIN_TOKEN_VARIABLE)
        if admin_token:
            all_departments = frozenset(known or ())
            credentials.append(
                (Agent(ADMIN_NAME, all_departments, admin=True), Secret(ADMIN_TOKEN_VARIABLE, admin_token))
            )
        problems.extend(_duplicates(credentials, where))
        if problems:
            raise ConfigError(problems)
        return cls(credentials)

    @property
    def agents(self) -> tuple[Agent, ...]:
        return tuple(c.agent for c in self._credentials)

    def __len__(self) -> int:
        return len(self._credentials)

    def __repr__(self) -> str:
        return f"AgentDirectory({', '.join(a.name for a in self.agents)})"

    def authenticate(self, authorization: str | None) -> Agent | None:
        """The agent whose token an ``Authorization: Bearer <token>`` header carries,
        or None (no header, another scheme, an unknown token)."""
        token = bearer_token(authorization)
        if token is None:
            return None
        presented = _digest(token)
        found: Agent | None = None
        for credential in self._credentials:  # no early exit: every token is compared
            if hmac.compare_digest(presented, credential.digest):
                found = credential.agent
        return found


def bearer_token(authorization: str | None) -> str | None:
    """The token of a ``Bearer`` authorization header, else None."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token


def _departments(value: Any, where: str, known: set[str] | None, problems: list[str]) -> frozenset[str] | None:
    if not isinstance(value, list) or not value:
        problems.append(f"{where}: required, a non-empty list of department ids")
        return None
    ids = [str(v) for v in value]
    bad = [d for d in ids if not _DEPARTMENT_ID.match(d)]
    unknown = [d for d in ids if known is not None and d not in known and d not in bad]
    for d in bad:
        problems.append(f"{where}: {d!r} is not a department id ([a-z0-9-]+)")
    for d in unknown:
        problems.append(f"{where}: unknown department {d!r} (known: {', '.join(sorted(known or ()))})")
    return None if bad or unknown else frozenset(ids)


def _duplicates(credentials: list[tuple[Agent, Secret]], where: str) -> list[str]:
    problems = []
    names: dict[str, int] = {}
    digests: dict[bytes, str] = {}
    for agent, token in credentials:
        names[agent.name] = names.get(agent.name, 0) + 1
        digest = _digest(token.reveal())
        if digest in digests:
            problems.append(
                f"{where}: agents: {agent.name} and {digests[digest]} have the same token "
                f"(${{{token.variable}}}); every agent needs their own"
            )
        else:
            digests[digest] = agent.name
    for name, count in names.items():
        if count > 1:
            problems.append(f"{where}: agents: the name {name!r} is used {count} times")
    return problems
