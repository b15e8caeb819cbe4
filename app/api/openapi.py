"""The OpenAPI 3.1 document, written from the endpoints' own pydantic models.

Why pydantic and this small writer rather than spectree or apispec: OpenAPI
3.1's schema language *is* JSON Schema 2020-12, which is what pydantic v2's
`model_json_schema` produces, so the models that serialize the responses
give the document's components unchanged; what remains is the paths (one
record per endpoint, kept by `endpoint()` in app/api/routes.py), which is a
page of code. pydantic is widely used and well kept; spectree would bring a
second validation layer with its own conventions for errors (we answer
problem+json in Thai or English), and apispec would mean marshmallow
schemas beside the pydantic ones.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from app.api import schemas as s

REF = "#/components/schemas/{model}"
PREFIX = "/api/v1"


@dataclass
class Endpoint:
    path: str  # the OpenAPI path, {name} for a path parameter
    name: str  # operationId and view name
    summary: Any
    tag: str
    query: type[s.Query]
    response: type[BaseModel]
    path_params: list[tuple[str, dict, Any]] = field(default_factory=list)
    description: Any = ""
    not_found: bool = False


ENDPOINTS: list[Endpoint] = []

TAGS = {
    "meta": _l("The API itself"),
    "areas": _l("Provinces and local governments"),
    "ideas": _l("Residents' public ideas"),
    "proposals": _l("Proposals, their costs and history"),
    "plans": _l("Plans and their items"),
    "cycles": _l("Participatory budgeting cycles, results and progress"),
    "statistics": _l("Statistics"),
}

ETAG_PATTERN = r'^(\*|(W/)?"[!#-~]*"(, ?(W/)?"[!#-~]*")*)$'


def _strip_null(schema: dict) -> dict:
    """A query parameter is absent rather than null: Optional[X] is documented as X."""
    options = schema.get("anyOf")
    if options:
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == 1:
            merged = {k: v for k, v in schema.items() if k != "anyOf"}
            merged.update(rest[0])
            schema = merged
    return {k: v for k, v in schema.items() if k not in ("title", "description") and not (k == "default" and v is None)}


def _parameters(endpoint: Endpoint, components: dict) -> list[dict]:
    params: list[dict] = []
    for name, schema, description in endpoint.path_params:
        params.append({"name": name, "in": "path", "required": True, "description": str(description), "schema": schema})
    query_schema = endpoint.query.model_json_schema(mode="validation", ref_template=REF)
    components.update(query_schema.get("$defs", {}))
    required = set(query_schema.get("required", []))
    for name, prop in query_schema.get("properties", {}).items():
        params.append({
            "name": name, "in": "query", "required": name in required,
            "description": prop.get("description", ""), "schema": _strip_null(prop),
        })
    params.append({
        "name": "If-None-Match", "in": "header", "required": False,
        "description": str(_l("The ETag of the copy you have: 304 when it is still current.")),
        "schema": {"type": "string", "pattern": ETAG_PATTERN, "maxLength": 200},
    })
    params.append({
        "name": "Accept-Language", "in": "header", "required": False,
        "description": str(_l("th or en: the language of error messages and of results' explanations (Thai by default).")),
        "schema": {"type": "string", "examples": ["th", "en", "en-US,en;q=0.8"]},
    })
    return params


def _problem(description: Any) -> dict:
    return {"description": str(description), "content": {"application/problem+json": {"schema": {"$ref": REF.format(model="Problem")}}}}


def _operation(endpoint: Endpoint, components: dict) -> dict:
    ok_headers = {
        "ETag": {"description": str(_l("A tag of this answer, for If-None-Match.")), "required": True, "schema": {"type": "string"}},
        "Last-Modified": {"description": str(_l("When the newest data in this answer changed, where the data has times.")), "schema": {"type": "string"}},
    }
    responses: dict[str, Any] = {
        "200": {"description": "OK", "headers": ok_headers,
                "content": {"application/json": {"schema": {"$ref": REF.format(model=endpoint.response.__name__)}}}},
        "304": {"description": str(_l("Not modified: your copy (If-None-Match or If-Modified-Since) is current.")),
                "headers": {"ETag": ok_headers["ETag"]}},
        "400": _problem(_l("A parameter or header is not valid: see invalid_params.")),
        "401": _problem(_l("The X-API-Key sent is unknown or revoked.")),
        "429": _problem(_l("Too many requests: wait, or use an API key.")),
        "503": _problem(_l("The database cannot be reached for a moment.")),
    }
    if endpoint.path_params or endpoint.not_found:
        responses["404"] = _problem(_l("Nothing at this address (or not public, or not published yet)."))
    return {
        "operationId": endpoint.name, "summary": str(endpoint.summary), "description": str(endpoint.description),
        "tags": [endpoint.tag], "parameters": _parameters(endpoint, components), "responses": dict(sorted(responses.items())),
    }


def _text(value: Any) -> Any:
    """The schema with every lazy description turned into text in the reader's language."""
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    if isinstance(value, LazyString):
        return str(value)
    return value


def build_document(server_url: str) -> dict:
    models = {e.response for e in ENDPOINTS} | {s.Problem}
    _, top = models_json_schema([(m, "serialization") for m in sorted(models, key=lambda m: m.__name__)], ref_template=REF)
    components: dict[str, Any] = dict(top.get("$defs", {}))
    paths: dict[str, dict] = {}
    for endpoint in ENDPOINTS:
        paths.setdefault(PREFIX + endpoint.path, {})["get"] = _operation(endpoint, components)
    return _text({
        "openapi": "3.1.0",
        "info": {
            "title": str(_l("Ruamkhit open API")), "version": "1.0.0",
            "description": str(_l(
                "Read-only public data of Ruamkhit: areas, ideas, proposals, plans, budgeting cycles, their "
                "published results and progress. Lists are paged by an opaque cursor (at most 100 items a page). "
                "Nothing personal is served beyond the display names that the site shows everyone.")),
            "license": {"name": "Open Data Common"},
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": k, "description": str(v)} for k, v in TAGS.items()],
        "paths": paths,
        # A key is optional: without one, the per-address limit applies.
        "security": [{}, {"ApiKey": []}],
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {"ApiKey": {
                "type": "apiKey", "in": "header", "name": "X-API-Key",
                "description": str(_l("Optional. A key from the site's administrators gives its own, higher rate limit.")),
            }},
        },
    })


# --- the documentation page -------------------------------------------------------------------------


def type_text(schema: dict) -> str:
    """A short, readable name of a JSON Schema's type: "integer", "Idea[]", "string | null", "received | ..."."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " | ".join(type_text(o) for o in schema["anyOf"])
    if "enum" in schema:
        return " | ".join(str(v) for v in schema["enum"])
    kind = schema.get("type", "any")
    if kind == "array":
        return type_text(schema.get("items", {})) + "[]"
    if "format" in schema:
        return f"{kind} ({schema['format']})"
    if "pattern" in schema:
        return f"{kind} /{schema['pattern']}/"
    return str(kind)


def docs_view(document: dict) -> dict:
    """The document arranged for the page: operations by tag, then every schema with its fields."""
    operations = []
    for path, item in document["paths"].items():
        op = item["get"]
        operations.append({
            "id": op["operationId"], "path": path, "summary": op["summary"], "description": op["description"],
            "tag": op["tags"][0],
            "params": [{"name": p["name"], "in": p["in"], "required": p["required"], "description": p.get("description", ""),
                        "type": type_text(p["schema"])} for p in op["parameters"]],
            "responses": [{"status": code, "description": r["description"],
                           "type": type_text(next(iter(r.get("content", {}).values()), {}).get("schema", {})) if r.get("content") else ""}
                          for code, r in op["responses"].items()],
        })
    schemas = []
    for name, schema in document["components"]["schemas"].items():
        required = set(schema.get("required", []))
        fields = [{"name": f, "type": type_text(p), "required": f in required, "description": p.get("description", "")}
                  for f, p in schema.get("properties", {}).items()]
        schemas.append({"name": name, "description": schema.get("description", ""), "fields": fields,
                        "choices": schema.get("enum")})
    return {"operations": operations, "schemas": schemas, "tags": document["tags"]}
