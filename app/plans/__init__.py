"""Plans: provincial annual action plans and local development plans (three-level trees)."""
