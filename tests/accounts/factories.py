"""Factories for accounts: people, officials and national ID numbers with good defaults."""
from __future__ import annotations

import itertools
from typing import Optional

from app.accounts import services
from app.accounts.models import Role, User
from app.areas.services import get_area_by_code
from app.extensions import db

PASSWORD = "correct horse battery"
_counter = itertools.count(1)


def valid_national_id(stem: Optional[str] = None) -> str:
    """A 13-digit number with a correct check digit (stem: 12 digits; a fresh one by default)."""
    stem = stem or f"1{next(_counter) + 10_000_000_000:011d}"[:12]
    total = sum(int(stem[i]) * (13 - i) for i in range(12))
    return stem + str((11 - total % 11) % 10)


def wrong_check_digit(number: str) -> str:
    return number[:12] + str((int(number[12]) + 1) % 10)


def create_user(
    email: Optional[str] = None,
    *,
    password: str = PASSWORD,
    display_name: str = "สมศรี ทดสอบ",
    province_code: str = "50",
    subdistrict_code: Optional[str] = None,
    email_verified: bool = True,
    national_id: Optional[str] = None,
    verified_by: Optional[User] = None,
    locale: Optional[str] = "th",
) -> User:
    email = email or f"person{next(_counter)}@example.com"
    user = services.create_user(
        email, password, display_name, province_code, consent=True, locale=locale, email_verified=email_verified
    )
    if subdistrict_code:
        user.subdistrict_code = subdistrict_code
    if national_id:
        services.set_national_id(user, national_id)
    if verified_by is not None:
        area = get_area_by_code(province_code)
        services.verify_residency(verified_by, user, area)
    # Committed (to the test's savepoint) so that a route's rollback on bad input keeps it.
    db.session.commit()
    return user


def create_official(role: Role, area_code: Optional[str], email: Optional[str] = None, **kwargs) -> User:
    user = create_user(email, **kwargs)
    area = get_area_by_code(area_code) if area_code else None
    services.assign_role(None, user, role, area)
    db.session.commit()
    return user


def create_admin(email: Optional[str] = None, **kwargs) -> User:
    return create_official(Role.ADMIN, None, email, **kwargs)


def csrf_token(client, path: str = "/login") -> str:
    """The CSRF token of a page's form (for tests with CSRF protection on)."""
    import re

    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="(?:[\w-]*)csrf_token"[^>]*value="([^"]+)"', html).group(1)


def sign_in(client, user_or_email, password: str = PASSWORD, remember: bool = False):
    email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
    data = {"email": email, "password": password}
    from flask import current_app

    if current_app.config.get("WTF_CSRF_ENABLED"):
        data["csrf_token"] = csrf_token(client)
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response
