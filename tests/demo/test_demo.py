"""The Thai demo loads, and loading it a second time changes nothing (make run is run again and again)."""
from sqlalchemy import func, select

from app.demo import base
from app.demo.cli import DOMAIN_LOADERS
from app.extensions import db as _db


def _counts() -> dict[str, int]:
    return {
        table.name: _db.session.scalar(select(func.count()).select_from(table))
        for table in _db.metadata.sorted_tables
    }


def _load_all() -> None:
    import importlib

    base.load()
    for name in DOMAIN_LOADERS:
        importlib.import_module(name).load()
    _db.session.flush()


def test_demo_loads_and_is_idempotent(app):
    with app.test_request_context("/"):
        _load_all()
        first = _counts()
        _load_all()
        second = _counts()
    assert first["users"] >= 9 and first["ideas"] >= 40
    changed = {name: (first[name], second[name]) for name in first if first[name] != second[name]}
    assert changed == {}, f"a second demo load changed: {changed}"


def test_demo_recognises_its_objects_after_officials_changed_them(app):
    """#12.20: an official referred a demo idea and renamed a proposal and a cycle; the next
    `make run` made a duplicate of each in its original place. The demo now knows its own
    objects by a stable key, whatever has happened to them since."""
    from app.areas.services import get_area_by_code
    from app.cycles.models import Cycle
    from app.ideas.models import Idea
    from app.proposals.models import Proposal
    from app.triage import services as triage

    with app.test_request_context("/"):
        _load_all()
        idea = _db.session.scalar(select(Idea).where(Idea.title == "ซ่อมทางเท้าถนนราชดำเนินที่แตกร้าว"))
        officer = base.demo_user("officer@demo.ruamkhit.th")
        triage.refer_idea(officer, idea, get_area_by_code("50"), "เป็นเรื่องของจังหวัด")
        assert idea.area.code == "50"
        proposal = _db.session.scalars(select(Proposal).order_by(Proposal.id)).first()
        proposal.title = proposal.title + " (แก้ไขชื่อ)"
        cycle = _db.session.scalars(select(Cycle).order_by(Cycle.id)).first()
        cycle.title = "รอบที่เปลี่ยนชื่อแล้ว"
        _db.session.flush()
        first = _counts()
        _load_all()
        second = _counts()
    changed = {name: (first[name], second[name]) for name in first if first[name] != second[name]}
    assert changed == {}, f"the demo made again what officials had changed: {changed}"


def test_demo_does_not_remake_what_was_deleted(app):
    from app.demo.models import DemoObject
    from app.demo.registry import FORGOTTEN, recall
    from app.ideas.demo import IDEAS
    from app.ideas.models import Idea

    with app.test_request_context("/"):
        _load_all()
        title = IDEAS[-1][5]
        row = _db.session.scalar(select(DemoObject).where(DemoObject.kind == "idea", DemoObject.key == title))
        assert row is not None
        assert recall("idea", title, Idea).title == title
        row.object_id = 10**9  # as if an official had deleted the idea
        _db.session.flush()
        assert recall("idea", title, Idea) is FORGOTTEN
        before = _counts()["ideas"]
        _load_all()
        assert _counts()["ideas"] == before


def test_demo_residents_are_scoped_to_their_local_government(app):
    """The City's officer sees the four residents of the City's subdistricts; Suthep's officer
    sees only the resident of ตำบลสุเทพ, although both local governments lie in district 5001."""
    from app.accounts.services import residents_query
    from app.areas.services import get_local_government
    from app.cycles.eligibility import voter_problem
    from app.cycles.models import Cycle

    with app.test_request_context("/"):
        _load_all()

        def emails(code: str) -> set[str]:
            return {u.email for u in _db.session.scalars(residents_query(get_local_government(code)))
                    if u.email.endswith("@demo.ruamkhit.th") and u.email.startswith("resident")}

        assert emails("3500102") == {f"resident{n}@demo.ruamkhit.th" for n in range(1, 5)}
        assert emails("5500107") == {"resident5@demo.ruamkhit.th"}
        city_cycle = _db.session.scalar(select(Cycle).where(Cycle.area_id == get_local_government("3500102").id))
        suthep_resident = base.demo_user("resident5@demo.ruamkhit.th")
        assert city_cycle is not None and city_cycle.budgets
        assert voter_problem(suthep_resident, city_cycle.budgets[0]) is not None
        assert voter_problem(base.demo_user("resident1@demo.ruamkhit.th"), city_cycle.budgets[0]) is None
