"""The privacy notice, terms and contact pages, and the registry they are generated from."""
from sqlalchemy import inspect

from app.extensions import db
from app.privacy import registry
from tests.privacy.factories import create_user, sign_in


def test_notice_terms_and_contact_exist_and_are_linked_from_every_page(client):
    home = client.get("/").get_data(as_text=True)
    for path in ("/privacy", "/terms", "/contact"):
        assert f'href="{path}"' in home
        assert client.get(path).status_code == 200


def test_notice_names_controller_dpo_and_pdpc_from_settings(app, client):
    app.config.update(CONTROLLER_NAME="องค์การบริหารส่วนจังหวัดเชียงใหม่", CONTROLLER_ADDRESS="ถนนโชตนา เชียงใหม่ 50300",
                      CONTROLLER_EMAIL="saraban@example.go.th", DPO_NAME="นางสาวคุ้มครอง ข้อมูล", DPO_EMAIL="dpo@example.go.th")
    try:
        html = client.get("/privacy").get_data(as_text=True)
    finally:
        app.config.update(CONTROLLER_NAME="", CONTROLLER_ADDRESS="", CONTROLLER_EMAIL="", DPO_NAME="", DPO_EMAIL="")
    for text in ("องค์การบริหารส่วนจังหวัดเชียงใหม่", "ถนนโชตนา", "saraban@example.go.th", "นางสาวคุ้มครอง ข้อมูล",
                 "dpo@example.go.th", "สำนักงานคณะกรรมการคุ้มครองข้อมูลส่วนบุคคล", "2569-1"):
        assert text in html
    assert "ความยินยอม" in html and "การปฏิบัติตามกฎหมาย" in html and "ภารกิจเพื่อประโยชน์สาธารณะ" in html
    assert "90 วัน" in html and "30 วัน" in html  # retention quoted from the settings


def test_notice_in_english(client):
    client.set_cookie("lang", "en")
    html = client.get("/privacy").get_data(as_text=True)
    assert "Privacy notice" in html and "Legal obligation" in html


def test_every_category_of_the_registry_is_in_the_notice(client):
    html = client.get("/privacy").get_data(as_text=True)
    for category in registry.categories():
        assert f'id="purpose-{category.key}"' in html


def test_registration_links_to_the_notice(client):
    html = client.get("/register").get_data(as_text=True)
    assert 'href="/privacy"' in html


def test_every_column_pointing_at_a_person_is_declared_in_the_registry():
    declared = registry.declared_columns()
    inspector = inspect(db.engine)
    missing = []
    for table in inspector.get_table_names():
        if table == "users":
            continue
        for fk in inspector.get_foreign_keys(table):
            if fk["referred_table"] == "users":
                for column in fk["constrained_columns"]:
                    if f"{table}.{column}" not in declared:
                        missing.append(f"{table}.{column}")
    for column in inspector.get_columns("users"):
        if column["name"] not in ("id", "session_version") and f"users.{column['name']}" not in declared:
            missing.append(f"users.{column['name']}")
    assert missing == []


def test_declared_columns_exist():
    inspector = inspect(db.engine)
    for column in registry.declared_columns():
        table, name = column.split(".")
        assert name in {c["name"] for c in inspector.get_columns(table)}, column


def test_records_page_lists_every_category_and_rule_for_administrators_only(client):
    from tests.accounts.factories import create_admin

    resident = create_user()
    sign_in(client, resident)
    assert client.get("/admin/privacy/records").status_code == 403
    client.post("/logout")
    admin = create_admin()
    client.post("/login", data={"email": admin.email, "password": "correct horse battery"})
    html = client.get("/admin/privacy/records").get_data(as_text=True)
    for category in registry.categories():
        assert f'id="ropa-{category.key}"' in html
        for column in category.columns:
            assert column in html
    assert "privacy purge" in html
    assert "/admin/privacy/records" in client.get("/admin/").get_data(as_text=True)
