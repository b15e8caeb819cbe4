"""A CKAN-compatible action API for the publish tests, served over HTTP from a thread.

It answers the actions the publish command uses (organization_show, package_show, package_create,
package_update, resource_create, resource_update) as CKAN 2.10 does, checks the API token, enforces
the metadata ckanext-thai_gdc requires of a dataset, refuses a second dataset with the same name,
and records every call it received.
"""
from __future__ import annotations

import hashlib
import itertools
import json
import threading
from dataclasses import dataclass, field
from typing import Any

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from app.opendata.gdc import REQUIRED_FIELDS


@dataclass
class Call:
    action: str
    data: dict[str, Any]
    upload: bytes | None = None


@dataclass
class CkanStub:
    token: str
    organization: str
    calls: list[Call] = field(default_factory=list)
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)  # by name
    uploads: dict[str, bytes] = field(default_factory=dict)  # by resource id
    _ids: Any = field(default_factory=lambda: itertools.count(1))
    url: str = ""

    def _answer(self, status: int, result: Any = None, error: dict | None = None) -> Response:
        body = {"help": "stub", "success": error is None}
        body["result" if error is None else "error"] = result if error is None else error
        return Response(json.dumps(body), status=status, mimetype="application/json")

    def _missing(self, data: dict) -> dict[str, list[str]]:
        errors = {}
        for key in REQUIRED_FIELDS:
            if key == "tags":
                if not data.get("tags"):
                    errors["tags"] = ["Missing value"]
            elif not data.get(key):
                errors[key] = ["Missing value"]
        if data.get("owner_org") != self.organization:
            errors["owner_org"] = ["Organization does not exist"]
        if data.get("data_category") not in (None, "ข้อมูลสาธารณะ", "ข้อมูลส่วนบุคคล", "ข้อมูลความมั่นคง", "ข้อมูลความลับทางราชการ"):
            errors["data_category"] = ["Value must be one of the choices"]
        return errors

    def _find(self, ident: str) -> dict | None:
        return self.packages.get(ident) or next((p for p in self.packages.values() if p["id"] == ident), None)

    def wsgi(self, environ, start_response):
        request = Request(environ)
        action = request.path.rsplit("/", 1)[-1]
        if request.headers.get("Authorization") != self.token:
            return self._answer(403, error={"__type": "Authorization Error", "message": "Access denied"})(environ, start_response)
        upload = None
        with request:  # closes the uploaded files' temporary copies
            if request.files:
                data = {k: v for k, v in request.form.items()}
                upload = request.files["upload"].read()
            else:
                data = request.get_json(silent=True) or {}
        self.calls.append(Call(action, data, upload))
        return self.handle(action, data, upload)(environ, start_response)

    def handle(self, action: str, data: dict, upload: bytes | None) -> Response:
        not_found = {"__type": "Not Found Error", "message": "Not found"}
        if action == "organization_show":
            if data.get("id") != self.organization:
                return self._answer(404, error=not_found)
            return self._answer(200, {"name": self.organization, "id": "org-1"})
        if action == "package_show":
            package = self._find(data.get("id", ""))
            return self._answer(200, package) if package else self._answer(404, error=not_found)
        if action in ("package_create", "package_update"):
            errors = self._missing(data)
            if action == "package_create" and data.get("name") in self.packages:
                errors["name"] = ["That URL is already in use."]
            existing = self._find(data.get("id", "")) if action == "package_update" else None
            if action == "package_update" and existing is None:
                return self._answer(404, error=not_found)
            if errors:
                return self._answer(409, error={"__type": "Validation Error", **errors})
            package = {**data, "id": existing["id"] if existing else f"pkg-{next(self._ids)}",
                       "resources": data.get("resources", [])}
            if existing and existing["name"] != package["name"]:
                self.packages.pop(existing["name"])
            self.packages[package["name"]] = package
            return self._answer(200, package)
        if action == "resource_create":
            package = self._find(data.get("package_id", ""))
            if package is None:
                return self._answer(404, error=not_found)
            if upload is None or not data.get("name"):
                return self._answer(409, error={"__type": "Validation Error", "upload": ["Missing value"]})
            resource = {**data, "id": f"res-{next(self._ids)}", "url": f"{self.url}/download/{data['name']}",
                        "stub_sha256": hashlib.sha256(upload).hexdigest()}
            package["resources"].append(resource)
            self.uploads[resource["id"]] = upload
            return self._answer(200, resource)
        if action == "resource_update":
            for package in self.packages.values():
                for i, resource in enumerate(package["resources"]):
                    if resource["id"] == data.get("id"):
                        package["resources"][i] = {**resource, **data}
                        if upload is not None:
                            self.uploads[resource["id"]] = upload
                            package["resources"][i]["stub_sha256"] = hashlib.sha256(upload).hexdigest()
                        return self._answer(200, package["resources"][i])
            return self._answer(404, error=not_found)
        return self._answer(400, error={"__type": "Bad request", "message": f"unknown action {action}"})

    def actions(self) -> list[str]:
        return [c.action for c in self.calls]


class Serving:
    """Runs a stub on 127.0.0.1 (a free port) in a thread until stopped."""

    def __init__(self, stub: CkanStub) -> None:
        self.stub = stub
        self.server = make_server("127.0.0.1", 0, stub.wsgi, threaded=True)
        stub.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> CkanStub:
        self.thread.start()
        return self.stub

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)
