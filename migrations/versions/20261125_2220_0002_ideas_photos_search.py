"""ideas photos search

Ideas, their photos, and the inverted index used by the Thai-aware search
(idea_search_terms, idea_search_vocabulary): plain B-tree tables, so the
same queries run on SQLite and PostgreSQL.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 22:20:00

"""
from alembic import op
import sqlalchemy as sa

import app.core.types


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('idea_search_vocabulary',
    sa.Column('term', sa.String(length=100), nullable=False),
    sa.PrimaryKeyConstraint('term', name=op.f('pk_idea_search_vocabulary'))
    )
    if op.get_bind().dialect.name == "postgresql":
        # Trigram index for the substring fallback (LIKE '%word%' over the vocabulary).
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.create_index('ix_idea_search_vocabulary_trgm', 'idea_search_vocabulary', ['term'], unique=False,
                        postgresql_using='gin', postgresql_ops={'term': 'gin_trgm_ops'})
    else:
        op.create_index('ix_idea_search_vocabulary_trgm', 'idea_search_vocabulary', ['term'], unique=False)
    op.create_table('ideas',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=150), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('infrastructure', 'water', 'environment', 'health', 'education', 'safety', 'economy_jobs', 'culture_tourism', 'social_welfare', 'other', name='idea_category'), nullable=False),
    sa.Column('subdistrict_code', sa.String(length=6), nullable=True),
    sa.Column('lat', sa.Float(), nullable=True),
    sa.Column('lon', sa.Float(), nullable=True),
    sa.Column('status', sa.Enum('received', 'under_review', 'accepted', 'merged', 'referred', 'not_possible', 'already_done', name='idea_status'), server_default='received', nullable=False),
    sa.Column('status_changed_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('first_answered_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('merged_into_id', sa.Integer(), nullable=True),
    sa.Column('withdrawn_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_at', app.core.types.UTCDateTime(timezone=True), nullable=True),
    sa.Column('hidden_reason', sa.String(length=500), nullable=True),
    sa.Column('pending_review', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('support_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('comment_count', sa.Integer(), server_default='0', nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_ideas_area_id_areas')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_ideas_author_id_users')),
    sa.ForeignKeyConstraint(['merged_into_id'], ['ideas.id'], name=op.f('fk_ideas_merged_into_id_ideas')),
    sa.ForeignKeyConstraint(['subdistrict_code'], ['subdistricts.code'], name=op.f('fk_ideas_subdistrict_code_subdistricts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ideas'))
    )
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.create_index('ix_ideas_area_answered', ['area_id', 'status_changed_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_area_category', ['area_id', 'category', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_area_comments', ['area_id', 'comment_count', 'id'], unique=False)
        batch_op.create_index('ix_ideas_area_created', ['area_id', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_area_status', ['area_id', 'status', 'pending_review', 'hidden_at'], unique=False)
        batch_op.create_index('ix_ideas_area_subdistrict', ['area_id', 'subdistrict_code', 'created_at', 'id'], unique=False)
        batch_op.create_index('ix_ideas_area_supports', ['area_id', 'support_count', 'id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ideas_author_id'), ['author_id'], unique=False)

    op.create_table('idea_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=50), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size_bytes', sa.Integer(), nullable=False),
    sa.Column('created_at', app.core.types.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_photos_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_photos')),
    sa.UniqueConstraint('filename', name=op.f('uq_idea_photos_filename'))
    )
    with op.batch_alter_table('idea_photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_photos_idea_id'), ['idea_id'], unique=False)

    op.create_table('idea_search_terms',
    sa.Column('idea_id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=100), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('in_title', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.ForeignKeyConstraint(['idea_id'], ['ideas.id'], name=op.f('fk_idea_search_terms_idea_id_ideas'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('idea_id', 'term', name=op.f('pk_idea_search_terms'))
    )
    with op.batch_alter_table('idea_search_terms', schema=None) as batch_op:
        batch_op.create_index('ix_idea_search_terms_term', ['term', 'idea_id', 'in_title'], unique=False)
        batch_op.create_index('ix_idea_search_terms_term_area', ['term', 'area_id', 'idea_id', 'in_title'], unique=False)


def downgrade():
    with op.batch_alter_table('idea_search_terms', schema=None) as batch_op:
        batch_op.drop_index('ix_idea_search_terms_term_area')
        batch_op.drop_index('ix_idea_search_terms_term')

    op.drop_table('idea_search_terms')
    with op.batch_alter_table('idea_photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_idea_photos_idea_id'))

    op.drop_table('idea_photos')
    with op.batch_alter_table('ideas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ideas_author_id'))
        batch_op.drop_index('ix_ideas_area_supports')
        batch_op.drop_index('ix_ideas_area_subdistrict')
        batch_op.drop_index('ix_ideas_area_status')
        batch_op.drop_index('ix_ideas_area_created')
        batch_op.drop_index('ix_ideas_area_comments')
        batch_op.drop_index('ix_ideas_area_category')
        batch_op.drop_index('ix_ideas_area_answered')

    op.drop_table('ideas')
    op.drop_index('ix_idea_search_vocabulary_trgm', table_name='idea_search_vocabulary')
    op.drop_table('idea_search_vocabulary')
    sa.Enum(name='idea_status').drop(op.get_bind(), checkfirst=True)
    sa.Enum(name='idea_category').drop(op.get_bind(), checkfirst=True)
