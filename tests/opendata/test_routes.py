"""The /open-data pages and downloads: static files of the latest build, problem+json for what does not exist."""
from __future__ import annotations

from pathlib import Path

import pytest

from app.accounts.models import Role
from app.jobs.models import Job
from app.opendata import build as opendata_build
from app.extensions import db
from tests.accounts.factories import PASSWORD, create_official, create_user
from tests.triage import factories as tf


@pytest.fixture(autouse=True)
def out_dir(app, tmp_path):
    previous = app.config.get("OPENDATA_DIR")
    app.config["OPENDATA_DIR"] = str(tmp_path / "opendata")
    yield Path(app.config["OPENDATA_DIR"])
    app.config["OPENDATA_DIR"] = previous


def login(client, user):
    client.post("/login", data={"email": user.email, "password": PASSWORD})


def test_page_before_any_build_says_so(client):
    response = client.get("/open-data", headers={"Accept-Language": "en"})
    assert response.status_code == 200
    assert "No file has been built for this yet" in response.get_data(as_text=True)


def test_page_lists_datasets_with_build_time_and_serves_files(client):
    tf.create_idea(tf.create_user(), "50", title="ซ่อมถนนหน้าวัด")
    opendata_build.build()
    page = client.get("/open-data").get_data(as_text=True)
    assert "ข้อมูลเปิด" in page and "สร้างไฟล์เมื่อ" in page
    assert "/open-data/TH/ideas.csv" in page and "/open-data/50" in page
    csv_response = client.get("/open-data/TH/ideas.csv")
    assert csv_response.status_code == 200 and csv_response.mimetype == "text/csv"
    assert csv_response.data.startswith(b"\xef\xbb\xbf") and "ซ่อมถนนหน้าวัด".encode() in csv_response.data
    assert csv_response.headers["Access-Control-Allow-Origin"] == "*"
    csv_response.close()
    package = client.get("/open-data/50/datapackage.json")
    assert package.status_code == 200 and package.json["name"] == "ruamkhit-50"
    package.close()
    area_page = client.get("/open-data/50", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Open data of Chiang Mai" in area_page and "/open-data/50/ideas.json" in area_page


@pytest.mark.parametrize("path", [
    "/open-data/TH/nothing.csv", "/open-data/TH/ideas.xlsx", "/open-data/99/ideas.csv",
    "/open-data/TH/..%2Fmanifest.json", "/open-data/TH/manifest.json", "/open-data/xx/datapackage.json",
])
def test_unknown_dataset_is_a_problem_json_404(client, path):
    tf.create_idea(tf.create_user(), "50")
    opendata_build.build()
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.json["title"] == "Unknown dataset" and response.json["status"] == 404


def test_unknown_dataset_message_is_in_thai_by_default(client):
    response = client.get("/open-data/TH/nothing.csv")
    assert response.status_code == 404 and response.json["title"] == "ไม่พบชุดข้อมูล"


def test_unknown_area_page_is_404(client):
    assert client.get("/open-data/12345").status_code == 404
    assert client.get("/open-data/9999999").status_code == 404


def test_only_administrators_start_a_build(client):
    official = create_official(Role.PROVINCIAL_OFFICIAL, "50")
    login(client, official)
    assert client.post("/open-data/build").status_code == 403
    assert db.session.query(Job).filter_by(kind="opendata.build").count() == 0


def test_an_administrator_starts_the_build_job(client, out_dir):
    admin = create_official(Role.ADMIN, None)
    tf.create_idea(tf.create_user(), "50", title="ไอเดียสำหรับงานเบื้องหลัง")
    login(client, admin)
    page = client.get("/open-data").get_data(as_text=True)
    assert "/open-data/build" in page
    response = client.post("/open-data/build")
    assert response.status_code == 302
    job = db.session.query(Job).filter_by(kind="opendata.build").one()
    assert job.state.value == "done" and job.result["rows"]["ideas"] >= 1
    assert "ไอเดียสำหรับงานเบื้องหลัง" in (opendata_build.current_build() / "TH" / "ideas.csv").read_text(encoding="utf-8-sig")


def test_build_command_prints_a_summary(app, out_dir):
    tf.create_idea(tf.create_user(), "50")
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["opendata", "build"])
    assert result.exit_code == 0, result.output
    assert "packages" in result.output and "ideas" in result.output
