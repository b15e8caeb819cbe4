"""proposals, triage and assessment: idea status history, proposals with their
ideas, subdistricts, budget years, transitions and evaluators' assessments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 22:50:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('proposals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('objective', sa.Text(), nullable=False),
    sa.Column('target_output', sa.Text(), nullable=False),
    sa.Column('location_text', sa.String(length=300), nullable=True),
    sa.Column('estimated_cost', sa.BigInteger(), nullable=False),
    sa.Column('revised_cost', sa.BigInteger(), nullable=True),
    sa.Column('responsible_unit', sa.String(length=200), nullable=False),
    sa.Column('kpi', sa.Text(), nullable=False),
    sa.Column('expected_result', sa.Text(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('draft', 'under_assessment', 'feasible', 'not_feasible', 'shortlisted', 'selected', 'in_progress', 'completed', name='proposal_state'), server_default='draft', nullable=False),
    sa.Column('state_changed_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_proposals_area_id_areas')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_proposals_created_by_id_users')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_items.id'], name=op.f('fk_proposals_plan_item_id_plan_items')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposals'))
    )
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.create_index('ix_proposals_area_state', ['area_id', 'state'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposals_plan_item_id'), ['plan_item_id'], unique=False)

    op.create_table('idea_status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('received', 'under_review', 'accepted', 'merged', 'referred', 'not_possible', 'already_done', name='idea_change_from', native_enum=False, length=20), nullable=True),
    sa.Column('to_status', sa.Enum('received', 'under_review', 'accepted', 'merged', 'referred', 'not_possible', 'already_done', name='idea_change_to', native_enum=False, length=20), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('to_area_id', sa.Integer(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('proposal_id', sa.Integer(), nullable=True),
    sa.Column('supports_moved', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_idea_status_changes_actor_id_users')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_idea_status_changes_area_id_areas')),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_status_changes_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_idea_status_changes_merged_into_id_ideas')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_idea_status_changes_proposal_id_proposals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['to_area_id'], ['areas.id'], name=op.f('fk_idea_status_changes_to_area_id_areas')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_status_changes'))
    )
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_status_changes_area_id'), ['area_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_changes_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_changes_idea_id'), ['idea_id'], unique=False)

    op.create_table('proposal_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('evaluator_id', sa.Integer(), nullable=False),
    sa.Column('assigned_by_id', sa.Integer(), nullable=True),
    sa.Column('assigned_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('legal_authority_ok', sa.Boolean(), nullable=True),
    sa.Column('technically_feasible', sa.Boolean(), nullable=True),
    sa.Column('cost_reasonable', sa.Boolean(), nullable=True),
    sa.Column('revised_cost', sa.BigInteger(), nullable=True),
    sa.Column('recommendation', sa.Enum('feasible', 'not_feasible', name='assessment_recommendation'), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['assigned_by_id'], ['users.id'], name=op.f('fk_proposal_assessments_assigned_by_id_users')),
    sa.ForeignKeyConstraint(['evaluator_id'], ['users.id'], name=op.f('fk_proposal_assessments_evaluator_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_assessments_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_assessments')),
    sa.UniqueConstraint('proposal_id', 'evaluator_id', name=op.f('uq_proposal_assessments_proposal_id_evaluator_id'))
    )
    with op.batch_alter_table('proposal_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_assessments_evaluator_id'), ['evaluator_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_proposal_assessments_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_budget_years',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('fiscal_year', sa.Integer(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_budget_years_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_budget_years')),
    sa.UniqueConstraint('proposal_id', 'fiscal_year', name=op.f('uq_proposal_budget_years_proposal_id_fiscal_year'))
    )
    with op.batch_alter_table('proposal_budget_years', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_budget_years_proposal_id'), ['proposal_id'], unique=False)

    op.create_table('proposal_ideas',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_proposal_ideas_idea_id_ideas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_ideas_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('proposal_id', 'idea_id', name=op.f('pk_proposal_ideas'))
    )
    with op.batch_alter_table('proposal_ideas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_ideas_idea_id'), ['idea_id'], unique=False)

    op.create_table('proposal_subdistricts',
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('subdistrict_code', sa.String(length=6), nullable=False),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_subdistricts_proposal_id_proposals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subdistrict_code'], ['subdistricts.code'], name=op.f('fk_proposal_subdistricts_subdistrict_code_subdistricts')),
    sa.PrimaryKeyConstraint('proposal_id', 'subdistrict_code', name=op.f('pk_proposal_subdistricts'))
    )
    op.create_table('proposal_transitions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('proposal_id', sa.Integer(), nullable=False),
    sa.Column('from_state', sa.Enum('draft', 'under_assessment', 'feasible', 'not_feasible', 'shortlisted', 'selected', 'in_progress', 'completed', name='proposal_transition_from', native_enum=False, length=20), nullable=True),
    sa.Column('to_state', sa.Enum('draft', 'under_assessment', 'feasible', 'not_feasible', 'shortlisted', 'selected', 'in_progress', 'completed', name='proposal_transition_to', native_enum=False, length=20), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_proposal_transitions_actor_id_users')),
    sa.ForeignKeyConstraint(['proposal_id'], ['proposals.id'], name=op.f('fk_proposal_transitions_proposal_id_proposals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_proposal_transitions'))
    )
    with op.batch_alter_table('proposal_transitions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_proposal_transitions_proposal_id'), ['proposal_id'], unique=False)


def downgrade():
    with op.batch_alter_table('proposal_transitions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_transitions_proposal_id'))

    op.drop_table('proposal_transitions')
    op.drop_table('proposal_subdistricts')
    with op.batch_alter_table('proposal_ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_ideas_idea_id'))

    op.drop_table('proposal_ideas')
    with op.batch_alter_table('proposal_budget_years', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_budget_years_proposal_id'))

    op.drop_table('proposal_budget_years')
    with op.batch_alter_table('proposal_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposal_assessments_proposal_id'))
        batch_op.drop_index(batch_op.f('ix_proposal_assessments_evaluator_id'))

    op.drop_table('proposal_assessments')
    with op.batch_alter_table('idea_status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_status_changes_idea_id'))
        batch_op.drop_index(batch_op.f('ix_idea_status_changes_at'))
        batch_op.drop_index(batch_op.f('ix_idea_status_changes_area_id'))

    op.drop_table('idea_status_changes')
    with op.batch_alter_table('proposals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_proposals_plan_item_id'))
        batch_op.drop_index('ix_proposals_area_state')

    op.drop_table('proposals')
    sa.Enum(name='assessment_recommendation').drop(op.get_bind(), checkfirst=True)
    sa.Enum(name='proposal_state').drop(op.get_bind(), checkfirst=True)
