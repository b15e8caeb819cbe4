"""Showing residents' plain text safely: paragraphs, clickable links, highlighted words.

Ideas are plain text: nothing a resident types is ever interpreted as HTML.
Every function here escapes the whole text first and only then adds the few
tags it produces itself (<p>, <br>, <a>, <mark>).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

# After escaping, quotes and angle brackets are entities: a link stops before them.
_URL = re.compile(r"https?://(?:(?!&(?:#34|#39|quot|lt|gt);)[^\s])+", re.IGNORECASE)
_TRAILING = ".,;:!?)]}'\""
_PARAGRAPHS = re.compile(r"\n\s*\n")
MAX_LINK_TEXT = 60


def normalise_newlines(text: str) -> str:
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def _link(match: re.Match) -> str:
    url = match.group(0)
    tail = ""
    while url and url[-1] in _TRAILING:
        # Keep a closing parenthesis that belongs to the URL, as in Wikipedia links.
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        tail = url[-1] + tail
        url = url[:-1]
    if url.lower() in ("http://", "https://"):
        return match.group(0)
    shown = url if len(url) <= MAX_LINK_TEXT else url[: MAX_LINK_TEXT - 1] + "…"
    return f'<a href="{url}" rel="nofollow ugc noopener">{shown}</a>{tail}'


def linkify_escaped(escaped: str) -> str:
    """Make http(s) links clickable in text that is ALREADY escaped."""
    return _URL.sub(_link, escaped)


def linkify(text: str | None) -> Markup:
    """Plain text -> safe HTML: escaped, paragraphs on blank lines, line breaks kept, links clickable."""
    text = normalise_newlines(text or "").strip()
    if not text:
        return Markup("")
    paragraphs = []
    for block in _PARAGRAPHS.split(text):
        html = linkify_escaped(str(escape(block.strip("\n"))))
        paragraphs.append("<p>" + html.replace("\n", "<br>\n") + "</p>")
    return Markup("\n".join(paragraphs))


@lru_cache(maxsize=256)
def _pattern(words: tuple[str, ...]) -> re.Pattern:
    # Longest first, so that a compound is marked whole rather than its first part.
    ordered = sorted(set(words), key=len, reverse=True)
    return re.compile("|".join(re.escape(w) for w in ordered), re.IGNORECASE)


def highlight(text: str | None, terms: Iterable[str]) -> Markup:
    """Escape `text` and wrap every occurrence of `terms` (case-insensitive) in <mark>."""
    text = text or ""
    words = tuple(t for t in terms if t)
    if not words:
        return Markup(escape(text))
    pattern = _pattern(words)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(str(escape(text[last:match.start()])))
        out.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    out.append(str(escape(text[last:])))
    return Markup("".join(out))


def snippet(text: str | None, terms: Iterable[str], length: int = 220) -> str:
    """A piece of `text` around the first matched term (plain text, to be highlighted)."""
    text = " ".join((text or "").split())
    if len(text) <= length:
        return text
    lowered = text.lower()
    positions = [p for p in (lowered.find(t.lower()) for t in terms if t) if p >= 0]
    start = max(0, min(positions) - length // 3) if positions else 0
    piece = text[start:start + length]
    return ("…" if start > 0 else "") + piece + ("…" if start + length < len(text) else "")
