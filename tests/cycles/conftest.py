import pytest

from app.cycles.models import BallotKind
from tests.cycles import factories as f


@pytest.fixture
def official():
    return f.create_official("50")


@pytest.fixture
def knapsack(official):
    cycle = f.create_cycle(official, kind=BallotKind.KNAPSACK)
    budget = f.add_budget_with_projects(official, cycle)
    return cycle, budget


@pytest.fixture
def voter():
    return f.create_user()
