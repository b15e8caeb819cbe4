"""Residency methods and resident lists (issue 14.3, 14.4)

Each verification records its method and area; an area's resident list is kept
only as keyed hashes of (national ID, date of birth) with the subdistrict.
Verifications made before this revision were made in person by an official.

Revision ID: 0161_resident_lists
Revises: 0111_voting_closed
Create Date: 2026-12-02 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0161_resident_lists'
down_revision = '0111_voting_closed'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('residency_method', sa.Enum('in_person', 'thaid', 'resident_list', name='residency_method', native_enum=False, length=20), nullable=True))
        batch_op.add_column(sa.Column('residency_area_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_residency_area_id_areas'), 'areas', ['residency_area_id'], ['id'], ondelete='SET NULL')
    op.execute("UPDATE users SET residency_method = 'in_person' WHERE residency_verified_at IS NOT NULL")
    op.create_table(
        'resident_lists',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
        sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('row_count', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_resident_lists_area_id_areas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_resident_lists_uploaded_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_resident_lists')),
        sa.UniqueConstraint('area_id', name=op.f('uq_resident_lists_area_id')),
    )
    op.create_table(
        'resident_list_entries',
        sa.Column('list_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('subdistrict_code', sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(['list_id'], ['resident_lists.id'], name=op.f('fk_resident_list_entries_list_id_resident_lists'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('list_id', 'digest', name=op.f('pk_resident_list_entries')),
    )


def downgrade():
    op.drop_table('resident_list_entries')
    op.drop_table('resident_lists')
    with op.batch_alter_table('users') as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_residency_area_id_areas'), type_='foreignkey')
        batch_op.drop_column('residency_area_id')
        batch_op.drop_column('residency_method')
