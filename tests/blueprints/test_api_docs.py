"""/api/openapi.json names and tags every operation and documents its throttle; /api/docs
serves the viewer from the app itself."""

from __future__ import annotations

import re

from surveys.schemas import ERROR

METHODS = {"get", "post", "put", "patch", "delete"}


def _operations(doc):
    return [(path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items() if method in METHODS]


def test_every_operation_has_a_unique_operation_id_and_a_declared_tag(client):
    doc = client.get("/api/openapi.json").get_json()
    ops = _operations(doc)
    ids = [op["operationId"] for _, _, op in ops]
    assert len(ids) == len(set(ids)) == len(ops) == 9
    declared = {tag["name"] for tag in doc["tags"]}
    for path, method, op in ops:
        assert op["tags"] and set(op["tags"]) <= declared, (method, path)
        assert re.fullmatch(r"[a-z][A-Za-z]+", op["operationId"]), op["operationId"]


def test_every_throttled_operation_documents_429_with_retry_after(client):
    doc = client.get("/api/openapi.json").get_json()
    for path, method, op in _operations(doc):
        too_many = op["responses"]["429"]
        assert too_many["headers"]["Retry-After"]["schema"]["type"] == "integer", (method, path)
        assert too_many["content"]["application/json"]["schema"] == ERROR, (method, path)


def test_the_document_describes_itself_and_names_the_configured_server(client):
    doc = client.get("/api/openapi.json").get_json()
    assert "Authorization: Bearer" in doc["info"]["description"]
    assert doc["servers"] == [{"url": "http://survey.test", "description": "this Postventa"}]


def test_the_servers_entry_follows_base_url(make_app):
    app = make_app(BASE_URL="https://encuestas.example.com/")
    doc = app.test_client().get("/api/openapi.json").get_json()
    assert [s["url"] for s in doc["servers"]] == ["https://encuestas.example.com"]


def test_api_docs_page_loads_only_the_apps_own_files(client):
    resp = client.get("/api/docs")
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources and all(s.startswith("/") or s.startswith("data:") for s in sources), sources
    assert "<script>" not in html  # no inline script: the CSP allows only 'self'
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "unsafe" not in csp
    bundle = client.get("/api/docs/assets/swagger-ui-bundle.js")
    assert bundle.status_code == 200 and len(bundle.data) > 500_000
    assert client.get("/api/docs/assets/../../__init__.py").status_code == 404
