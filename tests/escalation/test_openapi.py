"""The agent API's OpenAPI description: valid OpenAPI 3.1, served without a token, and
describing exactly the routes the server has."""

from __future__ import annotations

import yaml
from openapi_spec_validator import validate

from escalation.api import OPENAPI_FILE, AgentApi
from escalation.agents import AgentDirectory


def test_the_description_is_valid_openapi_3_1():
    spec = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_the_description_documents_every_route_and_no_other():
    spec = yaml.safe_load(OPENAPI_FILE.read_text(encoding="utf-8"))
    documented = {(method.upper(), path) for path, item in spec["paths"].items()
                  for method in item if method in {"get", "post", "put", "patch", "delete"}}
    app = AgentApi(engine=None, directory=AgentDirectory(), default_department=None).application()
    served = {(route.method, route.resource.canonical) for route in app.router.routes() if route.method != "HEAD"}
    assert documented == served


async def test_it_is_served_at_api_openapi_yaml_without_a_token(desk):
    response = await desk.client.get("/api/openapi.yaml")
    assert response.status == 200
    assert response.content_type == "application/yaml"
    assert yaml.safe_load(await response.text())["info"]["title"] == "helpline agent API"
