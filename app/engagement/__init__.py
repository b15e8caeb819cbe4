"""Engagement with ideas: supports, comments (one level of replies) and follows of ideas and areas."""
