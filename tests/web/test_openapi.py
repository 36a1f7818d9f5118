"""GET /openapi.json: a valid OpenAPI 3.1 document that describes exactly the routes the
app registers, and that real answers of the running app validate against."""

from __future__ import annotations

import copy
import json
import urllib.parse
from typing import Any

import pytest
from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient
from jsonschema import Draft202012Validator
from openapi_spec_validator import OpenAPIV31SpecValidator, validate
from pydantic import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from moderation.app import create_app
from moderation.config import Config, IntakeConfig
from moderation.core.records import Decision, Status
from moderation.intake.validation import CONTENT_MAX
from moderation.storage.redis_server import RedisServer
from moderation.storage.store import IDEMPOTENCY_TTL_SECONDS, UNDO_WINDOW_MS, Order
from moderation.web.answers import ANSWERS
from moderation.web.bodies import MAX_BULK, MAX_LEASE_SECONDS, MAX_PAGE, ClaimRequest
from moderation.web.openapi import REQUESTS, openapi_document
from moderation.web.problems import GOOGLE_PATHS, PROBLEM_JSON, TEXT_PATHS
from moderation.web.queries import QueueQuery, StatsQuery, query_values
from moderation.web.table import ROUTES
from tests.conftest import ALICE, BLOG_KEY, BOB, NEWS_KEY, ROOT, auth, comment_body

Client = TestClient[Any, Any]
DOC_URI = "urn:moderation:openapi"
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
JSON_TYPES = ("application/json", "application/problem+json")


def _closed(node: Any) -> Any:
    """The document with every object schema closed to undocumented members, so a field
    the code answers but the document does not name fails the test."""
    if isinstance(node, dict):
        closed = {k: _closed(v) for k, v in node.items()}
        if isinstance(node.get("properties"), dict) and "additionalProperties" not in node:
            closed["additionalProperties"] = False
        return closed
    if isinstance(node, list):
        return [_closed(v) for v in node]
    return node


STRICT = _closed(copy.deepcopy(openapi_document(ROUTES)))
REGISTRY: Registry[Any] = Registry().with_resource(
    DOC_URI, Resource.from_contents(STRICT, default_specification=DRAFT202012)
)


def _pointer(*parts: str) -> str:
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in parts)


async def check(resp: ClientResponse, path: str, method: str | None = None) -> Any:
    """Assert that ``resp`` is a documented answer of ``method path`` and that its body
    validates against the documented schema; return the parsed body."""
    method = (method or resp.method).lower()
    operation = STRICT["paths"][path][method]
    status = str(resp.status)
    raw = await resp.read()
    assert status in operation["responses"], (
        f"{method.upper()} {path} answered {status}, which is not documented: {raw[:300]!r}"
    )
    documented = operation["responses"][status]
    content = documented.get("content", {})
    for name, header in documented.get("headers", {}).items():
        if "$ref" in header:
            header = STRICT["components"]["headers"][name]
        if header.get("required"):
            assert name in resp.headers, f"{method.upper()} {path} {status}: no {name} header"
    assert "X-Request-ID" in resp.headers
    if not content:  # a redirect
        assert not raw.strip(), f"{method.upper()} {path} {status} has an undocumented body"
        return None
    assert resp.content_type in content, (
        f"{method.upper()} {path} {status} answered {resp.content_type}; "
        f"documented: {sorted(content)}"
    )
    if resp.content_type not in JSON_TYPES:
        return raw.decode()
    body = json.loads(raw)
    ref = (
        DOC_URI
        + "#"
        + _pointer(
            "paths", path, method, "responses", status, "content", resp.content_type, "schema"
        )
    )
    validator = Draft202012Validator(
        {"$ref": ref},
        registry=REGISTRY,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )
    errors = [
        f"{'/'.join(map(str, e.absolute_path)) or '(body)'}: {e.message}"
        for e in validator.iter_errors(body)
    ]
    assert not errors, f"{method.upper()} {path} {status} does not match the document: {errors}"
    return body


# ---------------------------------------------------------------------------------------
# The document itself


def test_document_is_valid_openapi_3_1() -> None:
    doc = openapi_document(ROUTES)
    validate(doc, cls=OpenAPIV31SpecValidator)
    assert doc["openapi"].startswith("3.1.")
    json.dumps(doc)  # plain JSON data all the way down


def test_document_is_built_once() -> None:
    assert openapi_document(ROUTES) is openapi_document(ROUTES)


def test_every_route_is_documented_and_every_documented_route_exists(config: Config) -> None:
    app = create_app(config)  # no I/O: the router is all we look at
    registered: set[tuple[str, str]] = set()
    for route in app.router.routes():
        resource = route.resource
        assert resource is not None
        path = resource.canonical
        if route.method == "HEAD":  # aiohttp adds HEAD beside every GET
            continue
        registered.add((path, route.method.lower()))
    documented = {
        (path, method)
        for path, item in openapi_document(ROUTES)["paths"].items()
        for method in item
        if method in METHODS
    }
    missing = {r for r in registered if not r[0].startswith("/moderate")} - documented
    assert not missing, f"routes missing from the document: {sorted(missing)}"
    phantom = documented - registered
    assert not phantom, f"documented routes the app does not have: {sorted(phantom)}"


def test_operations_are_well_formed() -> None:
    doc = openapi_document(ROUTES)
    ids: list[str] = []
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            ids.append(op["operationId"])
            names = {p.strip("{}") for p in path.split("/") if p.startswith("{")}
            params = [
                doc["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]] if "$ref" in p else p
                for p in op.get("parameters", [])
            ]
            path_params = {p["name"] for p in params if p["in"] == "path"}
            assert names == path_params, f"{method} {path}: path parameters {path_params}"
            for status, answer in op["responses"].items():
                own_answers = {("/readyz", "503"), ("/moderate/login", "401")}
                # Akismet's clients read text: its paths answer every failure as text;
                # Perspective's read Google's error shape, plain JSON
                expected = (
                    "text/plain"
                    if path.startswith(TEXT_PATHS)
                    else "application/json"
                    if path.startswith(GOOGLE_PATHS)
                    else PROBLEM_JSON
                )
                if int(status) >= 400 and (path, status) not in own_answers:
                    assert list(answer["content"]) == [expected], (
                        f"{method} {path} {status} is not {expected}"
                    )
            for scheme in (s for req in op["security"] for s in req):
                assert scheme in doc["components"]["securitySchemes"]
    assert len(ids) == len(set(ids))


def test_problem_schema_has_the_rfc_9457_members() -> None:
    problem = openapi_document(ROUTES)["components"]["schemas"]["Problem"]["properties"]
    assert {"type", "title", "status", "detail", "instance", "request_id", "errors"} <= set(problem)
    field_error = openapi_document(ROUTES)["components"]["schemas"]["FieldError"]
    assert set(field_error["required"]) == {"field", "message"}


# ---------------------------------------------------------------------------------------
# Real answers against the document


async def test_served_document_is_the_built_one(client: Client) -> None:
    resp = await client.get("/openapi.json")
    assert await check(resp, "/openapi.json") == openapi_document(ROUTES)


async def test_intake_answers_match_the_document(client: Client) -> None:
    resp = await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
    assert resp.status == 202
    await check(resp, "/v1/comments")

    resp = await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
    assert resp.headers.get("Idempotent-Replayed") == "true"
    await check(resp, "/v1/comments")

    form = urllib.parse.urlencode(comment_body(id="form-1"))
    resp = await client.post(
        "/v1/comments",
        data=form,
        headers={**auth(NEWS_KEY), "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert resp.status == 202
    await check(resp, "/v1/comments")

    bad = {"author_name": " ", "author_email": "nope", "content": "", "author_url": "ftp://x"}
    resp = await client.post("/v1/comments", json=bad, headers=auth(NEWS_KEY))
    assert resp.status == 422
    problem = await check(resp, "/v1/comments")
    assert {e["field"] for e in problem["errors"]} == {
        "author_name",
        "author_email",
        "content",
        "author_url",
    }

    json_headers = {**auth(NEWS_KEY), "Content-Type": "application/json"}
    cases: list[tuple[int, dict[str, str], bytes]] = [
        (400, json_headers, b'{"author_name": '),
        (401, {"Content-Type": "application/json"}, json.dumps(comment_body()).encode()),
        (403, {**auth(BLOG_KEY), "Content-Type": "application/json"}, b"{}"),
        (413, json_headers, json.dumps(comment_body(content="x" * 70_000)).encode()),
        (415, {**auth(NEWS_KEY), "Content-Type": "text/plain"}, b"hello"),
    ]
    for status, headers, data in cases:
        resp = await client.post("/v1/comments", data=data, headers=headers)
        assert resp.status == status, await resp.text()
        await check(resp, "/v1/comments")


async def _submit(client: Client, external_id: str, **fields: Any) -> str:
    resp = await client.post(
        "/v1/comments", json=comment_body(id=external_id, **fields), headers=auth(NEWS_KEY)
    )
    assert resp.status == 202
    comment_id: str = (await resp.json())["id"]
    return comment_id


async def test_moderator_answers_match_the_document(client: Client) -> None:
    first = await _submit(client, "c1", author_ip="203.0.113.9", lang="en")
    second = await _submit(client, "c2")
    third = await _submit(client, "c3")

    resp = await client.get("/v1/queue?site=news&limit=2", headers=auth(ALICE))
    page = await check(resp, "/v1/queue")
    assert resp.status == 200 and len(page["items"]) == 2 and page["next_cursor"]
    resp = await client.get(
        f"/v1/queue?site=news&order=oldest&cursor={page['next_cursor']}", headers=auth(ALICE)
    )
    await check(resp, "/v1/queue")
    resp = await client.get("/v1/queue?order=sideways&limit=9999", headers=auth(ROOT))
    assert resp.status == 422
    await check(resp, "/v1/queue")
    resp = await client.get("/v1/queue?site=blog", headers=auth(ALICE))
    assert resp.status == 404
    await check(resp, "/v1/queue")
    resp = await client.get("/v1/queue?site=news")
    assert resp.status == 401
    await check(resp, "/v1/queue")

    resp = await client.post(
        f"/v1/comments/{first}/decision",
        json={"decision": "approve", "note": "on topic"},
        headers=auth(ALICE),
    )
    assert resp.status == 200
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.post(
        f"/v1/comments/{first}/decision", json={"decision": "spam"}, headers=auth(BOB)
    )
    assert resp.status == 409
    conflict = await check(resp, "/v1/comments/{id}/decision")
    assert conflict["decided_by"] == "alice"
    resp = await client.post(
        f"/v1/comments/{first}/decision", json={"decision": "maybe"}, headers=auth(BOB)
    )
    assert resp.status == 422
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.post(f"/v1/comments/{first}/decision", data="approve", headers=auth(BOB))
    assert resp.status == 415
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.post(
        "/v1/comments/blog_0123abcd/decision", json={"decision": "spam"}, headers=auth(BOB)
    )
    assert resp.status == 404
    await check(resp, "/v1/comments/{id}/decision")

    for headers, status in ((auth(ALICE), 200), (auth(NEWS_KEY), 200), (auth(BLOG_KEY), 404)):
        resp = await client.get(f"/v1/comments/{first}", headers=headers)
        assert resp.status == status
        await check(resp, "/v1/comments/{id}")

    resp = await client.post(f"/v1/comments/{first}/undo", headers=auth(ALICE))
    assert resp.status == 200
    await check(resp, "/v1/comments/{id}/undo")
    resp = await client.post(f"/v1/comments/{first}/undo", headers=auth(ALICE))
    assert resp.status == 409
    await check(resp, "/v1/comments/{id}/undo")

    resp = await client.post(
        "/v1/queue/claim", json={"site": "news", "limit": 1, "order": "oldest"}, headers=auth(BOB)
    )
    claimed = await check(resp, "/v1/queue/claim")
    assert resp.status == 200 and claimed["items"][0]["claimed_by"] == "bob"
    held = claimed["items"][0]["id"]
    resp = await client.post("/v1/queue/claim", json={"limit": 0}, headers=auth(BOB))
    assert resp.status == 422
    await check(resp, "/v1/queue/claim")
    resp = await client.post(f"/v1/comments/{held}/release", headers=auth(ALICE))
    assert resp.status == 409
    await check(resp, "/v1/comments/{id}/release")
    resp = await client.post(
        f"/v1/comments/{held}/decision", json={"decision": "reject"}, headers=auth(ALICE)
    )
    assert resp.status == 409
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.post(f"/v1/comments/{held}/release", headers=auth(BOB))
    assert resp.status == 200
    await check(resp, "/v1/comments/{id}/release")

    # one comment claimed, taken over by an admin, refused to others; an override
    url = f"/v1/comments/{held}/claim"
    resp = await client.post(url, json={"lease_seconds": 60}, headers=auth(BOB))
    assert (await check(resp, "/v1/comments/{id}/claim"))["claimed_by"] == "bob"
    for body, token, status in (
        ({}, ALICE, 409),
        ({"take": True}, ALICE, 403),
        ({"take": True, "lease_seconds": 0}, ROOT, 422),
        ({"take": True}, ROOT, 200),
    ):
        resp = await client.post(url, json=body, headers=auth(token))
        assert resp.status == status, await resp.text()
        answered = await check(resp, "/v1/comments/{id}/claim")
    assert answered["taken_from"] == "bob"
    resp = await client.post(url, headers=auth(ROOT))  # no body: a renewal
    assert resp.status == 200
    await check(resp, "/v1/comments/{id}/claim")
    resp = await client.post(
        f"/v1/comments/{first}/decision",
        json={"decision": "spam", "override": True},
        headers=auth(BOB),
    )
    overridden = await check(resp, "/v1/comments/{id}/decision")
    assert overridden["previous_status"] == "pending"  # undone above
    resp = await client.post(
        f"/v1/comments/{first}/decision",
        json={"decision": "approve", "override": True},
        headers=auth(ALICE),
    )
    assert (await check(resp, "/v1/comments/{id}/decision"))["previous_status"] == "spam"
    resp = await client.post(f"/v1/comments/{first}/claim", json={"take": True}, headers=auth(ROOT))
    assert resp.status == 409
    await check(resp, "/v1/comments/{id}/claim")

    resp = await client.post(
        "/v1/decisions",
        json={
            "decisions": [
                {"id": second, "decision": "spam", "note": "link farm"},
                {"id": second, "decision": "approve"},
                {"id": "blog_0123abcd", "decision": "approve"},
                {"id": third, "decision": "perhaps"},
                {"decision": "spam"},
                {"id": second, "decision": "reject", "override": True},
            ]
        },
        headers=auth(ALICE),
    )
    results = await check(resp, "/v1/decisions")
    assert [r["status"] for r in results["results"]] == [200, 409, 404, 422, 422, 200]
    assert results["results"][5]["previous_status"] == "spam"
    resp = await client.post("/v1/decisions", json={"decisions": []}, headers=auth(ALICE))
    assert resp.status == 422
    await check(resp, "/v1/decisions")

    resp = await client.get("/v1/stats?site=news", headers=auth(ALICE))
    stats = await check(resp, "/v1/stats")
    assert resp.status == 200 and stats["decisions_today"]
    resp = await client.get("/v1/stats", headers=auth(ROOT))
    assert resp.status == 422
    await check(resp, "/v1/stats")


async def test_ops_answers_match_the_document(client: Client) -> None:
    resp = await client.get("/healthz")
    assert resp.status == 200
    await check(resp, "/healthz")
    resp = await client.get("/readyz")
    assert resp.status == 200
    await check(resp, "/readyz")
    resp = await client.get("/metrics")
    assert resp.status == 200
    text = await check(resp, "/metrics")
    assert "# TYPE" in text


@pytest.mark.slow
async def test_outage_answers_match_the_document(client: Client, redis_server: RedisServer) -> None:
    redis_server.stop()
    try:
        resp = await client.post("/v1/comments", json=comment_body(), headers=auth(NEWS_KEY))
        assert resp.status == 503
        await check(resp, "/v1/comments")
        resp = await client.get("/readyz")
        assert resp.status == 503
        body = await check(resp, "/readyz")
        assert body["failing"] == ["redis"]
        resp = await client.get("/v1/queue?site=news", headers=auth(ALICE))
        assert resp.status == 503
        await check(resp, "/v1/queue")
    finally:
        redis_server.start()


async def test_moderator_page_answers_match_the_document(client: Client) -> None:
    resp = await client.get("/moderate")
    assert resp.status == 200
    await check(resp, "/moderate")
    resp = await client.get("/moderate/session")
    assert resp.status == 401
    await check(resp, "/moderate/session")
    resp = await client.post("/moderate/login", data={"token": "wrong"}, allow_redirects=False)
    assert resp.status == 401
    await check(resp, "/moderate/login")
    resp = await client.post(
        "/moderate/login",
        data={"token": ALICE},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert resp.status == 403
    await check(resp, "/moderate/login")
    resp = await client.post("/moderate/login", data={"token": ALICE}, allow_redirects=False)
    assert resp.status == 303
    await check(resp, "/moderate/login")

    resp = await client.get("/moderate/session")  # the client keeps the cookie
    session = await check(resp, "/moderate/session")
    assert resp.status == 200 and session["moderator"] == "alice"
    resp = await client.get("/moderate")
    assert resp.status == 200
    await check(resp, "/moderate")

    comment_id = await _submit(client, "page-1")
    url = f"/v1/comments/{comment_id}/decision"
    resp = await client.post(url, json={"decision": "approve"})
    assert resp.status == 403  # the cookie alone is not enough for a POST
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.post(
        url, json={"decision": "approve"}, headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert resp.status == 200
    await check(resp, "/v1/comments/{id}/decision")
    resp = await client.get("/v1/queue?site=news")
    assert resp.status == 200
    await check(resp, "/v1/queue")

    for name, status in (("moderate.js", 200), ("moderate.css", 200), ("nope.js", 404)):
        resp = await client.get(f"/moderate/static/{name}")
        assert resp.status == status
        await check(resp, "/moderate/static/{name}")

    resp = await client.post(
        "/moderate/logout",
        data={"csrf": session["csrf_token"]},
        allow_redirects=False,
    )
    assert resp.status == 303
    await check(resp, "/moderate/logout")
    resp = await client.get("/moderate/session")
    assert resp.status == 401


def test_schemas_are_the_models_and_limits_are_the_constants() -> None:
    """The components are generated from the models that validate the bodies and from
    answers.py; the limits the document states are the ones the code enforces."""
    schemas = openapi_document(ROUTES)["components"]["schemas"]
    for model in (*REQUESTS, *ANSWERS):
        assert set(schemas[model.__name__]["properties"]) == set(model.model_fields), model
    claim = schemas["ClaimRequest"]["properties"]
    assert claim["limit"]["maximum"] == MAX_PAGE
    assert claim["lease_seconds"]["maximum"] == MAX_LEASE_SECONDS
    assert schemas["BulkDecisionRequest"]["properties"]["decisions"]["maxItems"] == MAX_BULK
    assert schemas["CommentSubmission"]["properties"]["content"]["maxLength"] == CONTENT_MAX
    assert schemas["Decision"]["enum"] == [d.value for d in Decision]
    parameters = openapi_document(ROUTES)["components"]["parameters"]
    assert f"{IDEMPOTENCY_TTL_SECONDS // 3600} hours" in parameters["IdempotencyKey"]["description"]
    intake = openapi_document(ROUTES)["paths"]["/v1/comments"]["post"]["responses"]
    assert f"{IntakeConfig().max_body_bytes // 1024} KiB" in intake["413"]["description"]
    undo = openapi_document(ROUTES)["paths"]["/v1/comments/{id}/undo"]["post"]["responses"]
    assert f"{UNDO_WINDOW_MS // 60_000} minutes" in undo["409"]["description"]


def test_a_body_the_document_refuses_the_model_refuses() -> None:
    """Spot checks that the generated schema and the model agree on a body."""
    strict = Draft202012Validator(
        {"$ref": DOC_URI + "#/components/schemas/ClaimRequest"}, registry=REGISTRY
    )
    for body, valid in (
        ({"site": "news"}, True),
        ({"site": "news", "limit": True}, False),
        ({"site": "news", "limit": MAX_PAGE + 1}, False),
        ({"site": "news", "lease_seconds": 2.5, "order": "oldest"}, True),
        ({"site": "news", "order": "random"}, False),
        ({"limit": 3}, False),
    ):
        assert strict.is_valid(body) is valid, body
        try:
            ClaimRequest.model_validate(body)
            accepted = True
        except ValidationError:
            accepted = False
        assert accepted is valid, body


def test_query_parameters_are_the_query_models() -> None:
    """GET /v1/queue and /v1/stats document exactly their query models' fields, with the
    limits the models enforce, and a value the document refuses the model refuses."""
    paths = openapi_document(ROUTES)["paths"]
    for path, model in (("/v1/queue", QueueQuery), ("/v1/stats", StatsQuery)):
        parameters = [p for p in paths[path]["get"]["parameters"] if p.get("in") == "query"]
        assert [p["name"] for p in parameters] == list(model.model_fields), path
        assert all(p["description"] and p["required"] is False for p in parameters), path
    queue = {p["name"]: p["schema"] for p in paths["/v1/queue"]["get"]["parameters"] if "name" in p}
    assert queue["limit"] == {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 50}
    assert queue["order"]["enum"] == [o.value for o in Order]
    assert queue["status"]["enum"] == [s.value for s in Status]
    assert queue["min_score"] == {"type": "number", "minimum": 0, "maximum": 1}
    for name, raw, valid in (
        ("limit", str(MAX_PAGE), True),
        ("limit", str(MAX_PAGE + 1), False),
        ("limit", "0", False),
        ("min_score", "1", True),
        ("min_score", "1.5", False),
        ("order", "oldest", True),
        ("order", "random", False),
    ):
        value: Any = float(raw) if queue[name]["type"] != "string" else raw
        assert Draft202012Validator(queue[name]).is_valid(value) is valid, (name, raw)
        _, errors = query_values(QueueQuery, {name: raw})
        assert (not errors) is valid, (name, raw)
