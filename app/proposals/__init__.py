"""Project proposals: officials turn ideas into proposals linked to a plan item,
evaluators assess them, and they move from draft to completed."""
