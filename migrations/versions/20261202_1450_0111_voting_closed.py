"""cycles.voting_closed_at: when voting closed and its voter-ballot links were destroyed

Revision ID: 0111_voting_closed
Revises: 0141_receipt_pads
Create Date: 2026-12-02 14:50:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0111_voting_closed'
down_revision = '0141_receipt_pads'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voting_closed_at', app.core.types.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('voting_closed_at')
