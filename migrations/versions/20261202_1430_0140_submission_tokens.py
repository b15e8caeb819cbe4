"""submission tokens: the same idea or comment form sent twice makes one idea or one comment

Revision ID: 0140_submission_tokens
Revises: 0150_notification_idea, 0180_cost_follows
Create Date: 2026-12-02 14:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0140_submission_tokens'
# Also merges main's two heads (0150 and 0180 both followed 0110).
down_revision = ('0150_notification_idea', '0180_cost_follows')
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_ideas_author_id_submission_token'), ['author_id', 'submission_token'])
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('submission_token', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_comments_author_id_submission_token'), ['author_id', 'submission_token'])


def downgrade():
    with op.batch_alter_table('comments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_comments_author_id_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_ideas_author_id_submission_token'), type_='unique')
        batch_op.drop_column('submission_token')
