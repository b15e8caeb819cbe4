"""Idea pages: an area's list and Atom feed, the submit form with its preview,
the idea page, edit and withdraw, search, and the similar-ideas JSON."""
from __future__ import annotations

from xml.etree import ElementTree as ET

from functools import lru_cache

from flask import (
    Blueprint, Response, abort, current_app, flash, g, jsonify, redirect, render_template, request, url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import RequestEntityTooLarge, TooManyRequests

from app.areas import services as areas
from app.areas.models import Area
from app.core.locale import current_locale
from app.core.pagecache import cached_page, register_scopes
from app.core.submissions import clean_submission_token, new_submission_token
from app.core.urls import absolute_url
from app.core import ratelimit
from app.extensions import db, limiter
from app.ideas import search as idea_search
from app.ideas import services
from app.ideas.forms import ActionForm, IdeaForm
from app.ideas.models import CATEGORY_LABELS, STATUS_LABELS, Idea, IdeaCategory, IdeaStatus
from app.ideas.text import highlight, linkify, snippet
from app.media.storage import ImageError, StoredImage, delete_image, save_image
from app.permissions import can_edit_idea, can_moderate, can_post, can_see_idea
from app.core.numbers import int_arg, is_ascii_digits
from app.core.validators import as_id

bp = Blueprint("ideas", __name__, template_folder="templates")


def area_scope(code: str) -> str:
    """The page-cache scope of an area's idea list and feed."""
    return f"ideas:{code}"


def idea_scopes(idea: Idea) -> list[str]:
    """The lists an added, changed or deleted idea appears in: its area's, and the one it left if it moved."""
    area_ids = {idea.area_id, *sa_inspect(idea).attrs.area_id.history.deleted}
    areas_ = [db.session.get(Area, area_id) for area_id in area_ids if area_id is not None]
    return [area_scope(area.code) for area in areas_ if area is not None]

SCOPE = "<any(p, lg):scope>/<code>"
PHOTO_TOKEN_MAX_AGE = 24 * 3600
TOO_LARGE_MESSAGE = _l(
    "The photos you sent are too large together. Each photo must be 5 MB or smaller "
    "and all of them together under 25 MB. Please choose smaller photos and fill in the form again."
)


@bp.record_once
def _register(state) -> None:
    app = state.app
    app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)
    app.jinja_env.filters["linkify"] = linkify
    register_scopes(app, Idea, idea_scopes)
    app.jinja_env.filters["highlight"] = highlight
    app.jinja_env.globals["area_scope"] = services.area_scope
    app.jinja_env.globals["idea_texts"] = idea_texts
    app.jinja_env.globals["idea_count_text"] = count_text
    app.jinja_env.globals["idea_submit_refusal"] = services.submit_refusal
    app.jinja_env.globals["idea_title"] = idea_title


@bp.app_context_processor
def idea_labels():
    return {"idea_category_labels": CATEGORY_LABELS, "idea_status_labels": STATUS_LABELS}


def idea_title(idea: Idea | None) -> str:
    """The idea's title for the current reader, or "Hidden idea" where they may not see it."""
    if idea is not None and can_see_idea(current_user, idea):
        return idea.title
    return _("Hidden idea")


def idea_texts() -> dict:
    """Labels the idea lists repeat on every row, translated once per request (lists render fast)."""
    texts = g.get("_idea_texts")
    if texts is None:
        texts = g._idea_texts = {
            "locale": current_locale(),
            "status": {status: str(label) for status, label in STATUS_LABELS.items()},
            "category": {category: str(label) for category, label in CATEGORY_LABELS.items()},
            "subdistrict": _("Subdistrict"),
        }
    return texts


def count_text(kind: str, n: int) -> str:
    """ "3 supports" / "1 comment" in the current language, cached per request by number."""
    cache = g.setdefault("_idea_count_texts", {})
    key = (kind, n)
    if key not in cache:
        if kind == "supports":
            cache[key] = ngettext("%(num)d support", "%(num)d supports", n)
        else:
            cache[key] = ngettext("%(num)d comment", "%(num)d comments", n)
    return cache[key]


@lru_cache(maxsize=4096)
def _subdistrict_choices(area_id: int, locale: str) -> tuple[tuple[str, str], ...]:
    """(code, name) of an area's subdistricts: reference data, read once per worker."""
    area = db.session.get(Area, area_id)
    return tuple((s.code, s.name(locale)) for s in areas.subdistricts_of(area))


def area_section(area: Area):
    """The ideas box on a province or local government page: counts by status and links."""
    counts = services.status_counts(area)
    return "ideas/_area_section.html", {
        "area": area, "counts": counts, "total": sum(counts.values()),
        "latest": services.latest_ideas(area, limit=3),
    }


def idea_sections(idea: Idea) -> list[tuple[str, dict]]:
    """Sections other domains add to the idea page (support, comments, follow, report, timeline)."""
    sections = []
    for provider in current_app.extensions.get("ruamkhit_idea_sections", []):
        section = provider(idea, current_user)
        if section is not None:
            sections.append(section)
    return sections


def _load_area(scope: str, code: str) -> Area:
    if not (is_ascii_digits(code) and len(code) <= 10):  # e.g. a NUL byte PostgreSQL refuses
        abort(404)
    area = areas.get_province(code) if scope == "p" else areas.get_local_government(code)
    if area is None:
        abort(404)
    return area


# --- photos carried from the form to the preview and back --------------------

def _photo_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="ideas.photos")


def dump_photos(photos: list[StoredImage]) -> str:
    if not photos:
        return ""
    return _photo_serializer().dumps({"u": current_user.id, "p": [p.to_dict() for p in photos]})


def load_photos(token: str | None) -> list[StoredImage]:
    """Photos stored at an earlier step of this user's form; a forged or stale token gives none."""
    if not token:
        return []
    try:
        data = _photo_serializer().loads(token, max_age=PHOTO_TOKEN_MAX_AGE)
        if data.get("u") != current_user.id:
            return []
        return [StoredImage.from_dict(p) for p in data.get("p", [])][: services.MAX_PHOTOS]
    except (BadSignature, AttributeError, KeyError, TypeError, ValueError):
        return []


def _uploaded_files(form: IdeaForm):
    return [f for f in (form.photos.data or []) if getattr(f, "filename", None)]


def _store_uploads(form: IdeaForm, already: int) -> list[StoredImage] | None:
    """Store the photos of this request; None (with the field's error set) if one is refused."""
    files = _uploaded_files(form)
    if already + len(files) > services.MAX_PHOTOS:
        form.photos.errors = list(form.photos.errors) + [_("You can add up to %(n)d photos.", n=services.MAX_PHOTOS)]
        return None
    stored: list[StoredImage] = []
    for upload in files:
        try:
            stored.append(save_image(upload))
        except ImageError as error:
            services.discard_photos(stored)
            name = upload.filename[:80]
            form.photos.errors = list(form.photos.errors) + [_("%(name)s: %(reason)s", name=name, reason=str(error))]
            return None
    return stored


def _form(area: Area, **kwargs) -> IdeaForm:
    return IdeaForm(areas.subdistricts_of(area), current_locale(), **kwargs)


def _apply_error(form: IdeaForm, error: services.IdeaError) -> bool:
    """Show a service error on its field; False if it concerns no field."""
    if error.field and error.field in form:
        form[error.field].errors = list(form[error.field].errors) + [str(error)]
        return True
    return False


# --- error pages of the idea forms ------------------------------------------

@bp.errorhandler(RequestEntityTooLarge)
def too_large(error):
    """A 50 MB upload: the form again, with a message saying what to do."""
    scope, code = (request.view_args or {}).get("scope"), (request.view_args or {}).get("code")
    if request.endpoint in ("ideas.new_idea", "ideas.create_idea") and scope and code:
        area = _load_area(scope, code)
        form = _form(area, formdata=None)
        form.photos.errors = [str(TOO_LARGE_MESSAGE)]
        return render_template("ideas/form.html", form=form, area=area, kept_photos=[], mode="new"), 413
    idea = db.session.get(Idea, request.view_args["idea_id"]) if request.endpoint == "ideas.edit_idea" else None
    # The body is read (CSRF check) before the view's own checks: show the form to its author only.
    if idea is not None and idea.can_be_edited_by(current_user) and idea.is_publicly_visible:
        form = _form(idea.area, formdata=None, obj=idea)
        form.category.data = idea.category.value
        form.photos.errors = [str(TOO_LARGE_MESSAGE)]
        return render_template("ideas/form.html", form=form, area=idea.area, idea=idea, kept_photos=[], mode="edit"), 413
    return render_template("errors/error.html", code=413, title=_("File too large"), message=TOO_LARGE_MESSAGE), 413


@bp.errorhandler(TooManyRequests)
def too_many(error):
    if request.endpoint == "ideas.similar":
        return jsonify({"error": "rate_limited", "ideas": []}), 429
    if request.endpoint == "ideas.create_idea":
        message = _("You have submitted several ideas in a short time. Please wait an hour before submitting another one.")
    else:
        message = _("You have tried too many times. Please wait a moment and try again.")
    return render_template("errors/error.html", code=429, title=_("Too many attempts"), message=message), 429


# --- browsing -----------------------------------------------------------------

@bp.get(f"/{SCOPE}/ideas")
@cached_page(lambda scope, code: [area_scope(code)])
def list_ideas(scope: str, code: str):
    area = _load_area(scope, code)
    filters = services.IdeaFilters.from_args(request.args, area)
    page = services.list_ideas(
        area, filters, current_user, after=request.args.get("after"), before=request.args.get("before")
    )
    args = filters.as_args()
    page_urls = {
        "prev": url_for(".list_ideas", scope=scope, code=code, before=page.prev_cursor, **args) if page.prev_cursor else None,
        "next": url_for(".list_ideas", scope=scope, code=code, after=page.next_cursor, **args) if page.next_cursor else None,
    }
    counts = services.status_counts(area, current_user)
    return render_template(
        "ideas/list.html", area=area, page=page, filters=filters, page_urls=page_urls, counts=counts,
        total=sum(counts.values()), subdistricts=_subdistrict_choices(area.id, current_locale()), sorts=services.SORT_LABELS,
        categories=list(IdeaCategory), statuses=list(IdeaStatus), is_moderator=can_moderate(current_user, area),
        first_page=bool(request.args.get("after") or request.args.get("before")),
    )


@bp.get(f"/{SCOPE}/ideas.atom")
@cached_page(lambda scope, code: [area_scope(code)])
def feed(scope: str, code: str):
    area = _load_area(scope, code)
    ideas = services.latest_ideas(area, limit=50)
    locale = current_locale()
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", {k: str(v) for k, v in attrs.items()})
        if text is not None:
            element.text = text
        return element

    self_url = absolute_url(".feed", scope=scope, code=code)
    root = ET.Element(f"{{{ns}}}feed", {"xml:lang": locale})
    sub(root, "id", self_url)
    sub(root, "title", _("Ideas for %(area)s", area=area.title(locale)))
    sub(root, "link", rel="self", type="application/atom+xml", href=self_url)
    sub(root, "link", rel="alternate", type="text/html", href=absolute_url(".list_ideas", scope=scope, code=code))
    updated = max((i.updated_at for i in ideas), default=None)
    sub(root, "updated", (updated.isoformat() if updated else "2026-01-01T00:00:00+00:00"))
    sub(root, "generator", _("Ruamkhit"))
    for idea in ideas:
        entry = sub(root, "entry")
        url = absolute_url(".show_idea", idea_id=idea.id)
        sub(entry, "id", url)
        sub(entry, "title", idea.title)
        sub(entry, "link", rel="alternate", type="text/html", href=url)
        sub(entry, "published", idea.created_at.isoformat())
        sub(entry, "updated", idea.updated_at.isoformat())
        author = sub(entry, "author")
        sub(author, "name", idea.author.display_name)
        sub(entry, "category", term=idea.category.value, label=idea.category.label)
        summary = idea.description if not idea.is_withdrawn else _("(Withdrawn by the author) %(text)s", text=idea.description)
        sub(entry, "summary", summary, type="text")
    body = ET.tostring(root, encoding="unicode", xml_declaration=False)
    return Response('<?xml version="1.0" encoding="utf-8"?>\n' + body, mimetype="application/atom+xml")


@bp.get(f"/{SCOPE}/ideas/similar")
@limiter.limit(**ratelimit.rule("SIMILAR"))
def similar(scope: str, code: str):
    """JSON for the form's "similar ideas" box, as the title is typed."""
    area = _load_area(scope, code)
    text = (request.args.get("q") or "")[:services.TITLE_MAX + 50]
    ideas = idea_search.find_similar(area, text, limit=5)
    return jsonify({
        "ideas": [
            {
                "id": i.id, "title": i.title, "url": url_for(".show_idea", idea_id=i.id),
                "status": i.status.label, "supports": i.support_count, "withdrawn": i.is_withdrawn,
                # One translated phrase, so that the number and its counting word stay in Thai order.
                "meta": _similar_meta(i),
            }
            for i in ideas
        ],
        "heading": _("Similar ideas already submitted here: you can support one of them instead."),
    })


def _similar_meta(idea) -> str:
    if idea.is_withdrawn:
        return ngettext("%(status)s, %(num)d supporter, withdrawn", "%(status)s, %(num)d supporters, withdrawn",
                        idea.support_count, status=idea.status.label)
    return ngettext("%(status)s, %(num)d supporter", "%(status)s, %(num)d supporters", idea.support_count,
                    status=idea.status.label)


# --- submitting -----------------------------------------------------------------

def _cannot_post(area: Area | None, error: services.IdeaError):
    return render_template("ideas/cannot_post.html", area=area, message=str(error)), 403


@bp.route(f"/{SCOPE}/ideas/new", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("IDEA_PREVIEW", methods=["POST"]))
def new_idea(scope: str, code: str):
    """The form; POST shows the preview with similar ideas (or the form again to change it)."""
    area = _load_area(scope, code)
    try:
        services.check_can_submit(current_user, area)
    except services.IdeaError as error:
        return _cannot_post(area, error)
    form = _form(area)
    if request.method == "GET" or not clean_submission_token(form.submission_token.data):
        form.submission_token.data = new_submission_token()
    if request.method == "GET":
        return render_template("ideas/form.html", form=form, area=area, kept_photos=[], mode="new")

    kept = load_photos(form.photo_token.data)
    removed = set(request.form.getlist("remove_photo"))
    if removed:
        services.discard_photos([p for p in kept if p.filename in removed])
        kept = [p for p in kept if p.filename not in removed]
    if request.form.get("action") == "change":
        form.photo_token.data = dump_photos(kept)
        return render_template("ideas/form.html", form=form, area=area, kept_photos=kept, mode="new")
    valid = form.validate()
    new_photos = _store_uploads(form, len(kept)) if not form.photos.errors else None
    if new_photos is not None:
        kept = kept + new_photos
    form.photo_token.data = dump_photos(kept)
    if not valid or new_photos is None:
        return render_template("ideas/form.html", form=form, area=area, kept_photos=kept, mode="new")
    data = form.to_input()
    try:
        services.check_can_submit(current_user, area)
        services.clean_input(data, area)
    except services.IdeaError as error:
        _apply_error(form, error) or flash(str(error), "error")
        return render_template("ideas/form.html", form=form, area=area, kept_photos=kept, mode="new")
    similar_ideas = idea_search.find_similar(area, f"{data.title} {data.title} {data.description[:300]}", limit=5)
    return render_template(
        "ideas/preview.html", form=form, area=area, data=data, photos=kept, similar=similar_ideas,
        subdistrict=_subdistrict(area, data.subdistrict_code),
    )


def _subdistrict(area: Area, code: str | None):
    if not code:
        return None
    return next((s for s in areas.subdistricts_of(area) if s.code == code), None)


@bp.post(f"/{SCOPE}/ideas/create")
@login_required
@limiter.limit(**ratelimit.rule("IDEA_SUBMIT", deduct_when=lambda response: response.status_code == 302))
def create_idea(scope: str, code: str):
    area = _load_area(scope, code)
    form = _form(area)
    token = clean_submission_token(form.submission_token.data)
    already = services.idea_of_submission(current_user, token)
    if already is not None:  # the same form again (a retry, a double click): the idea it made
        return _already_submitted(already)
    if token is None:
        form.submission_token.data = new_submission_token()
    photos = load_photos(form.photo_token.data)
    if not form.validate():
        form.photo_token.data = dump_photos(photos)
        return render_template("ideas/form.html", form=form, area=area, kept_photos=photos, mode="new")
    try:
        idea = services.submit_idea(current_user, area, form.to_input(), photos, submission_token=token)
    except IntegrityError:
        # Another request with the same form won the race: show its idea.
        db.session.rollback()
        already = services.idea_of_submission(current_user, token)
        if already is None:
            raise
        return _already_submitted(already)
    except services.IdeaError as error:
        db.session.rollback()
        if error.field is None and not can_post(current_user):
            return _cannot_post(area, error)
        _apply_error(form, error) or flash(str(error), "error")
        form.photo_token.data = dump_photos(photos)
        return render_template("ideas/form.html", form=form, area=area, kept_photos=photos, mode="new")
    db.session.commit()
    flash(_("Thank you: your idea has been submitted. Officials of %(area)s will answer it here.",
            area=area.title(current_locale())), "success")
    return redirect(url_for(".show_idea", idea_id=idea.id))


def _already_submitted(idea: Idea):
    flash(_("This idea was already submitted: here it is."), "info")
    # 303, not 302: the create limit counts only ideas made (deduct_when above).
    return redirect(url_for(".show_idea", idea_id=idea.id), code=303)


# --- one idea -----------------------------------------------------------------

@bp.get("/ideas/<int:idea_id>")
def show_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    moderator = can_moderate(current_user, idea.area)
    return render_template(
        "ideas/show.html", idea=idea, show_content=can_see_idea(current_user, idea), is_moderator=moderator,
        can_edit=can_edit_idea(current_user, idea),
        is_author=current_user.is_authenticated and current_user.id == idea.author_id,
        idea_sections=idea_sections(idea), form=ActionForm(),
    )


@bp.route("/ideas/<int:idea_id>/edit", methods=["GET", "POST"])
@login_required
@limiter.limit(**ratelimit.rule("IDEA_EDIT", methods=["POST"]))
def edit_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    if current_user.id != idea.author_id:
        abort(403)
    try:
        services.check_can_edit(current_user, idea)
    except services.IdeaError as error:
        flash(str(error), "error")
        return redirect(url_for(".show_idea", idea_id=idea.id))
    form = _form(idea.area, obj=idea if request.method == "GET" else None)
    if request.method == "GET":
        form.category.data = idea.category.value
        form.subdistrict_code.data = idea.subdistrict_code or ""
        form.lat.data = "" if idea.lat is None else str(idea.lat)
        form.lon.data = "" if idea.lon is None else str(idea.lon)
    if request.method == "POST" and form.validate():
        remove_ids = {i for i in map(as_id, request.form.getlist("remove_photo")) if i is not None}
        remaining = len([p for p in idea.photos if p.id not in remove_ids])
        new_photos = _store_uploads(form, remaining)
        if new_photos is not None:
            try:
                removed = services.edit_idea(
                    current_user, idea, form.to_input(), add_photos=new_photos, remove_photo_ids=sorted(remove_ids)
                )
            except services.IdeaError as error:
                db.session.rollback()
                services.discard_photos(new_photos)
                _apply_error(form, error) or flash(str(error), "error")
            else:
                db.session.commit()
                for name in removed:
                    delete_image(name)
                flash(_("Your changes have been saved."), "success")
                return redirect(url_for(".show_idea", idea_id=idea.id))
    return render_template("ideas/form.html", form=form, area=idea.area, idea=idea, kept_photos=[], mode="edit")


@bp.route("/ideas/<int:idea_id>/withdraw", methods=["GET", "POST"])
@login_required
def withdraw_idea(idea_id: int):
    idea = db.get_or_404(Idea, idea_id)
    if current_user.id != idea.author_id:
        abort(403)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        try:
            services.withdraw_idea(current_user, idea)
        except services.IdeaError as error:
            db.session.rollback()
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(_("Your idea has been withdrawn. It stays visible, marked as withdrawn."), "success")
        return redirect(url_for(".show_idea", idea_id=idea.id))
    if idea.is_withdrawn:
        flash(_("This idea has already been withdrawn."), "info")
        return redirect(url_for(".show_idea", idea_id=idea.id))
    return render_template("ideas/withdraw.html", idea=idea, form=form)


# --- search -----------------------------------------------------------------------

SEARCH_PER_PAGE = 20


@bp.get("/ideas/search")
@limiter.limit(**ratelimit.rule("SEARCH"))
def search():
    q = " ".join((request.args.get("q") or "").split())[:200]
    area_code = (request.args.get("area") or "").strip()[:10]
    area = areas.get_area_by_code(area_code) if is_ascii_digits(area_code) else None
    page = int_arg("page", 1, maximum=idea_search.MAX_RESULTS // SEARCH_PER_PAGE)
    result = None
    if q:
        result = idea_search.search_ideas(
            q, area=area, limit=SEARCH_PER_PAGE, offset=(page - 1) * SEARCH_PER_PAGE
        )
    page_urls = {"prev": None, "next": None}
    if result is not None:
        args = {"q": q, **({"area": area.code} if area else {})}
        if page > 1:
            page_urls["prev"] = url_for(".search", page=page - 1, **args)
        if page * SEARCH_PER_PAGE < result.total:
            page_urls["next"] = url_for(".search", page=page + 1, **args)
    return render_template(
        "ideas/search.html", q=q, area=area, result=result, page_urls=page_urls, snippet=snippet,
    )
