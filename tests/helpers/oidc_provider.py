"""A real OpenID Connect provider for the tests, served over HTTP on a thread.

It is `oidc-provider-mock` (discovery, keys, authorization form, tokens, users
whose claims a test sets), behind a small WSGI layer that

- enforces PKCE as ThaID does: a code is exchanged only with the verifier of
  the S256 challenge its authorization request carried (the mock itself ignores PKCE);
- can spoil the ID token of the next token response (`tamper`), to show that
  the site refuses what the provider did not sign.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, Optional
from urllib.parse import parse_qs, quote, urlsplit

import oidc_provider_mock
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def change_claims(id_token: str, **claims: Any) -> str:
    """The same token with other claims and the provider's signature kept: a forgery."""
    header, payload, signature = id_token.split(".")
    values = json.loads(_unb64(payload))
    values.update(claims)
    return ".".join([header, _b64(json.dumps(values).encode()), signature])


def unsigned(id_token: str) -> str:
    """The same claims with alg "none" and no signature."""
    _header, payload, _signature = id_token.split(".")
    return ".".join([_b64(json.dumps({"alg": "none", "typ": "JWT"}).encode()), payload, ""])


class TestProvider:
    """One provider: `url` is its issuer; `config()` is its entry for OIDC_PROVIDERS."""

    __test__ = False  # not a test class for pytest

    def __init__(self, access_token_max_age: timedelta = timedelta(hours=1)):
        self.app = oidc_provider_mock.app(access_token_max_age=access_token_max_age)
        self.tamper: Optional[Callable[[str], str]] = None
        self.token_requests = 0
        self._challenges: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self.server = make_server("localhost", 0, self._wsgi, threaded=True)
        self.url = f"http://localhost:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(2)

    def config(self, name: str = "thaid", label: str = "ThaID", **overrides) -> dict:
        entry = {
            "name": name, "label": label, "issuer": self.url, "client_id": "ruamkhit-test",
            "client_secret": "test-secret",
            # The mock hands out standard claims by standard scope (given_name with profile); ThaID names its own.
            "scopes": "openid pid profile address email",
            "pid_claim": "pid", "verifies_residency": name == "thaid",
        }
        entry.update(overrides)
        return entry

    # --- what a test does at the provider ------------------------------------------------

    def set_user(self, sub: str, claims: dict[str, Any]) -> None:
        response = requests.put(f"{self.url}/users/{quote(sub, safe='')}", json=claims, timeout=5)
        assert response.status_code == 204, response.text

    def authorize(self, authorization_url: str, sub: str) -> str:
        """The person signs in at the provider as `sub`: the URL it sends them back to (the site's callback)."""
        assert authorization_url.startswith(self.url + "/"), authorization_url
        response = requests.post(authorization_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["location"]

    # --- the layer in front of the mock --------------------------------------------------

    def _wsgi(self, environ, start_response):
        request = Request(environ)
        body = request.get_data(cache=True)
        environ["wsgi.input"] = io.BytesIO(body)
        if request.path == "/oauth2/token" and request.method == "POST":
            refused = self._check_pkce(parse_qs(body.decode()))
            if refused is not None:
                return refused(environ, start_response)
        inner_environ = dict(environ, **{"wsgi.input": io.BytesIO(body)})
        response = Response.from_app(self.app, inner_environ)
        if request.path == "/oauth2/authorize" and response.status_code == 302:
            self._remember_challenge(request, response.headers.get("Location", ""))
        if request.path == "/oauth2/token" and response.status_code == 200:
            with self._lock:
                self.token_requests += 1
                tamper, self.tamper = self.tamper, None
            if tamper is not None:
                token = json.loads(response.get_data())
                token["id_token"] = tamper(token["id_token"])
                response.set_data(json.dumps(token))
        return response(environ, start_response)

    def _remember_challenge(self, request: Request, location: str) -> None:
        code = parse_qs(urlsplit(location).query).get("code", [None])[0]
        if code:
            with self._lock:
                self._challenges[code] = (request.args.get("code_challenge", ""),
                                          request.args.get("code_challenge_method", ""))

    def _check_pkce(self, form: dict[str, list[str]]) -> Optional[Response]:
        code = (form.get("code") or [""])[0]
        verifier = (form.get("code_verifier") or [""])[0]
        with self._lock:
            challenge, method = self._challenges.get(code, ("", ""))
        expected = _b64(hashlib.sha256(verifier.encode()).digest()) if verifier else None
        if (form.get("grant_type") or [""])[0] != "authorization_code":
            return None
        if method != "S256" or not challenge or expected != challenge:
            return Response(json.dumps({"error": "invalid_grant", "error_description": "PKCE verification failed"}),
                            status=400, content_type="application/json")
        return None


def free_port_url() -> str:
    """An address where nothing answers (a provider that is down)."""
    server = make_server("localhost", 0, lambda e, s: [])
    port = server.server_port
    server.server_close()
    return f"http://localhost:{port}"
