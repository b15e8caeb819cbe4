"""Which proposals a plan's export holds, in which groups, with which amounts and titles."""
from __future__ import annotations

from app.exports import services
from app.proposals.models import ProposalState
from tests.exports.factories import create_proposal
from tests.plans.factories import create_plan, lg, province

S = ProposalState


def by_code(plan):
    return {i.code: i for i in plan.items}


def test_local_export_groups_by_strategy_and_programme_in_plan_order():
    plan = create_plan(lg())
    items = by_code(plan)
    create_proposal(items["2.1.1"], "คลินิกชุมชน", budget={2567: 300_000})
    create_proposal(items["1.1.1"], "ถนนซอย 3", budget={2566: 500_000, 2568: 100_000})
    create_proposal(items["1.1"], "ทางเท้า (ระดับกลยุทธ์)", budget={2569: 50_000})
    create_proposal(items["1.1.1"], "ร่างยังไม่เสนอ", state=S.DRAFT)
    create_proposal(items["1.1.1"], "ไม่ผ่าน", state=S.NOT_FEASIBLE)
    create_proposal(items["1.1.1"], "ได้รับงบแล้ว", state=S.SELECTED, budget={2570: 900_000})
    rows = list(services.export_rows(plan, services.STATE_FILTERS["shortlisted"]))
    assert [r.title for r in rows] == ["ถนนซอย 3", "ทางเท้า (ระดับกลยุทธ์)", "คลินิกชุมชน"]
    assert [(r.group1.code, r.group2.code if r.group2 else None) for r in rows] == [("1", "1.1.1"), ("1", None), ("2", "2.1.1")]
    assert rows[0].amounts == (500_000, None, 100_000, None, None)
    assert services.count_rows(plan, services.STATE_FILTERS["shortlisted"]) == 3
    both = [r.title for r in services.export_rows(plan, services.STATE_FILTERS["both"])]
    assert both == ["ถนนซอย 3", "ได้รับงบแล้ว", "ทางเท้า (ระดับกลยุทธ์)", "คลินิกชุมชน"]
    assert [r.title for r in services.export_rows(plan, services.STATE_FILTERS["selected"])] == ["ได้รับงบแล้ว"]


def test_without_budget_years_the_final_cost_goes_in_the_proposal_year():
    plan = create_plan(lg())
    item = by_code(plan)["1.1.1"]
    create_proposal(item, "ประมาณการ", estimated_cost=400_000, fiscal_year=2568)
    create_proposal(item, "ปรับราคาแล้ว", estimated_cost=400_000, revised_cost=350_000, fiscal_year=2567)
    rows = {r.title: r.amounts for r in services.export_rows(plan, services.STATE_FILTERS["shortlisted"])}
    assert rows == {"ประมาณการ": (None, None, 400_000, None, None), "ปรับราคาแล้ว": (None, 350_000, None, None, None)}


def test_a_proposal_of_another_area_on_this_plan_is_not_exported():
    plan = create_plan(lg())
    create_proposal(by_code(plan)["1.1.1"], "ของเทศบาลอื่น", area=lg("5500107"))
    create_proposal(None, "ไม่ได้เชื่อมกับแผน", area=lg())
    assert list(services.export_rows(plan, services.STATE_FILTERS["shortlisted"])) == []
    assert services.unlinked_count(lg(), services.STATE_FILTERS["shortlisted"]) == 1


def test_province_export_groups_by_issue_and_programme_with_one_year():
    items = [("1", None, "ท่องเที่ยวเชิงสร้างสรรค์"), ("1.1", "1", "แผนงานท่องเที่ยว"),
             ("1.1.1", "1.1", "โครงการยกระดับแหล่งท่องเที่ยว"), ("2", None, "เกษตรปลอดภัย"),
             ("2.1", "2", "แผนงานเกษตร")]
    plan = create_plan(province(), 2570, items=items)
    ids = by_code(plan)
    create_proposal(ids["2.1"], "ส่งเสริมกาแฟ", budget={2570: 1_000_000})
    create_proposal(ids["1.1.1"], "ป้ายบอกทาง", budget={2570: 200_000, 2571: 50})
    rows = list(services.export_rows(plan, services.STATE_FILTERS["shortlisted"]))
    assert [(r.title, r.group1.code, r.group2.code, r.amounts) for r in rows] == [
        ("ป้ายบอกทาง", "1", "1.1", (200_000,)), ("ส่งเสริมกาแฟ", "2", "2.1", (1_000_000,))]
    meta = services.export_meta(plan, "shortlisted")
    assert (meta.group1_label, meta.group2_label, meta.years) == ("ประเด็นการพัฒนา", "แผนงาน", [2570])
    assert meta.title_lines[1] == "แผนปฏิบัติราชการประจำปีของจังหวัด ประจำปีงบประมาณ พ.ศ. 2570"
    assert meta.title_lines[2] == "จังหวัดเชียงใหม่"


def test_local_meta_names_the_body_and_the_plan_years():
    meta = services.export_meta(create_plan(lg()), "shortlisted")
    assert meta.title_lines == ["รายละเอียดโครงการพัฒนา", "แผนพัฒนาท้องถิ่น (พ.ศ. 2566 - 2570)",
                                "เทศบาลนครเชียงใหม่ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่"]
    assert (meta.group1_label, meta.group2_label) == ("ยุทธศาสตร์", "แผนงาน")
    assert meta.header_row()[:4] == ["ที่", "โครงการ", "วัตถุประสงค์", "เป้าหมาย (ผลผลิตของโครงการ)"]
    assert meta.header_row()[-3:] == ["ตัวชี้วัด (KPI)", "ผลที่คาดว่าจะได้รับ", "หน่วยงานรับผิดชอบหลัก"]
