"""Budgeting cycles: dated phases, budgets, ballots, paper ballots, results and implementation tracking."""
