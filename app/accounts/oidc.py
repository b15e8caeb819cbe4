"""Sign-in with OpenID Connect providers: ThaID, another provider a province is given, LINE Login.

The relying-party side of the authorization code flow, with Authlib: discovery
from the configured issuer, PKCE (S256), state and nonce kept in the signed
session until the provider sends the person back, the code exchanged once,
and the ID token's signature (the provider's published keys; for LINE web
login, HS256 with the channel secret) and claims (issuer, audience, expiry,
issued-at, nonce, at_hash) checked before anything is believed.

Providers come from the configuration (`OIDC_PROVIDERS`, read from THAID_*,
OIDC_<NAME>_* and LINE_* in config.py); a provider that is not configured has
no button and no route. What is done with the claims is app/accounts/identity.py.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from authlib.integrations.flask_client.apps import FlaskOAuth2App
from authlib.oidc.core import CodeIDToken, UserInfo
from flask import current_app
from flask_babel import lazy_gettext as _l
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, OctKey
from joserfc.jws import JWSRegistry

from app.core.urls import absolute_url

# How long the site waits for a provider before telling the person it is not answering.
TIMEOUT_SECONDS = 10
# Clock difference tolerated between the provider and this site when checking exp and iat.
LEEWAY_SECONDS = 60


@dataclass(frozen=True)
class Provider:
    name: str  # in URLs and the database: "thaid", "line", "<name>" of OIDC_<NAME>_*
    label: str  # the button's name: "ThaID", "LINE"
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    # The claim that holds the 13-digit national ID; None for a provider that proves only an account (LINE).
    pid_claim: Optional[str] = None
    # LINE Login signs the ID tokens of web logins with HS256 and the channel secret.
    secret_signs_id_token: bool = False
    # ThaID's address is the civil registration's: only it verifies residency (method "thaid").
    verifies_residency: bool = False

    @property
    def proves_identity(self) -> bool:
        return self.pid_claim is not None

    @property
    def discovery_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"


@dataclass(frozen=True)
class Claims:
    """What a provider said about the person, after the ID token was verified."""

    provider: Provider
    subject: str
    values: dict[str, Any]


class SignInError(Exception):
    """The sign-in with a provider failed; the message is shown to the person, in their language."""


class ProviderUnavailable(SignInError):
    pass


def providers() -> list[Provider]:
    """The configured providers, in the order their buttons are shown; incomplete ones are left out."""
    found = []
    for item in current_app.config.get("OIDC_PROVIDERS") or []:
        provider = item if isinstance(item, Provider) else Provider(**item)
        if provider.name and provider.issuer and provider.client_id:
            found.append(provider)
    return found


def get_provider(name: str) -> Optional[Provider]:
    return next((p for p in providers() if p.name == name), None)


# --- the Authlib client ---------------------------------------------------------

class _Client(FlaskOAuth2App):
    """Authlib's Flask client with our own ID token check (keys, algorithms, claims)."""

    provider: Provider

    def parse_id_token(self, token, nonce, claims_options=None, claims_cls=None, leeway=LEEWAY_SECONDS):
        return verify_id_token(self, self.provider, token, nonce)


class _OAuth(OAuth):
    oauth2_client_cls = _Client


oauth = _OAuth()


def _client(provider: Provider) -> _Client:
    """The provider's client, registered again whenever its settings change (tests start providers on new ports)."""
    registered = current_app.extensions.setdefault("ruamkhit_oidc", {})
    if oauth.app is not current_app._get_current_object():
        oauth.init_app(current_app._get_current_object())
        oauth._clients.clear()
    if registered.get(provider.name) != provider or provider.name not in oauth._clients:
        oauth._clients.pop(provider.name, None)
        oauth.register(
            name=provider.name,
            overwrite=False,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                           "default_timeout": TIMEOUT_SECONDS},
        )
        registered[provider.name] = provider
    client = oauth.create_client(provider.name)
    client.provider = provider
    return client


def _metadata(client: _Client, provider: Provider) -> dict:
    try:
        metadata = client.load_server_metadata()
    except (requests.RequestException, ValueError) as error:
        _forget_metadata(client)  # try discovery again next time
        raise _unavailable(provider) from error
    # OpenID Connect Discovery 1.0, section 4.3: the issuer in the document is the one configured.
    if (metadata.get("issuer") or "").rstrip("/") != provider.issuer.rstrip("/"):
        _forget_metadata(client)
        current_app.logger.warning("oidc: %s discovery names issuer %r, expected %r",
                                   provider.name, metadata.get("issuer"), provider.issuer)
        raise _unavailable(provider)
    return metadata


def _forget_metadata(client: _Client) -> None:
    """Make Authlib read discovery (and then the keys) again."""
    client.server_metadata.pop("_loaded_at", None)
    client.server_metadata.pop("jwks", None)


def _unavailable(provider: Provider) -> ProviderUnavailable:
    return ProviderUnavailable(_l(
        "%(provider)s is not answering just now, so you could not sign in with it. Try again in a few "
        "minutes, or sign in with your email and password.", provider=provider.label))


def _not_completed(provider: Provider) -> SignInError:
    return SignInError(_l(
        "The sign-in with %(provider)s did not complete, or it was already used or has expired. "
        "Please start again from the sign-in page.", provider=provider.label))


def _not_verified(provider: Provider) -> SignInError:
    return SignInError(_l(
        "The answer from %(provider)s could not be verified, so you were not signed in. "
        "Please start again from the sign-in page.", provider=provider.label))


def redirect_uri(provider: Provider) -> str:
    """The address the provider sends the person back to: always on the site's public address."""
    return absolute_url("accounts.oidc_callback", provider_name=provider.name)


def start(provider: Provider):
    """The redirect to the provider's authorization page (state, nonce and PKCE verifier go into the session)."""
    client = _client(provider)
    # Discovery is read again at each start: a provider that is down is named here, before the person
    # is sent to a page that does not load; rotated keys and endpoints are picked up too.
    _forget_metadata(client)
    _metadata(client, provider)
    return client.authorize_redirect(redirect_uri(provider), nonce=generate_token(32))


def finish(provider: Provider) -> Claims:
    """Exchange the code the provider sent back and verify the ID token; SignInError if anything is wrong."""
    client = _client(provider)
    _metadata(client, provider)
    try:
        token = client.authorize_access_token()
    except MismatchingStateError as error:
        raise _not_completed(provider) from error
    except OAuthError as error:
        if error.error == "access_denied":
            raise SignInError(_l("You cancelled the sign-in with %(provider)s.", provider=provider.label)) from error
        current_app.logger.info("oidc: %s refused the code: %s", provider.name, error.error)
        raise _not_completed(provider) from error
    except JoseError as error:
        current_app.logger.warning("oidc: %s ID token rejected: %s", provider.name, error.error)
        raise _not_verified(provider) from error
    except (requests.RequestException, ValueError) as error:
        raise _unavailable(provider) from error
    userinfo = token.get("userinfo")
    if not isinstance(userinfo, dict):  # no ID token at all: an OAuth answer is not a sign-in
        raise _not_verified(provider)
    subject = userinfo.get("sub")
    if not isinstance(subject, str) or not subject or len(subject) > 255:
        raise _not_verified(provider)
    return Claims(provider=provider, subject=subject, values=dict(userinfo))


def verify_id_token(client: _Client, provider: Provider, token: dict, nonce: str) -> UserInfo:
    """The ID token's claims, once its signature and claims are checked (JoseError otherwise)."""
    metadata = client.load_server_metadata()
    algorithms = list(metadata.get("id_token_signing_alg_values_supported") or ["RS256"])
    keys = KeySet.import_key_set(client.fetch_jwk_set())
    if provider.secret_signs_id_token:
        keys.keys.append(OctKey.import_key(provider.client_secret))
        algorithms.append("HS256")
    # "none" is never accepted, whatever the discovery document says.
    algorithms = [a for a in algorithms if a and a.lower() != "none"]
    decoded = jwt.decode(token["id_token"], keys, registry=JWSRegistry(algorithms=algorithms, strict_check_header=False))
    claims = CodeIDToken(
        decoded.claims, decoded.header,
        {"iss": {"values": [metadata["issuer"]]}},
        {"nonce": nonce, "client_id": provider.client_id, "access_token": token.get("access_token")},
    )
    claims.validate(leeway=LEEWAY_SECONDS)
    return UserInfo(claims)
