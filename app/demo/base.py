"""Demo areas and accounts (idempotent: matched by email)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from app.accounts import services as accounts
from app.accounts.models import ResidencyMethod, Role, User
from app.areas import services as areas
from app.areas.models import Area
from app.core.timeutil import utcnow
from app.extensions import db

DEMO_PASSWORD = "ruamkhit-demo"
PROVINCE_CODE = "50"  # เชียงใหม่
LG_CODES = ("3500102", "5500107")  # เทศบาลนครเชียงใหม่, เทศบาลตำบลสุเทพ


@dataclass(frozen=True)
class DemoAccount:
    email: str
    name: str
    role: Optional[Role]
    area_code: Optional[str]
    subdistrict: Optional[str] = None
    national_id: Optional[str] = None


def _valid_id(stem: str) -> str:
    """A 13-digit number with a correct check digit (not a real person's)."""
    total = sum(int(stem[i]) * (13 - i) for i in range(12))
    return stem + str((11 - total % 11) % 10)


ACCOUNTS = (
    DemoAccount("admin@demo.ruamkhit.th", "ผู้ดูแลระบบ (สาธิต)", Role.ADMIN, None),
    DemoAccount("official@demo.ruamkhit.th", "สมชาย ใจดี (จังหวัดเชียงใหม่)", Role.PROVINCIAL_OFFICIAL, PROVINCE_CODE),
    DemoAccount("officer@demo.ruamkhit.th", "สมหญิง รักถิ่น (เทศบาลนครเชียงใหม่)", Role.LG_OFFICER, LG_CODES[0]),
    DemoAccount("officer2@demo.ruamkhit.th", "ประเสริฐ ทองดี (เทศบาลตำบลสุเทพ)", Role.LG_OFFICER, LG_CODES[1]),
    DemoAccount("evaluator@demo.ruamkhit.th", "วิไล ประเมินผล (ผู้ประเมิน)", Role.EVALUATOR, PROVINCE_CODE),
    DemoAccount("resident1@demo.ruamkhit.th", "มานี มีนา", None, None, "500101", _valid_id("110370012345")),
    DemoAccount("resident2@demo.ruamkhit.th", "ปิติ ชูใจ", None, None, "500102", _valid_id("110370012346")),
    DemoAccount("resident3@demo.ruamkhit.th", "ชูใจ เลิศล้ำ", None, None, "500105", _valid_id("110370012347")),
    DemoAccount("resident4@demo.ruamkhit.th", "วีระ กล้าหาญ", None, None, "500104", _valid_id("110370012348")),
    # Lives in ตำบลสุเทพ (เทศบาลตำบลสุเทพ): the City's officer does not see her, Suthep's does.
    DemoAccount("resident5@demo.ruamkhit.th", "บุษบา ดอยคำ", None, None, "500108", _valid_id("110370012349")),
)


def demo_areas() -> tuple[Area, list[Area]]:
    province = areas.get_province(PROVINCE_CODE)
    if province is None:
        raise RuntimeError("Load the area registry first: flask --app wsgi areas load")
    lgs = [areas.get_local_government(code) for code in LG_CODES]
    return province, [lg for lg in lgs if lg is not None]


def demo_user(email: str) -> User:
    user = accounts.get_user_by_email(email)
    if user is None:
        raise RuntimeError(f"demo account {email} is missing; run the base demo first")
    return user


def load() -> list[DemoAccount]:
    province, _ = demo_areas()
    admin = None
    for acc in ACCOUNTS:
        user = accounts.get_user_by_email(acc.email)
        if user is None:
            user = accounts.create_user(
                acc.email, DEMO_PASSWORD, acc.name, PROVINCE_CODE, consent=True, locale="th", email_verified=True
            )
            user.subdistrict_code = acc.subdistrict
            if acc.role is not None:
                area = areas.get_area_by_code(acc.area_code) if acc.area_code else None
                accounts.assign_role(admin, user, acc.role, area)
            if acc.national_id:
                accounts.set_national_id(user, acc.national_id)
                user.residency_verified_at = utcnow()
                user.residency_method = ResidencyMethod.IN_PERSON
        if acc.role is Role.ADMIN:
            admin = user
    db.session.flush()
    return list(ACCOUNTS)
