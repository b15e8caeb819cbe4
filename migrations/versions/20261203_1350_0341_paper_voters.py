"""cycle_paper_voters and cycle_paper_batches.ids_checked: paper voters cannot also vote online (issue 14.5)

A forum that checks ID cards records who voted there, as the keyed hash of the
national ID (never linked to a ballot); its batches say that it checked them.
Batches entered before this revision come from forums that did not.

Revision ID: 0341_paper_voters
Revises: 0350_api_keys
Create Date: 2026-12-03 13:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0341_paper_voters'
down_revision = '0350_api_keys'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'cycle_paper_voters',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('budget_id', sa.Integer(), nullable=False),
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('forum_name', sa.String(length=200), nullable=False),
        sa.Column('forum_date', sa.Date(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['budget_id'], ['cycle_budgets.id'], name=op.f('fk_cycle_paper_voters_budget_id_cycle_budgets'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_cycle_paper_voters_recorded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_paper_voters')),
        sa.UniqueConstraint('budget_id', 'id_hash', name=op.f('uq_cycle_paper_voters_budget_id_id_hash')),
    )
    op.create_index(op.f('ix_cycle_paper_voters_recorded_by_id'), 'cycle_paper_voters', ['recorded_by_id'], unique=False)
    with op.batch_alter_table('cycle_paper_batches') as batch_op:
        batch_op.add_column(sa.Column('ids_checked', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('cycle_paper_batches') as batch_op:
        batch_op.drop_column('ids_checked')
    op.drop_index(op.f('ix_cycle_paper_voters_recorded_by_id'), table_name='cycle_paper_voters')
    op.drop_table('cycle_paper_voters')
