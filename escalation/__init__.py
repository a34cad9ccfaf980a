"""Handoff to people: the agents who may sign in, the agent API and the agent console.

The server mounts it through the ``helpline.extensions`` entry point
``escalation.console:setup``: the JSON API at ``/api/`` (docs/agent-api.md) and the
console at ``/console/``.
"""

from .agents import ADMIN_TOKEN_VARIABLE, Agent, AgentDirectory
from .api import AgentApi

__all__ = ["ADMIN_TOKEN_VARIABLE", "Agent", "AgentApi", "AgentDirectory"]
