"""area_sort_th: a Thai dictionary sort key on areas, so ORDER BY lists names as a dictionary does

Revision ID: 0170_area_sort_th
Revises: 0161_resident_lists
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa

# The key function as it is today; `flask areas load` refills the column whenever it changes.
from app.core.collation import thai_sort_key


revision = '0170_area_sort_th'
down_revision = '0161_resident_lists'
branch_labels = None
depends_on = None

SORT_KEY_TYPE = sa.String(450).with_variant(sa.String(450, collation="C"), "postgresql")


def upgrade():
    with op.batch_alter_table('areas') as batch:
        batch.add_column(sa.Column('sort_th', SORT_KEY_TYPE, server_default='', nullable=False))
        batch.create_index('ix_areas_sort_th', ['sort_th'])
    conn = op.get_bind()
    areas = sa.table('areas', sa.column('id', sa.Integer), sa.column('name_th', sa.String), sa.column('sort_th', sa.String))
    rows = conn.execute(sa.select(areas.c.id, areas.c.name_th)).all()
    if rows:
        conn.execute(areas.update().where(areas.c.id == sa.bindparam('row_id')).values(sort_th=sa.bindparam('key')),
                     [{"row_id": r.id, "key": thai_sort_key(r.name_th)} for r in rows])


def downgrade():
    with op.batch_alter_table('areas') as batch:
        batch.drop_index('ix_areas_sort_th')
        batch.drop_column('sort_th')
