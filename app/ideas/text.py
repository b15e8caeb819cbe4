"""Showing residents' plain text safely: paragraphs, clickable links, highlighted words.

Ideas are plain text: nothing a resident types is ever interpreted as HTML.
Every function here escapes the whole text first and only then adds the few
tags it produces itself (<p>, <br>, <a>, <mark>).
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from functools import lru_cache

from markupsafe import Markup, escape

# After escaping, quotes and angle brackets are entities: a link stops before them.
_REST = r"(?:(?!&(?:#34|#39|quot|lt|gt);)[^\s])"
# An address with its scheme, or one people write without it: www.chiangmai.go.th, or a
# host under a Thai second-level domain (chiangmai.go.th, cmu.ac.th), also right after Thai
# text (Thai puts no space before it). Not inside an email address or another URL (the look-behind).
_URL = re.compile(
    r"https?://" + _REST + r"+"
    r"|(?<![A-Za-z0-9_@./-])(?:www\.[a-z0-9-]+(?:\.[a-z0-9-]+)+|(?:[a-z0-9-]+\.)+(?:go|ac|or|co|in|mi|net)\.th)\b"
    r"(?:[/?#]" + _REST + r"*)?",
    re.IGNORECASE,
)
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
    # Written without a scheme: http, which every such site answers (most then send https).
    href = url if re.match(r"https?://", url, re.IGNORECASE) else "http://" + url
    return f'<a href="{href}" rel="nofollow ugc noopener">{shown}</a>{tail}'


def linkify_escaped(escaped: str) -> str:
    """Make http(s) links, and www. or .go.th addresses without a scheme, clickable in text that is ALREADY escaped."""
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


def _boundaries(text: str, engine: str) -> list[int]:
    from pythainlp.tokenize import word_tokenize

    cuts, position = [0], 0
    for token in word_tokenize(text, engine=engine, keep_whitespace=True):
        position += len(token)
        cuts.append(position)
    return cuts


def word_boundaries(text: str) -> list[int]:
    """Offsets in `text` where a word starts or ends, sorted (0 and len(text) included).

    Thai has no spaces, and one segmenter alone sometimes cuts inside a word:
    newmm reads ขอติดตั้งไฟ as ขอ|ติด|ตั้งไฟ (ตั้งไฟ, "to light a fire", is in its
    dictionary), longest-matching as ขอ|ติดตั้ง|ไฟ. A cut both agree on is a
    word boundary; a highlight starts and ends only there.
    """
    agreed = set(_boundaries(text, "newmm")) & set(_boundaries(text, "longest"))
    agreed.update((0, len(text)))
    return sorted(agreed)


def highlight(text: str | None, terms: Iterable[str]) -> Markup:
    """Escape `text` and wrap the words holding an occurrence of `terms` (case-insensitive) in <mark>.

    A match inside a word marks the whole word (ติดตั้งไฟ, not ติด<mark>ตั้งไฟ</mark>),
    so that no mark splits a Thai word.
    """
    text = text or ""
    words = tuple(t for t in terms if t)
    if not words:
        return Markup(escape(text))
    spans = [(m.start(), m.end()) for m in _pattern(words).finditer(text)]
    if not spans:
        return Markup(escape(text))
    cuts = word_boundaries(text)
    merged: list[list[int]] = []
    for start, end in spans:
        start = cuts[bisect_right(cuts, start) - 1]
        end = cuts[bisect_left(cuts, end)]
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    last = 0
    for start, end in merged:
        out.append(str(escape(text[last:start])))
        out.append(f"<mark>{escape(text[start:end])}</mark>")
        last = end
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
