"""jobs: the durable record of every background job (app/jobs)

Revision ID: 0120_jobs
Revises: 0140_submission_tokens
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0120_jobs'
down_revision = '0140_submission_tokens'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('state', sa.Enum('queued', 'running', 'done', 'failed', name='job_state'), server_default='queued', nullable=False),
    sa.Column('attempts', sa.Integer(), server_default='0', nullable=False),
    sa.Column('max_attempts', sa.Integer(), server_default='5', nullable=False),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('idempotency_key', sa.String(length=200), nullable=True),
    sa.Column('result', sa.JSON(), nullable=True),
    sa.Column('progress_done', sa.Integer(), server_default='0', nullable=False),
    sa.Column('progress_total', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('run_after', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('pushed_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('claim_token', sa.String(length=64), nullable=True),
    sa.Column('lease_until', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_jobs_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_jobs')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_jobs_idempotency_key'))
    )
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.create_index('ix_jobs_state_created', ['state', 'created_at'], unique=False)
        batch_op.create_index('ix_jobs_state_run_after', ['state', 'run_after'], unique=False)
        batch_op.create_index(batch_op.f('ix_jobs_created_by_id'), ['created_by_id'], unique=False)


def downgrade():
    with op.batch_alter_table('jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_jobs_created_by_id'))
        batch_op.drop_index('ix_jobs_state_run_after')
        batch_op.drop_index('ix_jobs_state_created')

    op.drop_table('jobs')
    sa.Enum(name='job_state').drop(op.get_bind(), checkfirst=True)
