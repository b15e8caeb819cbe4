"""opendata_statistics: the public statistics of the country and each area, precomputed by a job

Revision ID: 0360_opendata_statistics
Revises: 0330_linked_identities
Create Date: 2026-12-03 13:10:00

"""
from alembic import op
import sqlalchemy as sa

from app.core.types import UTCDateTime

revision = '0360_opendata_statistics'
down_revision = '0330_linked_identities'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'opendata_statistics',
        sa.Column('scope', sa.String(length=10), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=True),
        sa.Column('computed_at', UTCDateTime(), nullable=False),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('ideas', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_opendata_statistics_area_id_areas'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('scope', name=op.f('pk_opendata_statistics')),
    )
    with op.batch_alter_table('opendata_statistics') as batch:
        batch.create_index(batch.f('ix_opendata_statistics_area_id'), ['area_id'], unique=False)


def downgrade():
    op.drop_table('opendata_statistics')
