"""Self-verification against an area's resident list (issue 14.3) and the method of each verification (14.4)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import func, select

from app.accounts import resident_list as lists
from app.accounts.models import ResidencyMethod, ResidencyState, ResidentList, ResidentListEntry, Role
from app.audit.models import AuditEntry
from app.extensions import db
from tests.accounts.factories import create_official, create_user, sign_in, valid_national_id, wrong_check_digit
from tests.accounts.helpers import shows, th

CITY = "3500102"  # เทศบาลนครเชียงใหม่: covers ศรีภูมิ (500101), not ตำบลสุเทพ (500108)


def csv_file(rows, header="national_id,birth_date,subdistrict,house_number") -> bytes:
    return ("\ufeff" + header + "\n" + "\n".join(",".join(r) for r in rows) + "\n").encode("utf-8")


def upload(client, data: bytes, name="list.csv", code=CITY):
    return client.post(f"/admin/areas/{code}/resident-list", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data", follow_redirects=True)


@pytest.fixture
def officer(client):
    user = create_official(Role.LG_OFFICER, CITY, email="city-officer@example.com")
    sign_in(client, user)
    return user


def shows_text(html: str, message: str) -> bool:
    return th(message) in html


def entries() -> int:
    return db.session.scalar(select(func.count()).select_from(ResidentListEntry))


def test_upload_keeps_only_keyed_hashes(client, officer):
    nid = valid_national_id()
    response = upload(client, csv_file([(nid, "15/08/2530", "500101", "12/3"), (valid_national_id(), "1/1/2500", "ศรีภูมิ", "")]))
    assert "บันทึกทะเบียนผู้อยู่อาศัยของเทศบาลนครเชียงใหม่แล้ว จำนวน 2 คน" in response.get_data(as_text=True)
    stored = db.session.scalar(select(ResidentList))
    assert stored.row_count == 2 and entries() == 2
    every_value = " ".join(f"{e.digest} {e.subdistrict_code}" for e in db.session.scalars(select(ResidentListEntry)))
    assert nid not in every_value and "12/3" not in every_value
    assert lists.list_digest(nid, date(1987, 8, 15)) in every_value
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "resident_list.upload")).actor_id == officer.id
    # A re-upload replaces the list.
    upload(client, csv_file([(valid_national_id(), "2/2/2520", "500102", "")]))
    assert entries() == 1 and db.session.scalar(select(func.count()).select_from(ResidentList)) == 1


@pytest.mark.parametrize("rows,message,values", [
    ([(wrong_check_digit(valid_national_id()), "15/08/2530", "500101", "")],
     "The national ID number is not valid (13 digits with a check digit).", {}),
    ([(valid_national_id(), "15/08/1987", "500101", "")],
     "%(year)d is a Christian-era year: enter the year in the Buddhist Era (พ.ศ.), for example %(be)d.", {"year": 1987, "be": 2530}),
    ([(valid_national_id(), "15/08/2530", "500108", "")],  # ตำบลสุเทพ: not the City's
     "The subdistrict %(name)s is not one of %(area)s.", {"name": "500108", "area": "เทศบาลนครเชียงใหม่"}),
    ([(valid_national_id(), "=HYPERLINK(\"x\")", "500101", "")], "A cell holds a formula: type the values themselves.", {}),
])
def test_bad_rows_are_named_and_nothing_is_stored(client, officer, rows, message, values):
    good = (valid_national_id(), "1/1/2500", "500101", "")
    response = upload(client, csv_file([good, *rows]))
    assert response.status_code == 200 and response.request.path.startswith("/jobs/")
    assert shows(response, "Nothing was saved: the file has problems")
    from markupsafe import escape

    row_text = th("Row %(row)d: %(message)s").replace("%(row)d", "3").replace("%(message)s", th(message, **values))
    assert str(escape(row_text)) in response.get_data(as_text=True)
    assert entries() == 0


def test_duplicates_macros_and_wrong_files_are_refused(client, officer):
    nid = valid_national_id()
    response = upload(client, csv_file([(nid, "1/1/2500", "500101", ""), (nid, "1/1/2500", "500101", "")]))
    assert shows(response, "The same person is already on row %(row)d.", row=2)
    macro = io.BytesIO()
    import zipfile

    with zipfile.ZipFile(macro, "w") as z:
        z.writestr("xl/vbaProject.bin", b"x")
    assert shows(upload(client, macro.getvalue(), "list.xlsx"), "Workbooks with macros are not accepted: save it as .xlsx or CSV.")
    assert shows(upload(client, b"hello", "list.xlsm"), "Upload a CSV or an Excel (.xlsx) file.")
    assert shows(upload(client, b"a,b\n1,2\n"), "The first row must name the columns national_id, birth_date and subdistrict.")
    assert entries() == 0


def test_upload_is_a_job_with_progress_and_the_file_is_deleted(client, officer, app, monkeypatch):
    from app.accounts import jobs as list_jobs
    from app.jobs.models import Job, JobState

    monkeypatch.setattr(lists, "_CHUNK", 2)  # progress every two rows
    seen: list[tuple[int, int]] = []
    from app.jobs.services import JobContext

    real = JobContext.progress
    monkeypatch.setattr(JobContext, "progress", lambda self, done, total: (seen.append((done, total)), real(self, done, total)))
    rows = [(valid_national_id(), "1/1/2500", "500101", "") for _ in range(5)]
    response = upload(client, csv_file(rows))
    job = db.session.scalar(select(Job).where(Job.kind == "resident_list.import"))
    assert response.request.path == f"/jobs/{job.id}"
    assert job.state is JobState.DONE and job.result["ok"] and job.created_by_id == officer.id
    assert shows(response, "Resident list upload")
    assert "บันทึกทะเบียนผู้อยู่อาศัยของเทศบาลนครเชียงใหม่แล้ว จำนวน 5 คน" in response.get_data(as_text=True)
    assert f'href="/admin/areas/{CITY}/resident-list"' in response.get_data(as_text=True)
    assert entries() == 5
    # Progress went up to the whole (reading, then storing) and the file with the numbers in clear is gone.
    assert seen and seen[-1][0] == seen[-1][1] and all(d <= t for d, t in seen)
    assert "token" in job.payload and not list(list_jobs.upload_folder().glob(job.payload["token"] + "*"))
    assert all(rows[0][0] not in str(v) for v in job.payload.values())
    # The list's page links to it, for an official who left the progress page.
    page = client.get(f"/admin/areas/{CITY}/resident-list").get_data(as_text=True)
    assert f'href="/jobs/{job.id}"' in page and shows_text(page, "saved")
    # Another official cannot follow this job.
    client.post("/logout")
    sign_in(client, create_official(Role.LG_OFFICER, CITY))
    assert client.get(f"/jobs/{job.id}").status_code == 403


def test_too_many_rows_and_too_many_problems(client, officer, monkeypatch):
    # 200,000 rows (kept short: a body over 500 KB is spooled to a file the test client leaves open).
    lines = "national_id,birth_date,subdistrict\n" + "1\n" * 200_000
    response = upload(client, lines.encode())
    assert response.status_code == 400 and response.request.path.endswith("/resident-list")
    assert shows(response, "The list has more than %(max)s rows.", max="150,000")
    # Past 50 problems the page says that it shows the first ones.
    bad = [(wrong_check_digit(valid_national_id()), "1/1/2500", "500101", "") for _ in range(60)]
    response = upload(client, csv_file(bad))
    assert shows(response, "The first %(num)d problems are shown; the file may have more after row %(row)d.", num=50, row=51)
    assert entries() == 0


def test_formula_in_an_xlsx_cell_is_refused(client, officer):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["national_id", "birth_date", "subdistrict"])
    sheet.append(["=A1", "15/08/2530", "500101"])
    out = io.BytesIO()
    book.save(out)
    response = upload(client, out.getvalue(), "list.xlsx")
    assert shows(response, "A cell holds a formula: type the values themselves.")
    assert entries() == 0


def test_older_verifications_stay_after_a_new_list(client, officer):
    nid = valid_national_id()
    _list_with(nid)
    resident = create_user(subdistrict_code="500101")
    lists.self_verify(resident, nid, date(1987, 8, 15))
    db.session.commit()
    upload(client, csv_file([(valid_national_id(), "1/1/2500", "500101", "")]))
    db.session.expire_all()
    assert entries() == 1 and resident.residency_state is ResidencyState.VERIFIED


def test_xlsx_upload(client, officer):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["national_id", "birth_date", "subdistrict"])
    sheet.append([valid_national_id(), "15/08/2530", "500101"])
    out = io.BytesIO()
    book.save(out)
    upload(client, out.getvalue(), "list.xlsx")
    assert entries() == 1


def test_only_the_areas_officials_upload(client):
    sign_in(client, create_official(Role.LG_OFFICER, "5500107"))
    assert client.get(f"/admin/areas/{CITY}/resident-list").status_code == 403
    assert client.post(f"/admin/areas/{CITY}/resident-list", data={}).status_code == 403


def _list_with(nid: str, born="15/08/2530", sub="500101"):
    official = create_official(Role.LG_OFFICER, CITY)
    from app.areas.services import get_local_government

    lists.store_resident_list(official, get_local_government(CITY), "l.csv", csv_file([(nid, born, sub, "")]))
    db.session.commit()


def test_resident_verifies_themselves(client):
    nid = valid_national_id()
    _list_with(nid)
    resident = create_user(subdistrict_code="500101")
    sign_in(client, resident)
    page = client.get("/profile").get_data(as_text=True)
    assert "sv-national_id" in page
    response = client.post("/profile/self-verify", data={"sv-national_id": nid, "sv-birth_date": "15/08/2530"}, follow_redirects=True)
    assert shows(response, "Your residency is verified against the resident list of %(area)s: you can vote in its budgeting cycles.",
                 area="เทศบาลนครเชียงใหม่")
    db.session.expire_all()
    assert resident.residency_state is ResidencyState.VERIFIED
    assert resident.residency_method is ResidencyMethod.RESIDENT_LIST and resident.residency_area.code == CITY
    assert resident.residency_verified_by_id is None and resident.national_id_hash is not None
    page = client.get("/profile").get_data(as_text=True)
    assert "ตรวจสอบกับทะเบียนผู้อยู่อาศัยของเทศบาลนครเชียงใหม่" in page


@pytest.mark.parametrize("typed_born,subdistrict", [("16/08/2530", "500101"), ("15/08/2530", "500102")])
def test_a_wrong_guess_says_nothing_about_the_list(client, typed_born, subdistrict):
    nid = valid_national_id()
    _list_with(nid)
    resident = create_user(subdistrict_code=subdistrict)
    sign_in(client, resident)
    response = client.post("/profile/self-verify", data={"sv-national_id": nid, "sv-birth_date": typed_born})
    assert shows(response, str(lists.NO_MATCH._args[0]))
    not_listed = client.post("/profile/self-verify", data={"sv-national_id": valid_national_id(), "sv-birth_date": typed_born})
    assert not_listed.get_data(as_text=True).count("ทะเบียน") == response.get_data(as_text=True).count("ทะเบียน")
    db.session.expire_all()
    assert resident.residency_state is ResidencyState.NO_ID
    failures = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "resident.self_verify_failed")).all()
    assert len(failures) == 2 and all(nid not in str(f.details) for f in failures)


def test_guesses_are_rate_limited_per_account_and_per_id(client, app):
    nid = valid_national_id()
    _list_with(nid)
    sign_in(client, create_user(subdistrict_code="500101"))
    codes = [client.post("/profile/self-verify", data={"sv-national_id": valid_national_id(), "sv-birth_date": "1/1/2500"}).status_code
             for _ in range(6)]
    assert codes[:5] == [200] * 5 and codes[5] == 429
    # Per ID: five accounts guessing one ID's date of birth are stopped at the sixth try.
    results = []
    for n in range(6):
        client.post("/logout")
        sign_in(client, create_user(subdistrict_code="500101"))
        results.append(client.post("/profile/self-verify", data={"sv-national_id": nid, "sv-birth_date": f"{n + 1}/1/2500"}).status_code)
    assert results[:5] == [200] * 5 and results[5] == 429


def test_officials_see_counts_by_method(client, officer):
    nid = valid_national_id()
    _list_with(nid)
    listed = create_user(subdistrict_code="500101")
    lists.self_verify(listed, nid, date(1987, 8, 15))
    in_person = create_user(subdistrict_code="500102", national_id=valid_national_id())
    from app.accounts.services import verify_residency
    from app.areas.services import get_local_government

    verify_residency(officer, in_person, get_local_government(CITY))
    db.session.commit()
    counts = lists.verified_counts(get_local_government(CITY))
    assert counts[ResidencyMethod.RESIDENT_LIST] == 1 and counts[ResidencyMethod.IN_PERSON] == 1
    assert in_person.residency_method is ResidencyMethod.IN_PERSON
    page = client.get(f"/admin/areas/{CITY}/residents").get_data(as_text=True)
    assert "ทะเบียนผู้อยู่อาศัย 1" in page
