"""The rules of plans: who creates them, which years, and how their items nest.

Services take the acting user, check the permission again, raise `PlanError`
with a translatable message, audit every change and flush; the route commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.accounts.models import User
from app.areas.models import Area
from app.audit.services import record
from app.core.formatting import fiscal_year
from app.core.timeutil import utcnow
from app.extensions import db
from app.permissions import can_manage_plans
from app.plans.models import MAX_LEVEL, Plan, PlanItem, PlanKind

# Buddhist-Era fiscal years a plan may cover: old plans can be recorded, and
# plans are drafted a few years ahead; anything else is a typing mistake
# (most often a Gregorian year such as 2026).
MIN_YEAR = 2540
YEARS_AHEAD = 10

CODE_RE = re.compile(r"^[0-9A-Za-z\u0E01-\u0E5B][0-9A-Za-z\u0E01-\u0E5B.\-/]{0,19}$")


class PlanError(Exception):
    """A plan rule was broken; the message is shown to the user."""

    def __init__(self, message, details: list[str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []

    def __str__(self) -> str:
        return str(self.message)


def kind_for(area: Area) -> PlanKind:
    """A province keeps annual action plans, a local government five-year development plans."""
    return PlanKind.PROVINCIAL_ACTION if area.is_province else PlanKind.LOCAL_DEVELOPMENT


def max_year() -> int:
    return fiscal_year(utcnow()) + YEARS_AHEAD


def check_year(year: int | None) -> int:
    if year is None:
        raise PlanError(_l("Enter the first fiscal year of the plan."))
    if 1900 <= year < 2200:
        raise PlanError(_l("%(year)d looks like a Christian-era year: enter the Buddhist-Era fiscal year (for example %(be)d).",
                           year=year, be=year + 543))
    if not MIN_YEAR <= year <= max_year():
        raise PlanError(_l("The fiscal year must be between %(low)d and %(high)d (Buddhist Era).",
                           low=MIN_YEAR, high=max_year()))
    return year


def official_name_th(area: Area) -> str:
    """จังหวัดเชียงใหม่ for a province (Bangkok keeps its own name), the full name for a local government."""
    return area.title("th")


def default_title(area: Area, kind: PlanKind, start_year: int) -> str:
    """The official Thai name of the plan (plans are public documents kept in Thai)."""
    if kind is PlanKind.PROVINCIAL_ACTION:
        return f"แผนปฏิบัติราชการประจำปีของ{official_name_th(area)} ประจำปีงบประมาณ พ.ศ. {start_year}"
    return f"แผนพัฒนาท้องถิ่น (พ.ศ. {start_year} - {start_year + kind.span - 1}) {official_name_th(area)}"


def level_name(kind: PlanKind, level: int):
    """What an item at `level` is called in a plan of `kind`."""
    return LEVEL_NAMES[kind][level]


LEVEL_NAMES = {
    PlanKind.PROVINCIAL_ACTION: {
        1: _l("Development issue"),  # ประเด็นการพัฒนา
        2: _l("Programme"),  # แผนงาน
        3: _l("Key project"),  # โครงการสำคัญ
    },
    PlanKind.LOCAL_DEVELOPMENT: {
        1: _l("Strategy"),  # ยุทธศาสตร์
        2: _l("Tactic"),  # กลยุทธ์
        3: _l("Programme"),  # แผนงาน
    },
}

KIND_NAMES = {
    PlanKind.PROVINCIAL_ACTION: _l("Provincial annual action plan"),
    PlanKind.LOCAL_DEVELOPMENT: _l("Local development plan"),
}


def _require(actor: User | None, area: Area) -> None:
    if not can_manage_plans(actor, area):
        raise PlanError(_l("You may not change the plans of this area."))


# -- reading ------------------------------------------------------------------

def plans_of(area: Area) -> list[Plan]:
    """An area's plans, newest period first."""
    return list(db.session.scalars(
        select(Plan).where(Plan.area_id == area.id).order_by(Plan.start_year.desc(), Plan.id.desc())
    ))


def linkable_items(area: Area) -> list[PlanItem]:
    """Items of the area's own plans, newest plan first then in tree order.

    A proposal may only serve an item of a plan of its own area; use
    `item_of_area` to check a submitted id.
    """
    items: list[PlanItem] = []
    for plan in plans_of(area):
        items.extend(tree_order(plan))
    return items


def item_of_area(item_id: int | None, area: Area) -> PlanItem | None:
    """The plan item with this id if it belongs to a plan of `area`, else None."""
    if item_id is None:
        return None
    item = db.session.get(PlanItem, item_id)
    if item is None or item.plan.area_id != area.id:
        return None
    return item


def children_of(plan: Plan) -> dict[int | None, list[PlanItem]]:
    """The plan's items by parent id (None: the level-1 items), siblings by position.

    Built from `plan.items`, one query for the whole tree: reading
    `item.children` instead would query once per item.
    """
    children: dict[int | None, list[PlanItem]] = {}
    for item in plan.items:
        children.setdefault(item.parent_id, []).append(item)
    for siblings in children.values():
        siblings.sort(key=lambda i: (i.position, i.id or 0))
    return children


def tree_order(plan: Plan) -> list[PlanItem]:
    """All items of the plan, depth first, siblings by position."""
    children = children_of(plan)
    ordered: list[PlanItem] = []

    def walk(parent_id: int | None) -> None:
        for item in children.get(parent_id, []):
            ordered.append(item)
            walk(item.id)

    walk(None)
    return ordered


def linked_proposal_count(item_ids: list[int]) -> int:
    """How many proposals serve one of these items (they block a removal)."""
    proposals = db.metadata.tables.get("proposals")
    if not item_ids or proposals is None or "plan_item_id" not in proposals.c:
        return 0
    return db.session.scalar(
        select(func.count()).select_from(proposals).where(proposals.c.plan_item_id.in_(item_ids))
    ) or 0


# -- plans --------------------------------------------------------------------

def create_plan(actor: User, area: Area, start_year: int | None, title: str | None = None) -> Plan:
    _require(actor, area)
    kind = kind_for(area)
    start = check_year(start_year)
    end = start + kind.span - 1
    if db.session.scalar(select(Plan.id).where(Plan.area_id == area.id, Plan.kind == kind, Plan.start_year == start)):
        raise PlanError(_l("This area already has a plan starting in %(year)d.", year=start))
    plan = Plan(
        area=area, area_id=area.id, kind=kind, start_year=start, end_year=end,
        title=(title or "").strip() or default_title(area, kind, start), created_by_id=getattr(actor, "id", None),
    )
    db.session.add(plan)
    db.session.flush()
    record(actor, "plan.create", plan, area=area, details={"kind": kind.value, "start_year": start, "end_year": end})
    return plan


def update_plan(actor: User, plan: Plan, title: str, start_year: int | None) -> Plan:
    _require(actor, plan.area)
    start = check_year(start_year)
    title = (title or "").strip()
    if not title:
        raise PlanError(_l("Enter the plan's title."))
    if start != plan.start_year:
        if linked_proposal_count([i.id for i in plan.items]):
            # Their fiscal year and yearly budgets were checked against the plan's years.
            raise PlanError(_l("Proposals serve this plan's items, so its years cannot change."))
        clash = db.session.scalar(select(Plan.id).where(
            Plan.area_id == plan.area_id, Plan.kind == plan.kind, Plan.start_year == start, Plan.id != plan.id))
        if clash:
            raise PlanError(_l("This area already has a plan starting in %(year)d.", year=start))
    before = {"title": plan.title, "start_year": plan.start_year}
    plan.title = title
    plan.start_year = start
    plan.end_year = start + plan.kind.span - 1
    db.session.flush()
    record(actor, "plan.update", plan, area=plan.area,
           details={"before": before, "after": {"title": plan.title, "start_year": plan.start_year}})
    return plan


def delete_plan(actor: User, plan: Plan) -> None:
    _require(actor, plan.area)
    if linked_proposal_count([i.id for i in plan.items]):
        raise PlanError(_l("Proposals are linked to this plan's items; it cannot be deleted."))
    area = plan.area
    record(actor, "plan.delete", plan, area=area, details={"title": plan.title, "items": len(plan.items)})
    db.session.delete(plan)  # the items go with it (cascade), children before parents
    db.session.flush()


# -- items --------------------------------------------------------------------

def clean_code(code: str | None) -> str:
    code = (code or "").strip()
    if not CODE_RE.match(code):
        raise PlanError(_l("A code has 1 to 20 letters, digits, dots, dashes or slashes, without spaces (for example 1.2)."))
    return code


def next_code(plan: Plan, parent: PlanItem | None) -> str:
    """1, 2, 3 at level 1; 1.1, 1.2 under item 1; skipping codes already taken."""
    taken = {i.code for i in plan.items}
    siblings = [i for i in plan.items if i.parent_id == (parent.id if parent else None)]
    n = len(siblings) + 1
    while True:
        code = f"{parent.code}.{n}" if parent else str(n)
        if code not in taken and len(code) <= 20:
            return code
        if len(code) > 20:
            raise PlanError(_l("Enter a code for this item."))
        n += 1


def add_item(actor: User, plan: Plan, parent: PlanItem | None, title: str, code: str | None = None) -> PlanItem:
    _require(actor, plan.area)
    if parent is not None and parent.plan_id != plan.id:
        raise PlanError(_l("The parent item belongs to another plan."))
    level = parent.level + 1 if parent else 1
    if level > MAX_LEVEL:
        raise PlanError(_l("A plan has three levels; this item cannot have sub-items."))
    title = (title or "").strip()
    if not title:
        raise PlanError(_l("Enter the item's title."))
    code = clean_code(code) if (code or "").strip() else next_code(plan, parent)
    if any(i.code == code for i in plan.items):
        raise PlanError(_l("The code %(code)s is already used in this plan.", code=code))
    siblings = [i.position for i in plan.items if i.parent_id == (parent.id if parent else None)]
    item = PlanItem(plan=plan, parent=parent, level=level, code=code, title=title[:300],
                    position=max(siblings, default=0) + 1)
    db.session.add(item)
    db.session.flush()
    record(actor, "plan.item_add", item, area=plan.area,
           details={"plan_id": plan.id, "level": level, "code": code, "title": item.title})
    return item


def update_item(actor: User, item: PlanItem, title: str, code: str | None) -> PlanItem:
    plan = item.plan
    _require(actor, plan.area)
    title = (title or "").strip()
    if not title:
        raise PlanError(_l("Enter the item's title."))
    code = clean_code(code) if (code or "").strip() else item.code
    if code != item.code and any(i.code == code and i.id != item.id for i in plan.items):
        raise PlanError(_l("The code %(code)s is already used in this plan.", code=code))
    before = {"code": item.code, "title": item.title}
    item.code, item.title = code, title[:300]
    db.session.flush()
    record(actor, "plan.item_update", item, area=plan.area,
           details={"plan_id": plan.id, "before": before, "after": {"code": item.code, "title": item.title}})
    return item


def subtree(item: PlanItem) -> list[PlanItem]:
    out = [item]
    for child in item.children:
        out.extend(subtree(child))
    return out


def remove_item(actor: User, item: PlanItem) -> None:
    plan = item.plan
    _require(actor, plan.area)
    doomed = subtree(item)
    if linked_proposal_count([i.id for i in doomed]):
        raise PlanError(_l("Proposals are linked to this item or its sub-items; link them elsewhere first."))
    record(actor, "plan.item_remove", item, area=plan.area,
           details={"plan_id": plan.id, "code": item.code, "title": item.title, "removed": len(doomed)})
    parent = item.parent
    db.session.delete(item)  # its sub-items go with it (cascade)
    db.session.flush()
    db.session.expire(plan, ["items"])
    if parent is not None:
        db.session.expire(parent, ["children"])


# -- uploads ------------------------------------------------------------------

@dataclass
class ItemRow:
    """One row of an uploaded plan file, already type-checked."""

    row: int
    level: int
    code: str
    parent_code: str | None
    title: str


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)


MAX_REPORTED_ERRORS = 20


def rows_error(errors: list[str]) -> PlanError:
    """One error listing the problems of a file's rows (the first 20, and how many more)."""
    shown = errors[:MAX_REPORTED_ERRORS]
    if len(errors) > MAX_REPORTED_ERRORS:
        shown.append(_("…and %(n)d more problems.", n=len(errors) - MAX_REPORTED_ERRORS))
    return PlanError(_l("The file was not imported and nothing was changed:"), details=shown)


def import_items(actor: User, plan: Plan, rows: list[ItemRow], filename: str = "") -> ImportResult:
    """Add or update the plan's items from a parsed file, all or nothing.

    Items are matched on their code: a known code updates the title (its level
    and parent must stay the same, so that linked proposals stay where they
    are); a new code creates an item. Items missing from the file are kept.
    A blank parent code on a level-2 or level-3 row means the nearest row
    above it one level up. Every row is checked before anything is written.
    """
    _require(actor, plan.area)
    if not rows:
        raise PlanError(_l("The file has no rows below the header."))
    existing = {i.code: i for i in plan.items}
    errors: list[str] = []
    seen: dict[str, ItemRow] = {}
    last_at_level: dict[int, ItemRow] = {}
    parent_of: dict[str, str | None] = {}

    for r in rows:
        if r.code in seen:
            errors.append(_("Row %(row)d: the code %(code)s is already used on row %(other)d.",
                            row=r.row, code=r.code, other=seen[r.code].row))
            continue
        seen[r.code] = r
        parent_code = r.parent_code
        if r.level == 1:
            if parent_code:
                errors.append(_("Row %(row)d: a level-1 item has no parent code (found %(code)s).", row=r.row, code=parent_code))
                continue
        else:
            if not parent_code:
                above = last_at_level.get(r.level - 1)
                if above is None:
                    errors.append(_("Row %(row)d: a level-%(level)d item needs a parent code (a level-%(up)d item).",
                                    row=r.row, level=r.level, up=r.level - 1))
                    continue
                parent_code = above.code
            parent_level = seen[parent_code].level if parent_code in seen else (
                existing[parent_code].level if parent_code in existing else None)
            if parent_level is None:
                errors.append(_("Row %(row)d: the parent code %(code)s is neither in the file nor in the plan.",
                                row=r.row, code=parent_code))
                continue
            if parent_level != r.level - 1:
                errors.append(_("Row %(row)d: the parent %(code)s is at level %(plevel)d; a level-%(level)d item needs a level-%(up)d parent.",
                                row=r.row, code=parent_code, plevel=parent_level, level=r.level, up=r.level - 1))
                continue
        current = existing.get(r.code)
        if current is not None:
            current_parent = current.parent.code if current.parent else None
            if current.level != r.level or current_parent != parent_code:
                errors.append(_("Row %(row)d: the code %(code)s already exists in the plan at another place; keep its level and parent or use a new code.",
                                row=r.row, code=r.code))
                continue
        parent_of[r.code] = parent_code
        last_at_level[r.level] = r
        for deeper in range(r.level + 1, MAX_LEVEL + 1):
            last_at_level.pop(deeper, None)

    if errors:
        raise rows_error(errors)

    result = ImportResult()
    by_code = dict(existing)
    next_position: dict[str | None, int] = {}
    for r in sorted(rows, key=lambda r: r.level):
        item = by_code.get(r.code)
        if item is not None:
            if item.title != r.title:
                item.title = r.title
                result.updated += 1
            else:
                result.unchanged += 1
            continue
        parent = by_code.get(parent_of[r.code]) if parent_of[r.code] else None
        key = parent_of[r.code]
        if key not in next_position:
            next_position[key] = max((i.position for i in plan.items if i.parent is parent), default=0)
        next_position[key] += 1
        item = PlanItem(plan=plan, parent=parent, level=r.level, code=r.code, title=r.title,
                        position=next_position[key])
        db.session.add(item)
        by_code[r.code] = item
        result.created += 1
    db.session.flush()
    record(actor, "plan.import", plan, area=plan.area, details={
        "filename": filename[:200], "rows": len(rows), "created": result.created, "updated": result.updated,
    })
    return result
