"""An official previews a count, checks it on a phone and a desktop in Thai and English, and publishes it;
residents see nothing before publication and then the results with their turnout (#13.2, #13.3)."""
from __future__ import annotations

import os
import re
from pathlib import Path

from tests.browser.conftest import sign_in

FINISHED_TITLE = "งบประมาณแบบมีส่วนร่วม เทศบาลนครเชียงใหม่ ปีงบประมาณ 2569"
PB = (
    "META\nkey;value\ndescription;Preview check\nnum_projects;3\nnum_votes;5\nbudget;1000\nvote_type;approval\nrule;greedy\n"
    "PROJECTS\nproject_id;cost;name\nA;600;Community park by the river\nB;500;Library\nC;300;Bike lane\n"
    "VOTES\nvoter_id;vote\n1;A,C\n2;A\n3;B\n4;A,B\n5;C\n"
)
SIZES = ((360, 740), (1280, 900))
SHOTS = os.environ.get("RESULTS_SHOTS")  # a folder: save a screenshot of each page checked


def _fits(page) -> None:
    width = page.evaluate("document.documentElement.clientWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"


def _shot(page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _context(browser, lang: str, size):
    context = browser.new_context(locale="th-TH" if lang == "th" else "en-GB", viewport={"width": size[0], "height": size[1]})
    return context


def _set_lang(context, base: str, lang: str) -> None:
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])


def test_preview_is_for_officials_until_published(browser, live_server, tmp_path):
    base = live_server["url"]
    official = _context(browser, "en", SIZES[1])
    page = official.new_page()
    page.set_default_timeout(20000)
    sign_in(page, base, "official@demo.ruamkhit.th")
    _set_lang(official, base, "en")
    upload = tmp_path / "preview-check.pb"
    upload.write_text(PB, encoding="utf-8")
    page.goto(base + "/cycles/import?area=50")
    page.set_input_files("input[type=file]", str(upload))
    page.click("main form button[type=submit]")
    page.wait_for_url(re.compile(r".*/cycles/\d+/manage$"))
    cycle_url = page.url.rsplit("/manage", 1)[0]
    page.click("form[action$='/results/preview'] button[type=submit]")
    page.wait_for_url(re.compile(r".*/results(#.*)?$"))
    results_url = cycle_url + "/results"
    for lang, words in (("en", ("Preview, not published.", "Turnout", "Publish these results")),
                        ("th", ("ผลเบื้องต้น ยังไม่ได้ประกาศ", "ผู้มาใช้สิทธิ", "ประกาศผลนี้"))):
        _set_lang(official, base, lang)
        for size in SIZES:
            page.set_viewport_size({"width": size[0], "height": size[1]})
            page.goto(results_url)
            text = page.locator("main").inner_text()
            for word in words:
                assert word in text, (lang, size, word)
            assert page.locator(".preview-banner").is_visible()
            assert page.locator("a[href$='/preview.pb']").count() == 1
            _fits(page)
            _shot(page, f"preview-{lang}-{size[0]}")
    # A resident (here: nobody signed in) sees no preview and no .pb of it.
    public = _context(browser, "th", SIZES[0])
    visitor = public.new_page()
    visitor.goto(results_url)
    assert visitor.locator(".preview-banner").count() == 0 and visitor.locator(".result-list").count() == 0
    assert "ยังไม่ได้ประกาศผล" in visitor.locator("main").inner_text()
    # Publishing is its own step; then everyone sees the frozen results and their turnout.
    _set_lang(official, base, "en")
    page.goto(results_url)
    page.click("form[action$='/results/publish'] button[type=submit]")
    page.wait_for_load_state()
    assert "The results were published." in page.locator("body").inner_text()
    visitor.goto(results_url)
    assert visitor.locator(".result-list li").count() == 3 and visitor.locator(".preview-banner").count() == 0
    assert "ผู้มาใช้สิทธิ" in visitor.locator("main").inner_text()
    public.close()
    official.close()


def test_published_turnout_reads_on_a_phone_and_a_desktop(browser, live_server):
    base = live_server["url"]
    for lang, words in (("th", ("ผู้มาใช้สิทธิ", "บัตรกระดาษ (ประชาคมหมู่บ้าน)", "ผู้มีสิทธิลงคะแนน")),
                        ("en", ("Turnout", "Paper ballots (village forums)", "Eligible voters"))):
        for size in SIZES:
            context = _context(browser, lang, size)
            _set_lang(context, base, lang)
            page = context.new_page()
            page.goto(base + "/cycles/")
            page.get_by_role("link", name=FINISHED_TITLE).first.click()
            page.goto(page.url.rstrip("/") + "/results")
            text = page.locator("main").inner_text()
            for word in words:
                assert word in text, (lang, size, word)
            assert page.locator(".turnout-table tbody tr").count() >= 2  # the municipality's subdistricts
            _fits(page)
            _shot(page, f"finished-{lang}-{size[0]}")
            pb = page.request.get(base + page.locator("a[href$='/ballots.pb']").first.get_attribute("href")).text()
            context.close()
    # The published file says when voting ran (the demo's dates: May 2026) and marks its paper ballots.
    meta = dict(line.split(";", 1) for line in pb.split("PROJECTS", 1)[0].splitlines()[2:])
    assert (meta["date_begin"], meta["date_end"]) == ("01.05.2026", "31.05.2026")
    assert meta["rule"] == "equalshares/add1"
    votes = pb.split("VOTES\n", 1)[1].splitlines()
    assert votes[0] == "voter_id;vote;voting_method" and all(v.endswith(";paper") for v in votes[1:])
