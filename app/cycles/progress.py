"""Implementation tracking: progress updates (status, percent, dated note, photos) on funded projects."""
from __future__ import annotations

from datetime import date
from typing import Any, Iterable

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.services import record
from app.cycles.errors import CycleError
from app.cycles.models import Cycle, CycleProject, ProgressPhoto, ProgressStatus, ProgressUpdate
from app.cycles.phases import bangkok_today
from app.extensions import db
from app.permissions import can_manage_cycles

STATUS_LABELS = {
    ProgressStatus.NOT_STARTED: _l("Not started"),
    ProgressStatus.IN_PROGRESS: _l("In progress"),
    ProgressStatus.DELAYED: _l("Delayed"),
    ProgressStatus.COMPLETED: _l("Completed"),
}
MAX_PHOTOS = 4


def add_progress_update(
    official: Any, project: CycleProject, status: ProgressStatus, percent: int, note: str,
    happened_on: date, photos: Iterable[Any] = (),
) -> ProgressUpdate:
    """Record progress on a selected project; photos are FileStorage objects saved by app.media."""
    cycle = db.session.get(Cycle, project.cycle_id)
    if not can_manage_cycles(official, cycle.area):
        raise CycleError(_l("Only officials of this area can report progress."))
    if not project.selected:
        raise CycleError(_l("Only projects selected by the vote have progress updates."))
    if not 0 <= percent <= 100:
        raise CycleError(_l("The percentage done must be between 0 and 100."))
    if status is ProgressStatus.COMPLETED and percent != 100:
        raise CycleError(_l("A completed project is 100 percent done."))
    if happened_on > bangkok_today():
        raise CycleError(_l("The date of an update cannot be in the future."))
    photos = [p for p in photos if p is not None and getattr(p, "filename", "")]
    if len(photos) > MAX_PHOTOS:
        raise CycleError(_l("Attach at most %(n)d photos to one update.", n=MAX_PHOTOS))
    from app.media.storage import ImageError, delete_image, save_image

    stored = []
    try:
        for photo in photos:
            stored.append(save_image(photo))
    except ImageError as error:
        for image in stored:
            delete_image(image.filename)
        raise CycleError(str(error)) from None
    update = ProgressUpdate(project=project, status=status, percent=percent, note=(note or "").strip(),
                            happened_on=happened_on, author_id=getattr(official, "id", None))
    update.photos = [ProgressPhoto(filename=i.filename, width=i.width, height=i.height) for i in stored]
    db.session.add(update)
    db.session.flush()
    record(official, "cycles.progress_update", update, area=cycle.area, details={
        "project_id": project.id, "status": status.value, "percent": percent, "photos": len(stored),
    })
    if project.proposal_id is not None:
        _move_proposal(official, project, status)
    return update


def _move_proposal(official: Any, project: CycleProject, status: ProgressStatus) -> None:
    """Keep the proposal's state in step: selected -> in progress -> completed."""
    from app.cycles.integration import transition_proposal
    from app.proposals.models import Proposal, ProposalState

    proposal = db.session.get(Proposal, project.proposal_id)
    if proposal is None:
        return
    if status in (ProgressStatus.IN_PROGRESS, ProgressStatus.DELAYED, ProgressStatus.COMPLETED) \
            and proposal.state is ProposalState.SELECTED:
        transition_proposal(official, proposal, ProposalState.IN_PROGRESS)
    if status is ProgressStatus.COMPLETED and proposal.state is ProposalState.IN_PROGRESS:
        transition_proposal(official, proposal, ProposalState.COMPLETED)


def funded_projects(cycle: Cycle) -> list[CycleProject]:
    return list(db.session.scalars(
        select(CycleProject).where(CycleProject.cycle_id == cycle.id, CycleProject.selected.is_(True))
        .order_by(CycleProject.budget_id, CycleProject.position, CycleProject.id)
    ))


def projects_of_proposal(proposal_id: int) -> list[CycleProject]:
    return list(db.session.scalars(
        select(CycleProject).where(CycleProject.proposal_id == proposal_id, CycleProject.selected.is_(True))
    ))
