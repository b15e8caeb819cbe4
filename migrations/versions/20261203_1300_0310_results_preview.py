"""Results preview before publishing, and when voting actually opened

cycle_results.kind gains 'preview'; cycle_results.published_at and published_by_id
say when and by whom a preview was published; cycles.voting_opened_at records an
opening other than by the dates (by hand, or a ballot made ready on a voting day).

Revision ID: 0310_results_preview
Revises: 0300_job_files
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0310_results_preview'
down_revision = '0300_job_files'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        # PostgreSQL 12+ adds an enum value inside a transaction; it is not used before this one commits.
        op.execute("ALTER TYPE cycle_result_kind ADD VALUE IF NOT EXISTS 'preview' BEFORE 'published'")
    # On SQLite the kind is a VARCHAR(9) without a CHECK: 'preview' fits as it is.
    with op.batch_alter_table('cycle_results', schema=None) as batch_op:
        batch_op.add_column(sa.Column('published_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('published_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_cycle_results_published_by_id_users', 'users', ['published_by_id'], ['id'])
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voting_opened_at', app.core.types.UTCDateTime(timezone=True), nullable=True))
    # Results published before this revision: published when they were computed, by whoever computed them.
    op.execute("UPDATE cycle_results SET published_at = computed_at, published_by_id = computed_by_id WHERE kind = 'published'")


def downgrade():
    op.execute("DELETE FROM cycle_results WHERE kind = 'preview'")
    with op.batch_alter_table('cycles', schema=None) as batch_op:
        batch_op.drop_column('voting_opened_at')
    with op.batch_alter_table('cycle_results', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cycle_results_published_by_id_users', type_='foreignkey')
        batch_op.drop_column('published_by_id')
        batch_op.drop_column('published_at')
    # PostgreSQL cannot drop an enum value; 'preview' stays in the type, unused.
