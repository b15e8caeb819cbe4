"""The domain error of budgeting cycles: its message (or messages) are shown to the user."""
from __future__ import annotations


class CycleError(Exception):
    """A rule about cycles was broken. `messages` lists every problem found (translatable strings)."""

    def __init__(self, *messages) -> None:
        self.messages = list(messages)
        super().__init__(*messages)

    def __str__(self) -> str:
        return " ".join(str(m) for m in self.messages)
