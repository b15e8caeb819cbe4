"""cost_follows: a proposal has one current cost, and its yearly budgets follow it

proposal_transitions.budget_change records, on the move that adopted or
dropped a revised estimate, how the yearly budgets followed the new cost.

Proposals whose revised estimate was adopted before this revision kept the
yearly budgets of the first estimate (the ผ.02 export showed ฿5,800,000 while
the ballot showed ฿5,200,000). Their budgets are spread again over the same
years, in proportion, rounded down to whole baht with the remainder on the
last year that has a budget (as app.proposals.services.spread_budget does).

Revision ID: 0180_cost_follows
Revises: 0150_notification_idea
Create Date: 2026-12-02 14:40:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0180_cost_follows'
down_revision = '0150_notification_idea'
branch_labels = None
depends_on = None


def _spread(budget, total, fallback_year):
    old_total = sum(budget.values())
    if old_total <= 0:
        year = fallback_year if fallback_year in budget else min(budget)
        return {y: (total if y == year else 0) for y in budget}
    spread = {y: amount * total // old_total for y, amount in budget.items()}
    last = max(y for y, amount in budget.items() if amount > 0)
    spread[last] += total - sum(spread.values())
    return spread


def upgrade():
    with op.batch_alter_table('proposal_transitions') as batch:
        batch.add_column(sa.Column('budget_change', sa.JSON(), nullable=True))

    bind = op.get_bind()
    proposals = sa.table('proposals', sa.column('id', sa.Integer), sa.column('revised_cost', sa.BigInteger),
                         sa.column('fiscal_year', sa.Integer))
    years = sa.table('proposal_budget_years', sa.column('id', sa.Integer), sa.column('proposal_id', sa.Integer),
                     sa.column('fiscal_year', sa.Integer), sa.column('amount', sa.BigInteger))
    revised = bind.execute(sa.select(proposals.c.id, proposals.c.revised_cost, proposals.c.fiscal_year)
                           .where(proposals.c.revised_cost.is_not(None))).all()
    for proposal_id, cost, fiscal_year in revised:
        rows = bind.execute(sa.select(years.c.id, years.c.fiscal_year, years.c.amount)
                            .where(years.c.proposal_id == proposal_id)).all()
        budget = {year: amount for _, year, amount in rows}
        if not budget or sum(budget.values()) == cost:
            continue
        spread = _spread(budget, cost, fiscal_year)
        for row_id, year, amount in rows:
            if spread[year] != amount:
                bind.execute(years.update().where(years.c.id == row_id).values(amount=spread[year]))


def downgrade():
    # The budgets spread again are not put back: they are the proposal's cost.
    with op.batch_alter_table('proposal_transitions') as batch:
        batch.drop_column('budget_change')
