"""privacy: consent decisions and officials' access to personal data

The consents already given (users.consent_at / consent_version, and the
email-notification setting) become the first rows of the consent log.

Revision ID: 0106_privacy
Revises: 0107_ballot_ready
Create Date: 2026-12-02 09:30:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0106_privacy'
down_revision = '0107_ballot_ready'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('privacy_consents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=40), nullable=False),
    sa.Column('version', sa.String(length=20), nullable=False),
    sa.Column('action', sa.Enum('given', 'declined', 'withdrawn', name='consent_action'), nullable=False),
    sa.Column('at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_privacy_consents_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_consents'))
    )
    with op.batch_alter_table('privacy_consents', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_consents_user_purpose', ['user_id', 'purpose', 'id'], unique=False)

    op.create_table('privacy_access_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('page', sa.String(length=40), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_privacy_access_log_area_id_areas'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['official_id'], ['users.id'], name=op.f('fk_privacy_access_log_official_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['subject_id'], ['users.id'], name=op.f('fk_privacy_access_log_subject_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_access_log'))
    )
    with op.batch_alter_table('privacy_access_log', schema=None) as batch_op:
        batch_op.create_index('ix_privacy_access_at', ['at'], unique=False)
        batch_op.create_index('ix_privacy_access_subject', ['subject_id', 'at'], unique=False)
        batch_op.create_index(batch_op.f('ix_privacy_access_log_official_id'), ['official_id'], unique=False)

    op.execute(
        "INSERT INTO privacy_consents (user_id, purpose, version, action, at) "
        "SELECT id, 'privacy_notice', consent_version, 'given', consent_at FROM users WHERE deleted_at IS NULL"
    )
    op.execute(
        "INSERT INTO privacy_consents (user_id, purpose, version, action, at) "
        "SELECT id, 'email_notifications', consent_version, 'given', consent_at FROM users "
        "WHERE deleted_at IS NULL AND email_notifications"
    )


def downgrade():
    with op.batch_alter_table('privacy_access_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_privacy_access_log_official_id'))
        batch_op.drop_index('ix_privacy_access_subject')
        batch_op.drop_index('ix_privacy_access_at')
    op.drop_table('privacy_access_log')
    with op.batch_alter_table('privacy_consents', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_consents_user_purpose')
    op.drop_table('privacy_consents')
    sa.Enum(name='consent_action').drop(op.get_bind(), checkfirst=True)
