"""Where cycles meet proposals: moving a proposal's state when it wins or is being built.

The move goes through the proposals service (`app.proposals.services.transition`),
which checks the official's permission and the allowed transitions, records
the transition with its public reason, audits it and notifies the authors
and followers of the proposal's ideas.
"""
from __future__ import annotations

from typing import Any

from app.cycles.errors import CycleError

# Reasons are published with the proposal's history as written (stored data, not interface text).
REASONS = {
    "selected": "ได้รับเลือกจากการลงคะแนนของประชาชนในงบประมาณแบบมีส่วนร่วม",
    "in_progress": "เริ่มดำเนินโครงการแล้ว (รายงานความคืบหน้าในหน้างบประมาณแบบมีส่วนร่วม)",
    "completed": "ดำเนินโครงการแล้วเสร็จ (รายงานความคืบหน้าในหน้างบประมาณแบบมีส่วนร่วม)",
}


def transition_proposal(actor: Any, proposal: Any, to_state: Any, reason: str = "") -> None:
    from app.proposals.services import ProposalError, transition

    try:
        transition(actor, proposal, to_state, reason or REASONS.get(to_state.value, to_state.value))
    except ProposalError as error:
        raise CycleError(error.args[0] if error.args else str(error)) from None
