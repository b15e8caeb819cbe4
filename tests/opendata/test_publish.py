"""`opendata publish`: every dataset to a CKAN catalog with the GD Catalog fields, idempotent."""
from __future__ import annotations

from pathlib import Path

import pytest

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.opendata import build as opendata_build
from app.opendata.publish import PublishError, publish
from tests.opendata.ckan_stub import CkanStub, Serving
from tests.triage import factories as tf

TOKEN = "test-token-123"


@pytest.fixture(autouse=True)
def configured(app, tmp_path):
    saved = {k: app.config.get(k) for k in ("OPENDATA_DIR", "OPENDATA_MAINTAINER", "OPENDATA_MAINTAINER_EMAIL")}
    app.config.update(OPENDATA_DIR=str(tmp_path / "opendata"), OPENDATA_MAINTAINER="กองยุทธศาสตร์ จังหวัดเชียงใหม่",
                      OPENDATA_MAINTAINER_EMAIL="opendata@chiangmai.go.th")
    yield
    app.config.update(saved)


@pytest.fixture
def built():
    tf.create_idea(tf.create_user(), "50", title="ซ่อมถนนหน้าวัด")
    tf.create_idea(tf.create_user(), "3500102", title="ไฟส่องสว่าง")
    db.session.flush()
    return opendata_build.build()


@pytest.fixture
def catalog():
    with Serving(CkanStub(token=TOKEN, organization="chiangmai")) as stub:
        yield stub


def test_first_run_creates_every_dataset_with_gd_catalog_fields_and_files(built, catalog):
    report = publish(catalog.url, "chiangmai", TOKEN, scopes=["TH", "50"])
    names = set(catalog.packages)
    assert {"ruamkhit-th-ideas", "ruamkhit-th-response-times", "ruamkhit-50-ideas"} <= names
    assert report.created == len(names) and report.updated == 0
    ideas = catalog.packages["ruamkhit-50-ideas"]
    assert ideas["data_type"] == "ข้อมูลระเบียน" and ideas["geo_coverage"] == "จังหวัด"
    assert ideas["maintainer_email"] == "opendata@chiangmai.go.th" and ideas["license_id"] == "Open Data Common"
    assert ideas["data_category"] == "ข้อมูลสาธารณะ" and ideas["owner_org"] == "chiangmai"
    assert {r["format"] for r in ideas["resources"]} == {"CSV", "JSON"}
    csv_resource = next(r for r in ideas["resources"] if r["format"] == "CSV")
    assert "ซ่อมถนนหน้าวัด".encode() in catalog.uploads[csv_resource["id"]]
    assert catalog.uploads[csv_resource["id"]].startswith(b"\xef\xbb\xbf")


def test_second_run_updates_and_never_duplicates(built, catalog):
    publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    packages = {name: p["id"] for name, p in catalog.packages.items()}
    resources = {name: len(p["resources"]) for name, p in catalog.packages.items()}
    catalog.calls.clear()
    again = publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    assert again.created == 0 and again.updated == len(packages)
    assert again.resources_created == 0 and again.resources_updated == 0  # same files: not sent again
    assert {name: p["id"] for name, p in catalog.packages.items()} == packages
    assert {name: len(p["resources"]) for name, p in catalog.packages.items()} == resources
    assert "package_create" not in catalog.actions() and "resource_create" not in catalog.actions()
    # A changed file is replaced in place.
    tf.create_idea(tf.create_user(), "50", title="ขุดลอกคลองใหม่")
    db.session.flush()
    opendata_build.build()
    third = publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    assert third.created == 0 and third.resources_created == 0 and third.resources_updated >= 2
    ideas = catalog.packages["ruamkhit-50-ideas"]
    csv_resource = next(r for r in ideas["resources"] if r["format"] == "CSV")
    assert "ขุดลอกคลองใหม่".encode() in catalog.uploads[csv_resource["id"]]
    assert len(ideas["resources"]) == 2


def _published() -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == "opendata.publish").order_by(AuditEntry.id)))


def test_each_run_is_in_the_audit_log_without_the_token(client, built, catalog):
    from tests.plans.factories import create_user, login
    from app.accounts.models import Role

    first = publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    entries = _published()
    assert len(entries) == 2 and entries[0].actor_id is None  # run from the command line
    assert entries[0].details == {"catalog": catalog.url, "organization": "chiangmai", "created": first.created,
                                  "updated": 0, "files_added": first.resources_created, "files_replaced": 0}
    assert entries[1].details["created"] == 0 and entries[1].details["updated"] == first.created
    assert TOKEN not in str([e.details for e in entries])
    # The administrators' log reads it as a Thai sentence.
    admin = create_user(role=Role.ADMIN)
    login(client, admin)
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "ในนามหน่วยงาน chiangmai" in page and ">opendata.publish" not in page


def test_a_run_stopped_midway_records_what_went_out(built, catalog, monkeypatch):
    from app.opendata import publish as module

    real, sent = module._publish_one, []

    def one_then_refused(ckan, item, *args):
        if sent:
            import ckanapi
            raise ckanapi.ValidationError({"title": ["refused"]})
        sent.append(item)
        real(ckan, item, *args)

    monkeypatch.setattr(module, "_publish_one", one_then_refused)
    with pytest.raises(PublishError, match="refused the metadata"):
        publish(catalog.url, "chiangmai", TOKEN, scopes=["50"])
    entry, = _published()
    assert entry.details["created"] == 1 and "refused the metadata" in entry.details["error"]


def test_missing_maintainer_email_stops_before_anything_is_sent(app, catalog):
    app.config.update(OPENDATA_MAINTAINER_EMAIL="", CONTROLLER_EMAIL="")
    tf.create_idea(tf.create_user(), "50")
    db.session.flush()
    opendata_build.build()
    with pytest.raises(PublishError, match="maintainer_email"):
        publish(catalog.url, "chiangmai", TOKEN)
    assert catalog.calls == [] and _published() == []


def test_wrong_token_and_unknown_organization_are_clear(built, catalog):
    with pytest.raises(PublishError, match="refused the API token"):
        publish(catalog.url, "chiangmai", "wrong")
    with pytest.raises(PublishError, match="no organization 'nowhere'"):
        publish(catalog.url, "nowhere", TOKEN)
    assert catalog.packages == {} and _published() == []


def test_unknown_scope_and_no_build(app, catalog, tmp_path):
    with pytest.raises(PublishError, match="No open-data build yet"):
        publish(catalog.url, "chiangmai", TOKEN)
    tf.create_idea(tf.create_user(), "50")
    db.session.flush()
    opendata_build.build()
    with pytest.raises(PublishError, match="No open data for: 99"):
        publish(catalog.url, "chiangmai", TOKEN, scopes=["99"])


def test_command_reads_the_token_from_the_environment(app, built, catalog):
    runner = app.test_cli_runner()
    missing = runner.invoke(args=["opendata", "publish", "--ckan", catalog.url, "--organization", "chiangmai"],
                            env={"CKAN_API_TOKEN": ""})
    assert missing.exit_code != 0 and "CKAN_API_TOKEN" in missing.output
    result = runner.invoke(args=["opendata", "publish", "--ckan", catalog.url, "--organization", "chiangmai",
                                 "--area", "50"], env={"CKAN_API_TOKEN": TOKEN})
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "ruamkhit-50-ideas" in catalog.packages
    bad = runner.invoke(args=["opendata", "publish", "--ckan", catalog.url, "--organization", "chiangmai"],
                        env={"CKAN_API_TOKEN": "nope"})
    assert bad.exit_code == 1 and "refused the API token" in bad.output
