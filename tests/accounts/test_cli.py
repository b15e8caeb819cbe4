"""`flask users create-admin EMAIL`, through click's runner."""
from __future__ import annotations

from sqlalchemy import select

from app.accounts import services
from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import create_user


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["users", "create-admin", *args], input=input)


def test_create_admin_creates_a_verified_admin_and_audits_it(app):
    result = _run(app, "Chief@Example.go.th", "--password", "a strong password", "--name", "หัวหน้า ผู้ดูแล")
    assert result.exit_code == 0, result.output
    user = services.get_user_by_email("chief@example.go.th")
    assert "chief@example.go.th" in result.output
    assert user.is_admin and user.email_verified and user.display_name == "หัวหน้า ผู้ดูแล"
    assert services.authenticate("chief@example.go.th", "a strong password") is user
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "role.assign", AuditEntry.object_id == user.id)).one()
    assert entry.actor_id is None and entry.details["via"] == "cli"


def test_create_admin_prompts_for_the_password_twice(app):
    result = _run(app, "prompted@example.com", input="a strong password\na strong password\n")
    assert result.exit_code == 0, result.output
    assert services.authenticate("prompted@example.com", "a strong password").is_admin


def test_create_admin_promotes_an_existing_account_once(app):
    user = create_user("existing@example.com")
    for _ in range(2):
        result = _run(app, "existing@example.com", "--password", "whatever it is")
        assert result.exit_code == 0, result.output
    assert [r.role for r in user.roles] == [Role.ADMIN]
    assert services.check_password(user, "correct horse battery")  # the password is not replaced


def test_create_admin_explains_bad_input(app):
    result = _run(app, "not-an-email", "--password", "a strong password")
    assert result.exit_code == 1 and "name@example.com" in result.output
    result = _run(app, "short@example.com", "--password", "short")
    assert result.exit_code == 1 and "between 10 and 200" in result.output
    assert services.get_user_by_email("short@example.com") is None
