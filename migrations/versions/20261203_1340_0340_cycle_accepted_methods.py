"""cycles.accepted_methods: which residency verifications a cycle accepts for voting (issue 14.4)

NULL means every method (in person, ThaID, resident list, and any added later),
which is what every cycle before this revision accepted.

Revision ID: 0340_cycle_accepted_methods
Revises: 0360_opendata_statistics
Create Date: 2026-12-03 13:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0340_cycle_accepted_methods'
down_revision = '0360_opendata_statistics'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.add_column(sa.Column('accepted_methods', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('cycles') as batch_op:
        batch_op.drop_column('accepted_methods')
