"""receipt pads: the receipt code is no longer readable in the session cookie

Revision ID: 0141_receipt_pads
Revises: 0120_jobs
Create Date: 2026-12-02 14:50:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0141_receipt_pads'
down_revision = '0120_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('cycle_receipt_pads',
    sa.Column('id', sa.String(length=64), nullable=False),
    sa.Column('pad', sa.String(length=128), nullable=False),
    sa.Column('expires_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_cycle_receipt_pads'))
    )
    with op.batch_alter_table('cycle_receipt_pads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_cycle_receipt_pads_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('cycle_receipt_pads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_cycle_receipt_pads_expires_at'))
    op.drop_table('cycle_receipt_pads')
