"""cycles.ballot_ready: voting waits until every budget has projects on its ballot

Revision ID: 0107_ballot_ready
Revises: 0006
Create Date: 2026-12-02 09:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0107_ballot_ready'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.add_column(sa.Column('ballot_ready', sa.Boolean(), server_default=sa.false(), nullable=False))
    # Cycles that already have budgets, each with at least one project, are ready (running cycles keep their phase).
    op.execute(
        "UPDATE cycles SET ballot_ready = TRUE WHERE EXISTS (SELECT 1 FROM cycle_budgets b WHERE b.cycle_id = cycles.id) "
        "AND NOT EXISTS (SELECT 1 FROM cycle_budgets b WHERE b.cycle_id = cycles.id "
        "AND NOT EXISTS (SELECT 1 FROM cycle_projects p WHERE p.budget_id = b.id))"
    )


def downgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.drop_column('ballot_ready')
