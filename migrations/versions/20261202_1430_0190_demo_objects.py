"""demo_objects: the demo recognises what it made by a stable key, not by fields people edit

Revision ID: 0190_demo_objects
Revises: 0106_privacy
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa

from app.core.types import UTCDateTime


revision = '0190_demo_objects'
down_revision = '0106_privacy'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'demo_objects',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('key', sa.String(length=300), nullable=False),
        sa.Column('object_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('kind', 'key', name='uq_demo_objects_kind_key'),
    )


def downgrade():
    op.drop_table('demo_objects')
