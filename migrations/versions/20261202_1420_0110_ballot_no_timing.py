"""ballots: no time a voter row and a ballot could be matched by

cycle_voters.voted_at (the moment of the last vote) and the day an online
ballot was cast (cycle_ballots.cast_on) together joined a ballot to its
voter: a day on which one person voted names that person's ballot. The
voter row keeps no time at all and online ballots keep no day (paper
ballots keep their forum's date, imported ones the import day: neither has
a voter).

Revision ID: 0110_ballot_no_timing
Revises: 0190_demo_objects
Create Date: 2026-12-02 14:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


revision = '0110_ballot_no_timing'
down_revision = '0190_demo_objects'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cycle_voters', schema=None) as batch_op:
        batch_op.drop_column('voted_at')
    with op.batch_alter_table('cycle_ballots', schema=None) as batch_op:
        batch_op.alter_column('cast_on', existing_type=sa.Date(), nullable=True)
    op.execute("UPDATE cycle_ballots SET cast_on = NULL WHERE channel = 'online'")


def downgrade():
    op.execute("UPDATE cycle_ballots SET cast_on = CURRENT_DATE WHERE cast_on IS NULL")
    with op.batch_alter_table('cycle_ballots', schema=None) as batch_op:
        batch_op.alter_column('cast_on', existing_type=sa.Date(), nullable=False)
    with op.batch_alter_table('cycle_voters', schema=None) as batch_op:
        batch_op.add_column(sa.Column('voted_at', app.core.types.UTCDateTime(timezone=True), nullable=False,
                                      server_default=sa.func.now()))
