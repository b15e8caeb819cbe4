"""Plan rules: who may change a plan, which years, how items nest, the audit trail."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.accounts.models import Role
from app.audit.models import AuditEntry
from app.extensions import db
from app.plans import services
from app.plans.models import Plan, PlanItem, PlanKind
from tests.plans.factories import create_official, create_plan, create_user, lg, province


def test_province_gets_an_annual_plan_and_a_local_government_a_five_year_plan():
    p_plan = services.create_plan(create_official(province()), province(), 2570)
    assert (p_plan.kind, p_plan.start_year, p_plan.end_year) == (PlanKind.PROVINCIAL_ACTION, 2570, 2570)
    assert p_plan.title == "แผนปฏิบัติราชการประจำปีของจังหวัดเชียงใหม่ ประจำปีงบประมาณ พ.ศ. 2570"
    l_plan = services.create_plan(create_official(lg()), lg(), 2566, "  ")
    assert (l_plan.kind, l_plan.start_year, l_plan.end_year) == (PlanKind.LOCAL_DEVELOPMENT, 2566, 2570)
    assert l_plan.years == [2566, 2567, 2568, 2569, 2570]
    assert "เทศบาลนครเชียงใหม่" in l_plan.title and "2566 - 2570" in l_plan.title


def test_a_provincial_official_may_plan_for_the_province_and_its_local_governments():
    official = create_official(province())
    assert services.create_plan(official, lg("5500107"), 2566).area.code == "5500107"


@pytest.mark.parametrize("maker", [
    lambda: create_official(province("10")),  # an official of another province
    lambda: create_official(lg("5500107")),  # the officer of a neighbouring local government
    lambda: create_user(Role.EVALUATOR, province()),
    lambda: create_user(),
])
def test_others_may_not_create_or_change_plans(maker):
    plan = create_plan(lg())
    outsider = maker()
    with pytest.raises(services.PlanError):
        services.create_plan(outsider, lg(), 2571)
    with pytest.raises(services.PlanError):
        services.add_item(outsider, plan, None, "ยุทธศาสตร์ใหม่")
    with pytest.raises(services.PlanError):
        services.remove_item(outsider, plan.items[0])
    with pytest.raises(services.PlanError):
        services.update_plan(outsider, plan, "ชื่อใหม่", 2566)


@pytest.mark.parametrize("year, fragment", [
    (2026, "ปีคริสต์ศักราช"), (1999, "ปีคริสต์ศักราช"), (0, "ต้องอยู่ระหว่าง"), (-5, "ต้องอยู่ระหว่าง"),
    (25700, "ต้องอยู่ระหว่าง"), (2539, "ต้องอยู่ระหว่าง"), (9999, "ต้องอยู่ระหว่าง"), (None, "ปีงบประมาณแรก"),
])
def test_absurd_years_are_refused(year, fragment):
    official = create_official(lg())
    with pytest.raises(services.PlanError) as exc:
        services.create_plan(official, lg(), year)
    assert fragment in str(exc.value)
    assert db.session.scalar(select(Plan).where(Plan.area_id == lg().id)) is None


def test_one_plan_per_area_and_period():
    official = create_official(lg())
    services.create_plan(official, lg(), 2566)
    with pytest.raises(services.PlanError, match="มีแผนที่เริ่มในปี 2566 อยู่แล้ว"):
        services.create_plan(official, lg(), 2566)


def test_items_nest_three_levels_with_codes_and_ancestors():
    plan = create_plan(lg())
    leaf = next(i for i in plan.items if i.code == "1.1.1")
    assert [a.code for a in leaf.path] == ["1", "1.1"]
    assert leaf.root.code == "1" and leaf.leaf_ancestor is leaf
    assert leaf.parent.leaf_ancestor is None and leaf.parent.root.code == "1"
    assert leaf.ancestor_at(2).code == "1.1"
    with pytest.raises(services.PlanError, match="แผนมีสามระดับ"):
        services.add_item(create_official(lg()), plan, leaf, "ระดับที่สี่")
    assert [i.code for i in services.tree_order(plan)] == ["1", "1.1", "1.1.1", "2", "2.1", "2.1.1"]


def test_codes_are_suggested_and_must_be_unique_and_clean():
    plan = create_plan(lg())
    official = create_official(lg())
    third = services.add_item(official, plan, None, "ยุทธศาสตร์ที่สาม")
    assert third.code == "3"
    sub = services.add_item(official, plan, third, "กลยุทธ์")
    assert sub.code == "3.1" and sub.level == 2
    with pytest.raises(services.PlanError, match="รหัส 1 มีอยู่แล้วในแผนนี้"):
        services.add_item(official, plan, None, "ซ้ำ", "1")
    with pytest.raises(services.PlanError, match="โดยไม่มีช่องว่าง"):
        services.add_item(official, plan, None, "เว้นวรรค", "1 2")
    with pytest.raises(services.PlanError, match="กรุณากรอกชื่อรายการ"):
        services.add_item(official, plan, None, "   ")


def test_a_parent_from_another_plan_is_refused():
    plan = create_plan(lg())
    other = create_plan(lg("5500107"))
    with pytest.raises(services.PlanError, match="เป็นของแผนอื่น"):
        services.add_item(create_official(lg()), plan, other.items[0], "ผิดแผน")


def test_update_and_remove_items_are_audited():
    plan = create_plan(lg())
    official = create_official(lg())
    item = next(i for i in plan.items if i.code == "2")
    services.update_item(official, item, "ยุทธศาสตร์ด้านสังคม", "2")
    services.remove_item(official, item)
    assert {i.code for i in plan.items} == {"1", "1.1", "1.1.1"}
    assert db.session.scalar(select(PlanItem).where(PlanItem.code == "2.1.1", PlanItem.plan_id == plan.id)) is None
    actions = list(db.session.scalars(select(AuditEntry.action).where(AuditEntry.area_id == lg().id)))
    for action in ("plan.create", "plan.item_add", "plan.item_update", "plan.item_remove"):
        assert action in actions


def test_item_of_area_refuses_an_item_of_another_area():
    plan = create_plan(lg())
    item = plan.items[0]
    assert services.item_of_area(item.id, lg()) is item
    assert services.item_of_area(item.id, lg("5500107")) is None
    assert services.item_of_area(item.id, province()) is None
    assert services.item_of_area(10**9, lg()) is None
    assert [i.id for i in services.linkable_items(lg())] == [i.id for i in services.tree_order(plan)]


def test_delete_plan():
    plan = create_plan(lg())
    services.delete_plan(create_official(lg()), plan)
    assert db.session.scalar(select(Plan).where(Plan.area_id == lg().id)) is None
    assert db.session.scalar(select(PlanItem.id).where(PlanItem.plan_id == plan.id)) is None


def test_items_and_plans_serving_proposals_cannot_be_removed():
    from tests.exports.factories import create_proposal

    plan = create_plan(lg())
    official = create_official(lg())
    leaf = next(i for i in plan.items if i.code == "1.1.1")
    create_proposal(leaf, "ถนนซอย 3")
    for doomed in (leaf, leaf.parent, leaf.parent.parent):
        with pytest.raises(services.PlanError, match="มีโครงการที่เสนอเชื่อมโยง"):
            services.remove_item(official, doomed)
    with pytest.raises(services.PlanError, match="จึงลบแผนไม่ได้"):
        services.delete_plan(official, plan)
    with pytest.raises(services.PlanError, match="จึงเปลี่ยนปีของแผนไม่ได้"):
        services.update_plan(official, plan, plan.title, 2567)
    services.update_plan(official, plan, "แผนพัฒนาท้องถิ่น (ฉบับทบทวน)", 2566)  # the title may change
    services.remove_item(official, next(i for i in plan.items if i.code == "2"))  # nothing serves strategy 2
    assert {i.code for i in plan.items} == {"1", "1.1", "1.1.1"}
