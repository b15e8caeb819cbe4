"""A large .pb file is imported by a background job; the official follows its progress and lands on the new cycle."""
from __future__ import annotations

from sqlalchemy import func, select

from app.cycles import jobs as cycle_jobs
from app.cycles.models import Cycle, CycleBallot
from app.extensions import db
from app.jobs.models import Job, JobState
from tests.cycles import factories as f
from tests.cycles.test_routes import login


def big_pb(voters: int) -> bytes:
    head = ("META\nkey;value\ndescription;Big city\nbudget;1000\nvote_type;approval\nrule;greedy\n"
            f"num_projects;3\nnum_votes;{voters}\n"
            "PROJECTS\nproject_id;cost;name\nA;600;Park\nB;500;Library\nC;300;Bike lane\nVOTES\nvoter_id;vote\n")
    choices = ("A,C", "A", "B", "A,B")
    return (head + "".join(f"{i};{choices[i % 4]}\n" for i in range(1, voters + 1))).encode()


def multipart(filename: str, content: bytes) -> tuple[bytes, str]:
    boundary = "ruamkhit-test-boundary"
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            f"Content-Type: text/plain\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_a_large_pb_file_is_imported_by_a_job(client, official):
    login(client, official)
    data = big_pb(60_000)
    assert len(data) > cycle_jobs.INLINE_PB_BYTES
    body, content_type = multipart("big.pb", data)
    response = client.post("/cycles/import?area=50", data=body, content_type=content_type)
    assert response.status_code == 302 and "/jobs/" in response.headers["Location"]
    job = db.session.scalar(select(Job).where(Job.kind == "cycles.import_pb"))
    assert job.state is JobState.DONE and job.created_by_id == official.id and "data" not in job.payload
    cycle = db.session.scalar(select(Cycle).where(Cycle.imported_from == "big.pb"))
    assert db.session.scalar(select(func.count()).select_from(CycleBallot)) == 60_000
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"/cycles/{cycle.id}/manage" in page


def test_a_large_bad_pb_file_shows_its_problem_on_the_job_page(client, official):
    login(client, official)
    data = big_pb(60_000).replace(b"\n59999;", b"\n59999;Z")
    body, content_type = multipart("bad.pb", data)
    response = client.post("/cycles/import?area=50", data=body, content_type=content_type)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "ไม่ได้นำเข้าไฟล์" in page and "error-summary" in page
    assert db.session.scalar(select(func.count()).select_from(Cycle)) == 0


def test_only_officials_of_the_area_can_start_an_import(client):
    login(client, f.create_official("10"))
    body, content_type = multipart("big.pb", big_pb(60_000))
    assert client.post("/cycles/import?area=50", data=body, content_type=content_type).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind == "cycles.import_pb")) == 0
