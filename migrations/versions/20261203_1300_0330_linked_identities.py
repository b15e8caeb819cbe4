"""Linked sign-in identities (ThaID, LINE, other OpenID Connect providers) (issue 14.1)

An account may be linked to one identity per provider (provider, subject); the
account records which provider proved the person's identity, and when.

Revision ID: 0330_linked_identities
Revises: 0310_results_preview
Create Date: 2026-12-03 13:00:00

"""
from alembic import op
import sqlalchemy as sa



revision = '0330_linked_identities'
down_revision = '0310_results_preview'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('identity_proven_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('identity_provider', sa.String(length=40), nullable=True))
    op.create_table(
        'linked_identities',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('provider', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=255), nullable=False),
        sa.Column('linked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_sign_in_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_linked_identities_user_id_users'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_linked_identities')),
        sa.UniqueConstraint('provider', 'subject', name=op.f('uq_linked_identities_provider_subject')),
        sa.UniqueConstraint('user_id', 'provider', name=op.f('uq_linked_identities_user_id_provider')),
    )
    with op.batch_alter_table('linked_identities') as batch_op:
        batch_op.create_index(batch_op.f('ix_linked_identities_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('linked_identities') as batch_op:
        batch_op.drop_index(batch_op.f('ix_linked_identities_user_id'))
    op.drop_table('linked_identities')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_column('identity_provider')
        batch_op.drop_column('identity_proven_at')
