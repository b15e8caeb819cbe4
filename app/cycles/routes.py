"""Pages of budgeting cycles: public pages, the ballot, receipts, results, progress, and officials' pages."""
from __future__ import annotations

import io

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice
from sqlalchemy.orm import joinedload, selectinload

from app.areas import services as area_services
from app.cycles import closing, fairness
from app.cycles import jobs as cycle_jobs
from app.cycles import progress as progress_services
from app.cycles import results as result_services
from app.cycles import services, voting
from app.cycles.ballot_details import ballot_details
from app.cycles.eligibility import accepted_methods, stored_methods, voter_problem
from app.cycles.errors import CycleError
from app.cycles.forms import (
    BALLOT_KIND_LABELS,
    PHASES,
    PROGRESS_STATUSES,
    RULE_LABELS,
    BudgetForm,
    CycleForm,
    ImportForm,
    PaperBatchForm,
    PaperVoterForm,
    PhaseForm,
    ProgressForm,
    ProjectForm,
    ReceiptForm,
)
from app.cycles.models import (
    BallotKind,
    Completion,
    Cycle,
    CycleBudget,
    CycleProject,
    PaperBatch,
    Phase,
    TallyRule,
)
from app.cycles.receipts import open_receipt, seal_receipt
from app.cycles.phases import PHASE_LABELS, bangkok_today, current_phase, timeline
from app.core import ratelimit
from app.core.observability import count_votes
from app.extensions import db, limiter
from app.permissions import can_manage_cycles, official_area_ids, require
from app.core.validators import as_id

bp = Blueprint("cycles", __name__, url_prefix="/cycles", template_folder="templates")

RECEIPT_SESSION_KEY = "cycles_receipt"


@bp.record_once
def _register_hooks(state) -> None:
    app = state.app
    app.extensions.setdefault("ruamkhit_area_sections", []).append(area_section)
    app.extensions.setdefault("ruamkhit_proposal_sections", []).append(proposal_section)
    app.extensions.setdefault("ruamkhit_nav", []).append((_l("Participatory budgets"), "cycles.list_cycles"))


@bp.app_context_processor
def cycle_labels():
    return {
        "phase_labels": PHASE_LABELS, "ballot_kind_labels": BALLOT_KIND_LABELS, "rule_labels": RULE_LABELS,
        "progress_labels": progress_services.STATUS_LABELS,
    }


# --- hooks ---------------------------------------------------------------------


def area_section(area):
    cycles = services.cycles_of(area)
    can_manage = can_manage_cycles(current_user, area)
    if not cycles and not can_manage:
        return None
    return "cycles/_area_section.html", {
        "area": area, "cycles": [(c, current_phase(c)) for c in cycles], "can_manage": can_manage,
    }


def proposal_section(proposal, user):
    projects = progress_services.projects_of_proposal(proposal.id)
    if not projects:
        return None
    return "cycles/_proposal_section.html", {"projects": projects, "cycles": {p.cycle_id: db.session.get(Cycle, p.cycle_id) for p in projects}}


# --- loading ---------------------------------------------------------------------


def _cycle_or_404(cycle_id: int) -> Cycle:
    cycle = db.session.scalar(
        select(Cycle).options(joinedload(Cycle.area), selectinload(Cycle.budgets)).where(Cycle.id == cycle_id)
    )
    if cycle is None:
        abort(404)
    return cycle


def _budget_or_404(cycle_id: int, budget_id: int) -> CycleBudget:
    # One query: the vote path reads the rest from voting.ballot_setup's cache.
    budget = db.session.scalar(
        select(CycleBudget)
        .options(joinedload(CycleBudget.cycle).joinedload(Cycle.area))
        .where(CycleBudget.id == budget_id, CycleBudget.cycle_id == cycle_id)
    )
    if budget is None:
        abort(404)
    return budget


def _managed_cycle(cycle_id: int) -> Cycle:
    cycle = _cycle_or_404(cycle_id)
    require(can_manage_cycles(current_user, cycle.area))
    return cycle


def _flash_error(error: CycleError) -> None:
    for message in error.messages:
        flash(str(message), "error")


# --- public pages ------------------------------------------------------------------------


@bp.get("/")
def list_cycles():
    cycles = services.all_cycles()
    return render_template("cycles/list.html", cycles=[(c, current_phase(c)) for c in cycles])


def _accepted_labels(cycle) -> list[str]:
    from app.accounts.labels import RESIDENCY_METHOD_LABELS

    return [str(RESIDENCY_METHOD_LABELS[m]) for m in accepted_methods(cycle)]


@bp.get("/<int:cycle_id>")
def show_cycle(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    phase = current_phase(cycle)
    is_open = voting.voting_open(cycle)
    budgets = []
    for budget in cycle.budgets:
        budgets.append({
            "budget": budget,
            "summary": services.budget_summary(budget) if phase in (Phase.RESULTS, Phase.IMPLEMENTATION) else None,
            "problem": voter_problem(current_user, budget, cycle.area) if is_open else None,
            "voted": voting.has_voted(current_user, budget) if is_open else False,
        })
    return render_template(
        "cycles/show.html", cycle=cycle, phase=phase, voting_is_open=is_open, timeline=timeline(cycle), budgets=budgets,
        can_manage=can_manage_cycles(current_user, cycle.area), accepted_labels=_accepted_labels(cycle),
    )


@bp.route("/<int:cycle_id>/budgets/<int:budget_id>/vote", methods=["GET", "POST"])
@login_required
def vote(cycle_id: int, budget_id: int):
    errors: list = []
    submitted = None
    if request.method == "POST":
        # The fast path: the budget as plain values (one query, no ORM objects); the ids
        # in the URL are the budget's, so nothing is read again after the commit.
        ballot_box = voting.voting_budget(cycle_id, budget_id)
        if ballot_box is None:
            abort(404)
        try:
            pairs = voting.parse_ballot_form(ballot_box.cycle.ballot_kind, request.form)
            submitted = dict(pairs)
            code = voting.cast_ballot(current_user, ballot_box, pairs)
            sealed = seal_receipt(code)  # never the code itself in the (readable) session cookie
        except CycleError as error:
            db.session.rollback()
            errors = [str(m) for m in error.messages]
        else:
            db.session.commit()
            count_votes("online")
            session[RECEIPT_SESSION_KEY] = {"sealed": sealed, "budget": budget_id}
            return redirect(url_for(".show_receipt", cycle_id=cycle_id, budget_id=budget_id))
    budget = _budget_or_404(cycle_id, budget_id)
    cycle = budget.cycle
    projects = budget.projects
    previous = voting.current_choices(current_user, budget)
    chosen = submitted if submitted is not None else previous
    return render_template(
        "cycles/vote.html", cycle=cycle, budget=budget, projects=projects, chosen=chosen, errors=errors,
        phase=current_phase(cycle), voting_is_open=voting.voting_open(cycle),
        problem=voter_problem(current_user, budget, cycle.area),
        voted=voting.has_voted(current_user, budget), shows_previous=submitted is None and bool(previous),
        voting_closed=closing.voting_closed(cycle), voting_ended=closing.closing_due(cycle), BallotKind=BallotKind,
        rank_choices=list(range(1, (cycle.rank_k or len(projects)) + 1)), details=ballot_details(projects),
    )


@bp.get("/<int:cycle_id>/budgets/<int:budget_id>/receipt")
@login_required
def show_receipt(cycle_id: int, budget_id: int):
    budget = _budget_or_404(cycle_id, budget_id)
    stored = session.pop(RECEIPT_SESSION_KEY, None)
    if not isinstance(stored, dict) or stored.get("budget") != budget.id:
        return redirect(url_for(".show_cycle", cycle_id=cycle_id))
    code = open_receipt(stored.get("sealed"))  # once: a copy of the cookie shows nothing again
    db.session.commit()
    if code is None:
        return redirect(url_for(".show_cycle", cycle_id=cycle_id))
    return render_template("cycles/receipt_shown.html", cycle=budget.cycle, budget=budget, code=code)


@bp.route("/receipt", methods=["GET", "POST"])
@limiter.limit(**ratelimit.rule("RECEIPT_CHECK", methods=["POST"]))
def check_receipt():
    form = ReceiptForm()
    status = None
    if form.validate_on_submit():
        status = voting.check_receipt(form.code.data)
    return render_template("cycles/receipt_check.html", form=form, status=status)


@bp.get("/<int:cycle_id>/results")
def show_results(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    can_manage = can_manage_cycles(current_user, cycle.area)
    views = []
    # Before publication the area's officials see the preview on the same page, marked as one.
    preview = cycle.results_published_at is None and can_manage
    if cycle.results_published_at is not None or preview:
        for budget in cycle.budgets:
            result = result_services.latest_preview(budget) if preview else services.published_result(budget)
            if result is not None:
                view = result_services.result_view(cycle, budget, result)
                view["recount"] = None if preview else result_services.latest_recount(budget)
                view["turnout"] = result_services.turnout_view(cycle, budget, result)
                view["fairness"] = fairness.fairness_view(cycle, budget, result)
                views.append(view)
    return render_template(
        "cycles/results.html", cycle=cycle, views=views, phase=current_phase(cycle), can_manage=can_manage,
        preview=preview and bool(views), state=result_services.results_state(cycle),
        can_compute=result_services.results_can_be_computed(cycle),
        export_allowed=result_services.export_allowed(cycle), pb_is_large=cycle_jobs.pb_is_large,
    )


def _pb_too_large(budget: CycleBudget):
    """A budget with many ballots: its .pb file is prepared by a job; back to the results, which offer it."""
    count = cycle_jobs.ballot_count(budget)
    if not cycle_jobs.pb_is_large(count):
        return None
    flash(_("This budget has %(num)s ballots: its .pb file is prepared in the background. Use the Prepare button below.",
            num=f"{count:,}"), "info")
    return redirect(url_for(".show_results", cycle_id=budget.cycle_id, _anchor=f"result-{budget.id}"), code=303)


@bp.get("/<int:cycle_id>/budgets/<int:budget_id>/ballots.pb")
def download_ballots(cycle_id: int, budget_id: int):
    budget = _budget_or_404(cycle_id, budget_id)
    if not result_services.export_allowed(budget.cycle):
        abort(404)
    if (queued := _pb_too_large(budget)) is not None:
        return queued
    return _pb_response(budget, result_services.export_pb(budget.cycle, budget), "")


@bp.post("/<int:cycle_id>/budgets/<int:budget_id>/<any(ballots, preview):which>.pb/prepare")
@login_required
@limiter.limit(**ratelimit.rule("EXPORT"))
def prepare_pb(cycle_id: int, budget_id: int, which: str):
    """Queue a large budget's .pb file (the preview's: the area's officials only) and follow it on its job page."""
    from app.admin.forms import ActionForm

    budget = _budget_or_404(cycle_id, budget_id)
    preview = which == "preview"
    if cycle_jobs.pb_refusal(current_user, budget, preview):
        abort(404)
    if not ActionForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for(".show_results", cycle_id=cycle_id))
    if not cycle_jobs.pb_is_large(cycle_jobs.ballot_count(budget)):
        endpoint = ".download_preview" if preview else ".download_ballots"
        return redirect(url_for(endpoint, cycle_id=cycle_id, budget_id=budget_id), code=303)
    job = cycle_jobs.request_pb_export(current_user._get_current_object(), budget, preview)
    db.session.commit()
    return redirect(url_for("jobs.progress", job_id=job.id), code=303)


@bp.get("/<int:cycle_id>/budgets/<int:budget_id>/preview.pb")
@login_required
def download_preview(cycle_id: int, budget_id: int):
    """The preview's .pb (its `selected` column is the preview's): the area's officials only."""
    cycle = _managed_cycle(cycle_id)
    budget = _budget_or_404(cycle_id, budget_id)
    if cycle.results_published_at is not None or result_services.latest_preview(budget) is None:
        abort(404)
    if (queued := _pb_too_large(budget)) is not None:
        return queued
    return _pb_response(budget, result_services.export_pb(cycle, budget, preview=True), "_preview")


@bp.get("/<int:cycle_id>/budgets/<int:budget_id>/payments.csv")
def download_payments(cycle_id: int, budget_id: int):
    """Equal shares' price system, voter by voter: public with the published result, the preview's for the area's officials."""
    budget = _budget_or_404(cycle_id, budget_id)
    cycle = budget.cycle
    if cycle.results_published_at is not None:
        result = services.published_result(budget)
    elif can_manage_cycles(current_user, cycle.area):
        result = result_services.latest_preview(budget)
    else:
        result = None
    text = fairness.price_system_csv(cycle, budget, result) if result is not None else None
    if text is None:
        abort(404)
    filename = f"ruamkhit_{cycle.area.code}_{cycle.fiscal_year}_cycle{cycle.id}_budget{budget.id}_payments.csv"
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })


def _pb_response(budget: CycleBudget, text: str, suffix: str) -> Response:
    filename = cycle_jobs.pb_filename(budget, preview=bool(suffix))
    return Response(text, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store",
    })


@bp.get("/<int:cycle_id>/progress")
def show_progress(cycle_id: int):
    cycle = _cycle_or_404(cycle_id)
    projects = progress_services.funded_projects(cycle)
    budgets = {b.id: b for b in cycle.budgets}
    return render_template(
        "cycles/progress.html", cycle=cycle, projects=projects, budgets=budgets,
        can_manage=can_manage_cycles(current_user, cycle.area),
    )


# --- officials: setting up ---------------------------------------------------------------------


def _settings_from(form: CycleForm) -> services.CycleSettings:
    return services.CycleSettings(
        fiscal_year=form.fiscal_year.data, title=form.title.data or "", description=form.description.data or "",
        total_budget=form.total_budget.data, ballot_kind=BallotKind(form.ballot_kind.data), rule=TallyRule(form.rule.data),
        completion=Completion(form.completion.data), ideas_from=form.ideas_from.data, supports_from=form.supports_from.data,
        review_from=form.review_from.data, voting_from=form.voting_from.data, results_from=form.results_from.data,
        implementation_from=form.implementation_from.data, min_projects=form.min_projects.data,
        max_projects=form.max_projects.data, min_share_percent=form.min_share_percent.data,
        points_total=form.points_total.data, points_max=form.points_max.data, rank_k=form.rank_k.data,
        threshold=form.threshold.data, accepted_methods=stored_methods(form.accepted_methods.data),
    )


def _area_from_args():
    code = request.values.get("area", "").strip()[:10]
    area = area_services.get_area_by_code(code) if code else None
    if area is None:
        abort(404)
    require(can_manage_cycles(current_user, area))
    return area


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new_cycle():
    area = _area_from_args()
    form = CycleForm()
    if request.method == "GET":
        from app.core.formatting import fiscal_year

        form.fiscal_year.data = fiscal_year(bangkok_today())
        form.accepted_methods.data = [m.value for m in accepted_methods(None)]  # every method by default
    if form.validate_on_submit():
        try:
            cycle = services.create_cycle(current_user, area, _settings_from(form))
        except CycleError as error:
            db.session.rollback()
            form.form_errors.extend(str(m) for m in error.messages)
        else:
            db.session.commit()
            flash(_("The budgeting cycle was created. Now add its budgets."), "success")
            return redirect(url_for(".manage_cycle", cycle_id=cycle.id))
    return render_template("cycles/cycle_form.html", form=form, area=area, cycle=None)


@bp.route("/<int:cycle_id>/edit", methods=["GET", "POST"])
@login_required
def edit_cycle(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    form = CycleForm(obj=cycle) if request.method == "GET" else CycleForm()
    if request.method == "GET":
        form.ballot_kind.data, form.rule.data, form.completion.data = cycle.ballot_kind.value, cycle.rule.value, cycle.completion.value
        form.accepted_methods.data = [m.value for m in accepted_methods(cycle)]
    if form.validate_on_submit():
        try:
            services.update_cycle(current_user, cycle, _settings_from(form))
        except CycleError as error:
            db.session.rollback()
            form.form_errors.extend(str(m) for m in error.messages)
        else:
            db.session.commit()
            flash(_("The cycle was saved."), "success")
            return redirect(url_for(".manage_cycle", cycle_id=cycle.id))
    return render_template("cycles/cycle_form.html", form=form, area=cycle.area, cycle=cycle)


@bp.get("/<int:cycle_id>/manage")
@login_required
def manage_cycle(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    phase_form = PhaseForm(phase=cycle.phase_override.value if cycle.phase_override else "")
    return render_template(
        "cycles/manage.html", cycle=cycle, phase=current_phase(cycle), phase_form=phase_form,
        summaries={b.id: services.budget_summary(b) for b in cycle.budgets},
        ballot_locked=services.ballot_locked(cycle), paper_open=voting.paper_entry_open(cycle),
        can_compute=result_services.results_can_be_computed(cycle), timeline=timeline(cycle),
        state=result_services.results_state(cycle),
        has_preview=cycle.results_published_at is None and any(result_services.latest_preview(b) for b in cycle.budgets),
        budget_left=cycle.total_budget - sum(b.amount for b in cycle.budgets),
        blockers=services.voting_blockers(cycle), voting_waits=services.voting_waits(cycle),
        over_budget=services.over_budget_lines(cycle),
        can_close=closing.can_close_by_hand(cycle), voting_is_open=voting.voting_open(cycle),
    )


@bp.post("/<int:cycle_id>/close-voting")
@login_required
def close_voting(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    try:
        report = closing.close_voting(cycle, current_user, how="by_hand")
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        flash(_("Voting is closed: %(n)s links between voters and their ballots were destroyed.", n=report.links_destroyed), "success")
    return redirect(url_for(".manage_cycle", cycle_id=cycle.id))


def _subdistrict_choices(area):
    from app.core.locale import current_locale

    locale = current_locale()
    return [SelectChoice(s.code, f"{s.name(locale)} ({s.district.name(locale)})") for s in area_services.subdistricts_of(area)]


@bp.route("/<int:cycle_id>/budgets/new", methods=["GET", "POST"])
@login_required
def new_budget(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    form = BudgetForm()
    form.subdistricts.choices = _subdistrict_choices(cycle.area)
    if form.validate_on_submit():
        try:
            services.add_budget(current_user, cycle, form.name.data, form.amount.data, form.subdistricts.data or [])
        except CycleError as error:
            db.session.rollback()
            form.form_errors.extend(str(m) for m in error.messages)
        else:
            db.session.commit()
            flash(_("The budget was added."), "success")
            return redirect(url_for(".manage_cycle", cycle_id=cycle.id))
    return render_template("cycles/budget_form.html", form=form, cycle=cycle, budget=None)


@bp.route("/<int:cycle_id>/budgets/<int:budget_id>/edit", methods=["GET", "POST"])
@login_required
def edit_budget(cycle_id: int, budget_id: int):
    cycle = _managed_cycle(cycle_id)
    budget = _budget_or_404(cycle_id, budget_id)
    form = BudgetForm(obj=budget) if request.method == "GET" else BudgetForm()
    form.subdistricts.choices = _subdistrict_choices(cycle.area)
    if request.method == "GET":
        form.subdistricts.data = [s.code for s in budget.subdistricts]
    if form.validate_on_submit():
        try:
            services.update_budget(current_user, budget, form.name.data, form.amount.data, form.subdistricts.data or [])
        except CycleError as error:
            db.session.rollback()
            form.form_errors.extend(str(m) for m in error.messages)
        else:
            db.session.commit()
            flash(_("The budget was saved."), "success")
            return redirect(url_for(".manage_cycle", cycle_id=cycle.id))
    return render_template("cycles/budget_form.html", form=form, cycle=cycle, budget=budget)


@bp.route("/<int:cycle_id>/ballot", methods=["GET", "POST"])
@login_required
def edit_ballot(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    proposals = services.shortlisted_proposals(cycle)
    lines = {p.proposal_id: p for b in cycle.budgets for p in b.projects if p.proposal_id is not None}
    form = ProjectForm(prefix="project")
    form.budget.choices = [SelectChoice(str(b.id), b.name) for b in cycle.budgets]
    errors: list[str] = []
    if request.method == "POST" and request.form.get("action") == "assign":
        assignment = {}
        for proposal in proposals:
            raw = request.form.get(f"budget-{proposal.id}", "")
            if raw == "":
                assignment[proposal.id] = None
            elif (budget_id := as_id(raw)) is not None:
                assignment[proposal.id] = budget_id
            else:
                errors.append(_("“%(value)s” is not a budget of this cycle.", value=raw[:40]))
        if not errors:
            try:
                services.assign_proposals(current_user, cycle, assignment)
            except CycleError as error:
                db.session.rollback()
                errors.extend(str(m) for m in error.messages)
            else:
                db.session.commit()
                flash(_("The ballot was saved."), "success")
                for warning in services.over_budget_lines(cycle):
                    flash(str(warning), "warning")
                return redirect(url_for(".edit_ballot", cycle_id=cycle.id))
    elif request.method == "POST" and request.form.get("action") == "add" and form.validate_on_submit():
        budget = next((b for b in cycle.budgets if b.id == form.budget.data), None)
        if budget is None:
            form.budget.errors.append(_("Choose one of this cycle's budgets."))
        else:
            try:
                services.add_project(current_user, budget, form.title.data, form.cost.data, form.description.data or "")
            except CycleError as error:
                db.session.rollback()
                form.form_errors.extend(str(m) for m in error.messages)
            else:
                db.session.commit()
                flash(_("The project was added to the ballot."), "success")
                for warning in services.over_budget_lines(cycle):
                    flash(str(warning), "warning")
                return redirect(url_for(".edit_ballot", cycle_id=cycle.id))
    suggestions = {p.id: (lines[p.id].budget_id if p.id in lines else getattr(services.suggest_budget(cycle, p), "id", None)) for p in proposals}
    return render_template(
        "cycles/ballot_edit.html", cycle=cycle, proposals=proposals, suggestions=suggestions, lines=lines, form=form,
        errors=errors, locked=services.ballot_locked(cycle),
    )


@bp.post("/<int:cycle_id>/projects/<int:project_id>/remove")
@login_required
def remove_project(cycle_id: int, project_id: int):
    cycle = _managed_cycle(cycle_id)
    project = db.session.get(CycleProject, project_id)
    if project is None or project.cycle_id != cycle.id:
        abort(404)
    try:
        services.remove_project(current_user, project)
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        flash(_("The project was removed from the ballot."), "success")
    return redirect(url_for(".edit_ballot", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/phase")
@login_required
def override_phase(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    form = PhaseForm()
    if form.validate_on_submit():
        try:
            services.override_phase(current_user, cycle, PHASES.get(form.phase.data), form.reason.data or "")
        except CycleError as error:
            db.session.rollback()
            _flash_error(error)
        else:
            db.session.commit()
            flash(_("The phase was set."), "success")
    else:
        flash(_("Choose a phase from the list."), "error")
    return redirect(url_for(".manage_cycle", cycle_id=cycle.id))


# --- officials: paper ballots, results, import, progress -----------------------------------------


@bp.route("/<int:cycle_id>/budgets/<int:budget_id>/paper", methods=["GET", "POST"])
@login_required
def enter_paper(cycle_id: int, budget_id: int):
    cycle = _managed_cycle(cycle_id)
    budget = _budget_or_404(cycle_id, budget_id)
    form = PaperBatchForm()
    errors: list[str] = []
    chosen: dict[int, int] = {}
    if request.method == "POST" and form.validate_on_submit():
        try:
            pairs = voting.parse_ballot_form(cycle.ballot_kind, request.form)
            chosen = dict(pairs)
            batch = voting.enter_paper_ballots(current_user, budget, form.forum_name.data, form.forum_date.data, pairs,
                                               form.count.data, ids_checked=bool(form.ids_checked.data))
        except CycleError as error:
            db.session.rollback()
            errors = [str(m) for m in error.messages]
        else:
            db.session.commit()
            count_votes("paper", batch.ballot_count)
            flash(ngettext_count(batch.ballot_count, batch.forum_name), "success")
            return redirect(url_for(".enter_paper", cycle_id=cycle.id, budget_id=budget.id))
    return _paper_page(cycle, budget, form, errors, chosen)


def _paper_page(cycle, budget, form, errors, chosen, voter_form=None, status=200):
    from app.cycles import paper_voters

    if voter_form is None:
        voter_form = PaperVoterForm(formdata=None)
        # The officer records one voter after another at the same forum: keep its name and date.
        voter_form.forum_name.data = (request.args.get("forum") or "")[:200]
        voter_form.forum_date.raw_data = [(request.args.get("day") or "")[:20]] if request.args.get("day") else None
    return render_template(
        "cycles/paper.html", cycle=cycle, budget=budget, form=form, errors=errors, chosen=chosen,
        projects=budget.projects, batches=voting.paper_batches(budget), open=voting.paper_entry_open(cycle),
        BallotKind=BallotKind, rank_choices=list(range(1, (cycle.rank_k or len(budget.projects)) + 1)),
        voter_form=voter_form, forums=paper_voters.recent_forums(budget),
    ), status


@bp.post("/<int:cycle_id>/budgets/<int:budget_id>/paper/voters")
@login_required
def record_paper_voter(cycle_id: int, budget_id: int):
    """An officer at a forum that checks ID cards records a voter, or is told they already voted."""
    from app.cycles import paper_voters

    cycle = _managed_cycle(cycle_id)
    budget = _budget_or_404(cycle_id, budget_id)
    voter_form = PaperVoterForm()
    if not voter_form.validate_on_submit():
        return _paper_page(cycle, budget, PaperBatchForm(formdata=None), [], {}, voter_form, 400)
    removing = request.form.get("action") == "remove"
    try:
        if removing:
            paper_voters.remove_paper_voter(current_user, budget, voter_form.national_id.data)
        else:
            paper_voters.record_paper_voter(current_user, budget, voter_form.forum_name.data, voter_form.forum_date.data,
                                            voter_form.national_id.data)
    except paper_voters.AlreadyVoted as error:
        db.session.rollback()
        flash(str(error), "error")
    except CycleError as error:
        db.session.rollback()
        voter_form.national_id.errors = [str(m) for m in error.messages]
        return _paper_page(cycle, budget, PaperBatchForm(formdata=None), [], {}, voter_form, 400)
    else:
        db.session.commit()
        flash(_("The record was removed: this person may vote again.") if removing
              else _("Recorded: give this person a paper ballot."), "success")
    day = request.form.get("pv-forum_date", "")[:20]
    return redirect(url_for(".enter_paper", cycle_id=cycle.id, budget_id=budget.id,
                            forum=voter_form.forum_name.data, day=day) + "#paper-voters")


def ngettext_count(count: int, forum: str) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d paper ballot from %(forum)s was entered.", "%(num)d paper ballots from %(forum)s were entered.",
                    count, forum=forum)


@bp.post("/<int:cycle_id>/paper/<int:batch_id>/delete")
@login_required
def delete_paper(cycle_id: int, batch_id: int):
    cycle = _managed_cycle(cycle_id)
    batch = db.session.get(PaperBatch, batch_id)
    budget = db.session.get(CycleBudget, batch.budget_id) if batch else None
    if batch is None or budget is None or budget.cycle_id != cycle.id:
        abort(404)
    try:
        voting.delete_paper_batch(current_user, batch)
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
    else:
        db.session.commit()
        flash(_("The paper ballots of that forum were removed."), "success")
    return redirect(url_for(".enter_paper", cycle_id=cycle.id, budget_id=budget.id))


@bp.post("/<int:cycle_id>/results/preview")
@login_required
def preview_results(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    try:
        previews = result_services.compute_preview(current_user, cycle)
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for(".show_results", cycle_id=cycle.id))
    db.session.commit()
    flash(_("A preview of the results was computed. Only officials of this area see it: check it, then publish it."), "success")
    return redirect(url_for(".show_results", cycle_id=cycle.id, _anchor=f"result-{previews[0].budget_id}" if previews else None))


@bp.post("/<int:cycle_id>/results/publish")
@login_required
def publish_results(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    try:
        result_services.publish_results(current_user, cycle)
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for(".show_results", cycle_id=cycle.id))
    db.session.commit()
    flash(_("The results were published. They are frozen and everyone can see them."), "success")
    return redirect(url_for(".show_results", cycle_id=cycle.id))


@bp.post("/<int:cycle_id>/results/recount")
@login_required
def recount_results(cycle_id: int):
    cycle = _managed_cycle(cycle_id)
    try:
        reports = result_services.recount_results(current_user, cycle)
    except CycleError as error:
        db.session.rollback()
        _flash_error(error)
        return redirect(url_for(".show_results", cycle_id=cycle.id))
    db.session.commit()
    if any(r.changed for r in reports):
        flash(_("Recount done: the recount DIFFERS from the published results (see below). The published results stay as they were."), "error")
    else:
        flash(_("Recount done: the same projects were selected as in the published results."), "success")
    return redirect(url_for(".show_results", cycle_id=cycle.id))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_cycle():
    area = _area_from_args()
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        data = upload.stream.read()
        if len(data) > cycle_jobs.INLINE_PB_BYTES:
            # A large file is read by a worker; the official watches its progress (tie up no web worker).
            job = cycle_jobs.enqueue_import(current_user, area, data, upload.filename or "upload.pb")
            db.session.commit()
            return redirect(url_for("jobs.progress", job_id=job.id))
        try:
            cycle = result_services.import_pb(current_user, area, io.BytesIO(data), upload.filename or "upload.pb")
        except CycleError as error:
            db.session.rollback()
            form.file.errors = list(form.file.errors) + [str(m) for m in error.messages]
        else:
            db.session.commit()
            flash(_("The file was imported as a new cycle. Compute its results from this page."), "success")
            return redirect(url_for(".manage_cycle", cycle_id=cycle.id))
    return render_template("cycles/import.html", form=form, area=area)


@bp.route("/<int:cycle_id>/projects/<int:project_id>/progress", methods=["GET", "POST"])
@login_required
def add_progress(cycle_id: int, project_id: int):
    cycle = _managed_cycle(cycle_id)
    project = db.session.get(CycleProject, project_id)
    if project is None or project.cycle_id != cycle.id:
        abort(404)
    form = ProgressForm()
    if request.method == "GET":
        latest = project.latest_update
        form.percent.data = latest.percent if latest else 0
        form.status.data = latest.status.value if latest else "in_progress"
        form.happened_on.data = bangkok_today()
    if form.validate_on_submit():
        try:
            progress_services.add_progress_update(
                current_user, project, PROGRESS_STATUSES[form.status.data], form.percent.data, form.note.data or "",
                form.happened_on.data, request.files.getlist(form.photos.name),
            )
        except CycleError as error:
            db.session.rollback()
            form.form_errors.extend(str(m) for m in error.messages)
        else:
            db.session.commit()
            flash(_("The progress update was published."), "success")
            return redirect(url_for(".show_progress", cycle_id=cycle.id))
    return render_template("cycles/progress_form.html", form=form, cycle=cycle, project=project)


@bp.get("/manage")
@login_required
def my_cycles():
    """The cycles an official can manage, and where they can start one."""
    require(current_user.is_official)
    ids = official_area_ids(current_user)
    stmt = select(Cycle).order_by(Cycle.created_at.desc())
    if ids is not None:
        stmt = stmt.where(Cycle.area_id.in_(ids or {-1}))
    cycles = list(db.session.scalars(stmt.limit(200)))
    areas = [r.area for r in current_user.roles if r.area is not None and can_manage_cycles(current_user, r.area)]
    return render_template("cycles/my_cycles.html", cycles=[(c, current_phase(c)) for c in cycles], areas=areas)
