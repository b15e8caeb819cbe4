"""Administrators' view of background jobs (/admin/jobs) and the progress page of one's own job (/jobs/<id>)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.admin.forms import ActionForm
from app.extensions import db
from app.jobs import files, services
from app.jobs.models import Job, JobState
from app.permissions import can_manage_jobs, can_view_job, require

bp = Blueprint("jobs", __name__, template_folder="templates")

PER_PAGE = 50
STATE_LABELS = {
    JobState.QUEUED: _l("Queued"),
    JobState.RUNNING: _l("Running"),
    JobState.DONE: _l("Done"),
    JobState.FAILED: _l("Failed"),
}


@bp.record_once
def _setup(state) -> None:
    app = state.app
    app.extensions.setdefault("ruamkhit_dashboard_links", []).append(_dashboard_links)
    app.extensions.setdefault("ruamkhit_audit_labels", {})["job.retry"] = _l("Background job retried")
    app.extensions.setdefault("ruamkhit_audit_object_labels", {})["jobs"] = _l("Background job")


def _dashboard_links(user) -> list[tuple[str, str]]:
    if not can_manage_jobs(user):
        return []
    failed = services.state_counts()[JobState.FAILED]
    return [(_("Background jobs (%(num)d failed)", num=failed), url_for("jobs.admin_list", state="failed"))]


def _job_or_404(job_id: int) -> Job:
    job = db.session.get(Job, job_id)
    if job is None:
        abort(404)
    return job


@bp.get("/admin/jobs")
@login_required
def admin_list():
    require(can_manage_jobs(current_user))
    raw_state = request.args.get("state") or ""
    state = next((s for s in JobState if s.value == raw_state), None)
    page = request.args.get("page", 1, type=int)
    page = page if 1 <= page <= 100_000 else 1
    pagination = db.paginate(services.jobs_query(state), page=page, per_page=PER_PAGE, error_out=False, count=True)

    def page_url(number: int) -> str:
        return url_for("jobs.admin_list", state=state.value if state else None, page=number)

    return render_template(
        "jobs/admin_list.html",
        jobs=list(pagination.items), pagination=pagination, state=state, counts=services.state_counts(),
        state_labels=STATE_LABELS, kind_label=services.kind_label, form=ActionForm(),
        page_urls={"prev": page_url(pagination.prev_num) if pagination.has_prev else None,
                   "next": page_url(pagination.next_num) if pagination.has_next else None},
    )


@bp.get("/admin/jobs/<int:job_id>")
@login_required
def admin_show(job_id: int):
    job = _job_or_404(job_id)
    require(can_manage_jobs(current_user))
    return render_template("jobs/admin_show.html", job=job, state_labels=STATE_LABELS,
                           kind_label=services.kind_label, form=ActionForm())


@bp.post("/admin/jobs/<int:job_id>/retry")
@login_required
def admin_retry(job_id: int):
    job = _job_or_404(job_id)
    require(can_manage_jobs(current_user))
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.retry_job(job, current_user)
    except services.JobError:
        db.session.rollback()
        flash(_("Only a failed job can be retried."), "error")
        return redirect(url_for("jobs.admin_show", job_id=job_id))
    db.session.commit()
    flash(_("The job is queued again."), "success")
    return redirect(url_for("jobs.admin_show", job_id=job_id))


@bp.get("/jobs/<int:job_id>")
@login_required
def progress(job_id: int):
    """The page an official is sent to after starting a long job; it refreshes itself until the job ends."""
    job = _job_or_404(job_id)
    require(can_view_job(current_user, job))
    done_url = services.done_url(job) if job.state is JobState.DONE else None
    refresh = None if job.is_finished else int(current_app.config.get("JOBS_PROGRESS_REFRESH", 2))
    built = files.file_of(job) if job.state is JobState.DONE else None
    response = current_app.make_response(render_template(
        "jobs/progress.html", job=job, state_labels=STATE_LABELS, kind_label=services.kind_label,
        refresh=refresh, done_url=done_url, built=built, available=files.is_available(built),
        can_download=files.can_download(current_user, built),
    ))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/jobs/<int:job_id>/file")
@login_required
def download_file(job_id: int):
    """The file a job built, for the person it was built for; anyone else is told it does not exist."""
    job = _job_or_404(job_id)
    built = files.file_of(job)
    if not files.can_download(current_user, built) or not files.is_available(built):
        abort(404)
    response = send_file(files.file_path(built), mimetype=built.mimetype, as_attachment=True,
                         download_name=built.download_name, max_age=0, conditional=False, etag=False)
    response.headers["Cache-Control"] = "private, no-store"
    return response
