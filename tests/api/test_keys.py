"""API keys: made and revoked by the CLI, stored hashed, a higher limit of their own, refused when wrong or revoked."""
from __future__ import annotations

from sqlalchemy import select

from app.api import keys
from app.api.models import ApiKey
from app.audit.models import AuditEntry
from app.extensions import db


def run(app, *args):
    return app.test_cli_runner().invoke(args=["api", "keys", *args])


def test_cli_makes_lists_and_revokes_keys_stored_hashed(app):
    made = run(app, "create", "ศูนย์ข้อมูลเปิด มหาวิทยาลัยเชียงใหม่")
    assert made.exit_code == 0, made.output
    raw = next(line for line in made.output.splitlines() if line.startswith("rk_"))
    key = db.session.scalar(select(ApiKey).where(ApiKey.name == "ศูนย์ข้อมูลเปิด มหาวิทยาลัยเชียงใหม่"))
    assert key.key_hash == keys.hash_key(raw) and raw not in (key.key_hash, key.prefix)
    assert keys.active_key(raw) == key
    assert f"{key.id}\t{key.prefix}" in run(app, "list").output
    revoked = run(app, "revoke", str(key.id))
    assert revoked.exit_code == 0 and keys.active_key(raw) is None
    assert "revoked" in run(app, "list").output
    assert run(app, "revoke", str(key.id)).exit_code != 0  # once is enough
    assert run(app, "revoke", "999999").exit_code != 0
    assert run(app, "create", "   ").exit_code != 0
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.object_type == "api_keys")).all()
    assert actions == ["api_key.create", "api_key.revoke"]


def test_a_key_has_its_own_higher_limit(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMIT_API", "2 per minute")
    monkeypatch.setitem(app.config, "RATE_LIMIT_API_KEY", "5 per minute")
    _, raw = keys.create_key(None, "สำนักข่าว")
    assert [client.get("/api/v1/areas?limit=1").status_code for _ in range(3)] == [200, 200, 429]
    with_key = [client.get("/api/v1/areas?limit=1", headers={"X-API-Key": raw}).status_code for _ in range(6)]
    assert with_key == [200] * 5 + [429]


def test_wrong_or_revoked_keys_are_refused_with_a_problem(client):
    key, raw = keys.create_key(None, "ผู้รวบรวมข้อมูล")
    for sent in ("rk_not-a-key", "junk", raw + "x"):
        response = client.get("/api/v1/ideas", headers={"X-API-Key": sent, "Accept-Language": "th"})
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("ApiKey")
        assert response.get_json()["type"].endswith("#problem-api-key")
    assert client.get("/api/v1/ideas", headers={"X-API-Key": raw}).status_code == 200
    keys.revoke_key(None, key)
    assert client.get("/api/v1/ideas", headers={"X-API-Key": raw}).status_code == 401
