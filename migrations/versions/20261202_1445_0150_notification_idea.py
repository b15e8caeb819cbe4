"""notifications: the idea a notification is about (notifications.idea_id)

An idea's title is no longer stored in its notifications: it is read from the
idea when the notification is shown, and only to a reader who may still see
the idea (an idea hidden later no longer shows its title to its followers).
Existing notifications about an idea get its id from their link
("/ideas/<id>..."), and their stored title is dropped.

Revision ID: 0150_notification_idea
Revises: 0160_lg_subdistricts
Create Date: 2026-12-02 14:30:00

"""
import json
import re

from alembic import op
import sqlalchemy as sa


revision = '0150_notification_idea'
down_revision = '0160_lg_subdistricts'
branch_labels = None
depends_on = None

# The kinds whose "title" parameter is the title of the idea their link points to.
IDEA_KINDS = (
    "idea.commented", "comment.replied", "area.idea_submitted", "idea.status_changed",
    "moderation.idea_hidden", "moderation.idea_restored", "moderation.comment_hidden",
    "moderation.comment_restored",
)
_LINK = re.compile(r"^/ideas/(\d{1,9})(?:[#?/].*)?$")


def upgrade():
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('idea_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notifications_idea_id'), ['idea_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notifications_idea_id_ideas'), 'ideas', ['idea_id'], ['id'],
                                    ondelete='CASCADE')

    conn = op.get_bind()
    notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('kind', sa.String),
                             sa.column('link', sa.String), sa.column('params', sa.JSON),
                             sa.column('idea_id', sa.Integer))
    ideas = {row[0] for row in conn.execute(sa.text("SELECT id FROM ideas"))}
    rows = conn.execute(
        sa.select(notifications.c.id, notifications.c.link, notifications.c.params)
        .where(notifications.c.kind.in_(IDEA_KINDS))
    ).all()
    for note_id, link, params in rows:
        match = _LINK.match(link or "")
        if match is None or int(match.group(1)) not in ideas:
            continue
        if isinstance(params, str):
            params = json.loads(params)
        params = {k: v for k, v in (params or {}).items() if k != "title"}
        conn.execute(
            notifications.update().where(notifications.c.id == note_id)
            .values(idea_id=int(match.group(1)), params=params)
        )


def downgrade():
    # The titles come back from the ideas, as they read now.
    conn = op.get_bind()
    notifications = sa.table('notifications', sa.column('id', sa.Integer), sa.column('params', sa.JSON),
                             sa.column('idea_id', sa.Integer))
    rows = conn.execute(sa.text(
        "SELECT notifications.id, notifications.params, ideas.title FROM notifications "
        "JOIN ideas ON ideas.id = notifications.idea_id"
    )).all()
    for note_id, params, title in rows:
        if isinstance(params, str):
            params = json.loads(params)
        conn.execute(notifications.update().where(notifications.c.id == note_id)
                     .values(params={**(params or {}), "title": title}))
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notifications_idea_id_ideas'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notifications_idea_id'))
        batch_op.drop_column('idea_id')
