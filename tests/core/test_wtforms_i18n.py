"""WTForms' built-in messages follow the reader's language (WTForms ships no Thai)."""
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length


class _Form(FlaskForm):
    class Meta:
        csrf = False

    choice = RadioField("Choice", choices=[SelectChoice("a", "A"), SelectChoice("b", "B")])
    count = IntegerField("Count", validators=[InputRequired()])
    name = StringField("Name", validators=[Length(max=5)])


def _errors(app, lang: str) -> dict:
    with app.test_request_context("/", method="POST", headers={"Accept-Language": lang},
                                  data={"choice": "tampered", "count": "-x", "name": "x" * 10000}):
        app.preprocess_request()
        form = _Form()
        form.validate()
        return form.errors


def test_builtin_messages_are_thai_on_thai_pages(app):
    errors = _errors(app, "th")
    assert errors["choice"] == ["กรุณาเลือกจากตัวเลือกที่มี"]
    assert errors["count"][0] == "กรุณากรอกจำนวนเต็ม"
    assert errors["name"] == ["กรอกได้ไม่เกิน 5 ตัวอักษร"]


def test_builtin_messages_stay_english_in_english(app):
    errors = _errors(app, "en")
    assert errors["choice"] == ["Not a valid choice."]
    assert errors["name"] == ["Field cannot be longer than 5 characters."]


def test_a_forged_multiple_choice_is_refused_in_thai(app):
    from wtforms import SelectMultipleField

    class Many(FlaskForm):
        class Meta:
            csrf = False

        codes = SelectMultipleField("Codes", choices=[SelectChoice("a", "A")])

    with app.test_request_context("/", method="POST", headers={"Accept-Language": "th"}, data={"codes": ["<b>"]}):
        app.preprocess_request()
        form = Many()
        assert not form.validate()
        assert form.errors["codes"] == ["<b> ไม่ใช่ตัวเลือกที่ใช้ได้สำหรับช่องนี้"]
