"""Who may sign in: agents from config.yml with tokens from the environment, the admin."""

from __future__ import annotations

import hmac
import logging

import pytest

from bot.config import ConfigError
from escalation.agents import AgentDirectory, bearer_token

ENV = {"TOKEN_OMID": "omid-secret-token-1", "TOKEN_ANA": "ana-secret-token-22"}
SECTION = [
    {"name": "Omid", "token": "${TOKEN_OMID}", "departments": ["logistics"]},
    {"name": "Ana", "token": "${TOKEN_ANA}", "departments": ["support", "billing"]},
]
KNOWN = {"logistics", "support", "billing", "sales"}


def directory(section=SECTION, environ=ENV, known=KNOWN) -> AgentDirectory:
    return AgentDirectory.from_config(section, environ, known_departments=known)


def test_agents_sign_in_with_the_token_from_their_environment_variable():
    agents = directory()
    omid = agents.authenticate("Bearer omid-secret-token-1")
    assert omid is not None and omid.name == "Omid" and omid.departments == {"logistics"}
    assert agents.authenticate("bearer ana-secret-token-22").name == "Ana"  # the scheme is case-insensitive
    assert not omid.admin


@pytest.mark.parametrize(
    "header",
    [None, "", "Bearer", "Bearer ", "Basic b21pZDpzZWNyZXQ=", "omid-secret-token-1", "Bearer omid-secret-token-",
     "Bearer omid-secret-token-11", "Bearer OMID-SECRET-TOKEN-1", "Bearer ${TOKEN_OMID}"],
)
def test_anything_but_an_agents_exact_token_is_refused(header):
    assert directory().authenticate(header) is None


def test_a_missing_environment_variable_is_an_error_naming_it():
    with pytest.raises(ConfigError) as caught:
        directory(environ={"TOKEN_ANA": "ana-secret-token-22"})
    assert caught.value.problems == [
        "config.yml: agents[0].token: environment variable TOKEN_OMID is not set"
    ]


def test_every_problem_is_listed_at_once_and_no_token_is_printed():
    section = [
        {"name": "Omid", "token": "omid-secret-token-1", "departments": ["logistics"]},  # inline: refused
        {"name": "", "token": "${TOKEN_ANA}", "departments": ["support"]},
        {"name": "Leyla", "token": "${TOKEN_LEYLA}", "departments": ["warehouse"], "role": "lead"},
        {"name": "Ana", "token": "${TOKEN_ANA}", "departments": []},
        "Bita",
    ]
    with pytest.raises(ConfigError) as caught:
        directory(section)
    problems = caught.value.problems
    assert "config.yml: agents[0].token: secrets must be written as ${ENV_VAR}, never inline" in problems
    assert "config.yml: agents[1].name: required, a non-empty string" in problems
    assert "config.yml: agents[2].role: unknown setting (allowed: departments, name, token)" in problems
    assert any(p.startswith("config.yml: agents[2].departments: unknown department 'warehouse'") for p in problems)
    assert "config.yml: agents[2].token: environment variable TOKEN_LEYLA is not set" in problems
    assert "config.yml: agents[3].departments: required, a non-empty list of department ids" in problems
    assert "config.yml: agents[4]: must be a mapping with name, token and departments" in problems
    assert "omid-secret-token-1" not in str(caught.value)


def test_two_agents_with_one_token_or_one_name_are_refused():
    env = {"TOKEN_A": "same-token-for-both", "TOKEN_B": "same-token-for-both", "TOKEN_C": "another-token-here"}
    section = [
        {"name": "Omid", "token": "${TOKEN_A}", "departments": ["logistics"]},
        {"name": "Ana", "token": "${TOKEN_B}", "departments": ["support"]},
        {"name": "Ana", "token": "${TOKEN_C}", "departments": ["sales"]},
    ]
    with pytest.raises(ConfigError) as caught:
        directory(section, env)
    assert caught.value.problems == [
        "config.yml: agents: Ana and Omid have the same token (${TOKEN_B}); every agent needs their own",
        "config.yml: agents: the name 'Ana' is used 2 times",
    ]


def test_the_admin_token_from_the_environment_signs_in_an_agent_of_every_department():
    agents = directory(environ={**ENV, "HELPLINE_ADMIN_TOKEN": "bootstrap-admin-token"})
    admin = agents.authenticate("Bearer bootstrap-admin-token")
    assert admin is not None and admin.admin and admin.name == "admin"
    assert admin.departments == KNOWN
    assert admin.sees("logistics", "support") and admin.sees(None, "support") and admin.sees("new-dept", "support")


def test_with_no_agents_configured_only_the_admin_can_sign_in():
    agents = AgentDirectory.from_config(None, {"HELPLINE_ADMIN_TOKEN": "bootstrap-admin-token"})
    assert [a.name for a in agents.agents] == ["admin"]
    assert len(AgentDirectory.from_config(None, {})) == 0


def test_an_agent_sees_its_departments_and_the_default_queue_only_if_it_is_the_default():
    agents = directory()
    omid = agents.authenticate("Bearer omid-secret-token-1")
    ana = agents.authenticate("Bearer ana-secret-token-22")
    assert omid.sees("logistics", "support") and not omid.sees("billing", "support")
    assert not omid.sees(None, "support")  # no department: the default department's queue
    assert ana.sees(None, "support") and ana.sees("billing", "support")
    assert omid.store_filter("support") == ({"logistics"}, False)
    assert ana.store_filter("support") == ({"support", "billing"}, True)


def test_tokens_never_show_in_reprs_or_logs(caplog):
    caplog.set_level(logging.DEBUG)
    agents = directory(environ={**ENV, "HELPLINE_ADMIN_TOKEN": "bootstrap-admin-token"})
    text = repr(agents) + repr(agents.agents) + repr(vars(agents))
    logging.getLogger("test").info("directory", extra={"agents": agents})
    for token in [*ENV.values(), "bootstrap-admin-token"]:
        assert token not in text
        assert token not in caplog.text


def test_every_token_is_compared_in_constant_time_without_an_early_exit(monkeypatch):
    """The presented token is compared with every agent's by hmac.compare_digest, also
    after a match, so timing tells nothing about which agent came close."""
    compared = []
    real = hmac.compare_digest

    def counting(a, b):
        compared.append((len(a), len(b)))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", counting)
    agents = directory(environ={**ENV, "HELPLINE_ADMIN_TOKEN": "bootstrap-admin-token"})
    assert agents.authenticate("Bearer omid-secret-token-1").name == "Omid"  # the first of three
    assert agents.authenticate("Bearer x") is None
    assert len(compared) == 2 * 3
    assert set(compared) == {(32, 32)}  # digests: the token's length does not matter either


def test_bearer_token_parsing():
    assert bearer_token("Bearer abc") == "abc"
    assert bearer_token("  bearer   abc  ") == "abc"
    assert bearer_token("Token abc") is None
    assert bearer_token(None) is None
