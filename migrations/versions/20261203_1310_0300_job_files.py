"""job_files: files a background job built for one person to download (data download, large exports)

Revision ID: 0300_job_files
Revises: 0170_area_sort_th
Create Date: 2026-12-03 13:10:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0300_job_files'
down_revision = '0170_area_sort_th'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('job_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('job_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('download_name', sa.String(length=200), nullable=False),
    sa.Column('mimetype', sa.String(length=100), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['job_id'], ['jobs.id'], name=op.f('fk_job_files_job_id_jobs'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_job_files_owner_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_job_files')),
    sa.UniqueConstraint('job_id', name=op.f('uq_job_files_job_id')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_job_files_stored_name'))
    )
    with op.batch_alter_table('job_files', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_job_files_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_job_files_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('job_files', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_job_files_expires_at'))
        batch_op.drop_index(batch_op.f('ix_job_files_owner_id'))

    op.drop_table('job_files')
