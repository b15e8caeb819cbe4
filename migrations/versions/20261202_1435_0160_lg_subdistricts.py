"""lg_subdistricts: the subdistricts (ตำบล) each local government covers

Until now a local government's area was its whole district, so the 12 local
governments of อำเภอเมืองเชียงใหม่ saw (and verified) each other's residents.
The rows are filled by `flask areas load`; run it after this upgrade.

Revision ID: 0160_lg_subdistricts
Revises: 0110_ballot_no_timing
Create Date: 2026-12-02 14:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0160_lg_subdistricts'
down_revision = '0110_ballot_no_timing'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'lg_subdistricts',
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('subdistrict_code', sa.String(length=6), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_lg_subdistricts_area_id_areas'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['subdistrict_code'], ['subdistricts.code'], name=op.f('fk_lg_subdistricts_subdistrict_code_subdistricts')),
        sa.PrimaryKeyConstraint('area_id', 'subdistrict_code', name=op.f('pk_lg_subdistricts')),
    )
    with op.batch_alter_table('lg_subdistricts') as batch_op:
        batch_op.create_index(batch_op.f('ix_lg_subdistricts_subdistrict_code'), ['subdistrict_code'], unique=False)
    with op.batch_alter_table('areas') as batch_op:
        batch_op.add_column(sa.Column('subdistricts_edited_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('areas') as batch_op:
        batch_op.drop_column('subdistricts_edited_at')
    with op.batch_alter_table('lg_subdistricts') as batch_op:
        batch_op.drop_index(batch_op.f('ix_lg_subdistricts_subdistrict_code'))
    op.drop_table('lg_subdistricts')
