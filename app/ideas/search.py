"""Thai-aware search over ideas, the same on SQLite and PostgreSQL.

Thai is written without spaces between words, and neither database's
full-text search segments it. So the text is segmented here, with PyThaiNLP's
dictionary-based `newmm` engine (offline), and the words are kept in an
inverted index of plain B-tree tables:

- `idea_search_terms` (term, idea_id, area_id, in_title): one row per
  distinct word of an idea; its primary key (term, idea_id) answers "the
  latest ideas containing this word" and (term, area_id, idea_id) the same
  within one area, each as a short index range read, whatever the number of
  ideas.
- `idea_search_vocabulary` (term): every word ever indexed. The substring
  fallback looks here for words that contain a query word, so a short word
  ("ไฟ") or part of a compound ("ถนน" in "ถนนลูกรัง") still finds the ideas.

A query is segmented the same way. For each query word, its exact term and up
to MAX_VARIANTS vocabulary terms containing it are looked up, each bounded to
its CANDIDATES_PER_TERM latest ideas; the union is scored in one SQL
statement: per query word the best of title/exact (4), title/substring (3),
body/exact (2), body/substring (1), summed; ideas matching more query words
come first, then the higher score, then the newer idea. The bound keeps a
search on a very common word fast at a million ideas; it means that such a
word ranks only its latest CANDIDATES_PER_TERM ideas.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

from sqlalchemy import delete, event, func, inspect, select, text, update
from sqlalchemy.orm import selectinload

from app.areas.models import Area
from app.extensions import db
from app.ideas.models import Idea, IdeaSearchTerm, IdeaSearchVocabulary

MAX_TERM_LENGTH = 100
MAX_QUERY_WORDS = 8
MAX_VARIANTS = 12  # vocabulary terms tried per query word by the substring fallback
CANDIDATES_PER_TERM = 1000
CANDIDATES_PER_VARIANT = 300
MAX_RESULTS = 200

# Runs of Thai letters (without the repetition mark ๆ), or runs of other letters and digits.
_CHUNKS = re.compile(r"[\u0E01-\u0E45\u0E47-\u0E4E]+|[^\W_\u0E00-\u0E7F]+")
_THAI = re.compile(r"[\u0E01-\u0E4E]")
_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
ENGLISH_STOPWORDS = frozenset(
    "a an and are as at be by for from has have in is it its of on or that the this to was were will with".split()
)


@lru_cache(maxsize=1)
def _thai_stopwords() -> frozenset[str]:
    from pythainlp.corpus import thai_stopwords

    return frozenset(thai_stopwords())


def _segment(chunk: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return word_tokenize(chunk, engine="newmm", keep_whitespace=False)


def warm_up() -> None:
    """Load the Thai dictionary and stop words now, not on a reader's first search (about a second).

    gunicorn.conf.py calls this in every worker before it takes requests.
    """
    tokenize("ไฟฟ้าส่องสว่างถนน street light")


def normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text or "").translate(_THAI_DIGITS).lower()


def tokenize(text: str | None, *, keep_stopwords: bool = False) -> list[str]:
    """The distinct words of `text`, lowercased, in order of first appearance.

    Thai runs are segmented with newmm; other letters and digits split on
    anything that is not a letter or digit. Stop words ("และ", "ที่", "the")
    are left out unless `keep_stopwords`.
    """
    stop_th = _thai_stopwords()
    seen: dict[str, None] = {}
    for chunk in _CHUNKS.findall(normalise(text or "")):
        if _THAI.match(chunk):
            words = _segment(chunk)
        else:
            words = [chunk]
        for word in words:
            word = word.strip()[:MAX_TERM_LENGTH]
            if not word or not any(ch.isalnum() for ch in word):
                continue
            if not keep_stopwords and (word in stop_th or word in ENGLISH_STOPWORDS):
                continue
            seen.setdefault(word, None)
    return list(seen)


# --- keeping the index in step with the ideas --------------------------------

def _insert_ignore(model, rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    db.session.execute(insert(model).on_conflict_do_nothing(), rows)


def index_rows(idea_id: int, area_id: int, title: str, description: str) -> list[dict]:
    """The rows of idea_search_terms for one idea (also used by the benchmark's bulk loader)."""
    title_words = tokenize(title)
    words = dict.fromkeys(title_words)
    words.update(dict.fromkeys(tokenize(description)))
    in_title = set(title_words)
    return [{"term": w, "idea_id": idea_id, "area_id": area_id, "in_title": w in in_title} for w in words]


def index_idea(idea: Idea) -> None:
    """(Re)build the search rows of one idea. Called by the services after submit and edit."""
    db.session.flush()
    rows = index_rows(idea.id, idea.area_id, idea.title, idea.description)
    db.session.execute(delete(IdeaSearchTerm).where(IdeaSearchTerm.idea_id == idea.id))
    _insert_ignore(IdeaSearchVocabulary, [{"term": r["term"]} for r in rows])
    if rows:
        db.session.execute(IdeaSearchTerm.__table__.insert(), rows)


@event.listens_for(Idea, "after_update")
def _follow_area_change(mapper, connection, target: Idea) -> None:
    """An idea referred to another area keeps its index rows in step (area_id is denormalised)."""
    history = inspect(target).attrs.area_id.history
    if history.has_changes():
        connection.execute(
            update(IdeaSearchTerm.__table__)
            .where(IdeaSearchTerm.__table__.c.idea_id == target.id)
            .values(area_id=target.area_id)
        )


# --- searching ---------------------------------------------------------------

@dataclass
class SearchHit:
    idea: Idea
    matched_words: int
    score: int


@dataclass
class SearchResult:
    query: str
    words: list[str]
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    capped: bool = False
    terms: list[str] = field(default_factory=list)  # every term that matched, for highlighting


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def expand(words: list[str]) -> list[tuple[int, str, bool]]:
    """(query word index, term, exact?) for each word and the vocabulary terms containing it."""
    variants: list[tuple[int, str, bool]] = []
    for group, word in enumerate(words):
        variants.append((group, word, True))
        stmt = (
            select(IdeaSearchVocabulary.term)
            .where(IdeaSearchVocabulary.term.like(f"%{_escape_like(word)}%", escape="\\"))
            .where(IdeaSearchVocabulary.term != word)
            .order_by(func.length(IdeaSearchVocabulary.term), IdeaSearchVocabulary.term)
            .limit(MAX_VARIANTS)
        )
        variants.extend((group, term, False) for term in db.session.scalars(stmt))
    return variants


def ranking_sql(variants, area_id: int | None, include_hidden: bool) -> tuple[str, dict]:
    """The ranking statement, written once as portable SQL (the same text runs on SQLite and PostgreSQL).

    One bounded index range per term (newest ideas first), unioned; per query word the best
    weight; per idea the number of words matched and the sum of weights; the best
    MAX_RESULTS + 1 joined to ideas for visibility.
    """
    params: dict = {}
    parts = []
    for n, (group, term, exact) in enumerate(variants):
        params[f"t{n}"] = term
        weights = (4, 2) if exact else (3, 1)
        limit = CANDIDATES_PER_TERM if exact else CANDIDATES_PER_VARIANT
        area = " AND area_id = :area_id" if area_id is not None else ""
        parts.append(
            f"SELECT * FROM (SELECT idea_id, {int(group)} AS grp, "
            f"CASE WHEN in_title THEN {weights[0]} ELSE {weights[1]} END AS w "
            f"FROM idea_search_terms WHERE term = :t{n}{area} ORDER BY idea_id DESC LIMIT {int(limit)}) AS c{n}"
        )
    if area_id is not None:
        params["area_id"] = area_id
    visible = "" if include_hidden else " WHERE ideas.hidden_at IS NULL AND NOT ideas.pending_review"
    sql = (
        "SELECT best.idea_id, best.matched, best.score FROM ("
        " SELECT idea_id, COUNT(grp) AS matched, SUM(w) AS score FROM ("
        "  SELECT idea_id, grp, MAX(w) AS w FROM (" + " UNION ALL ".join(parts) + ") AS candidates"
        "  GROUP BY idea_id, grp) AS per_word"
        " GROUP BY idea_id ORDER BY matched DESC, score DESC, idea_id DESC"
        f" LIMIT {MAX_RESULTS + 1}) AS best"
        " JOIN ideas ON ideas.id = best.idea_id" + visible +
        " ORDER BY best.matched DESC, best.score DESC, best.idea_id DESC"
    )
    return sql, params


def search_ideas(
    query: str,
    *,
    area: Area | None = None,
    include_hidden: bool = False,
    limit: int = 20,
    offset: int = 0,
    words: list[str] | None = None,
) -> SearchResult:
    """Ideas matching `query` (all areas, or one), best first. See the module docstring."""
    query = (query or "").strip()
    if words is None:
        words = tokenize(query) or tokenize(query, keep_stopwords=True)
    words = words[:MAX_QUERY_WORDS]
    result = SearchResult(query=query, words=words)
    if not words:
        return result
    variants = expand(words)
    sql, params = ranking_sql(variants, area.id if area is not None else None, include_hidden)
    # At most 201 small rows: fetch them all once, count them and cut the page here.
    ranked_rows = db.session.execute(text(sql), params).all()
    found = len(ranked_rows)
    rows = ranked_rows[min(offset, MAX_RESULTS):min(offset, MAX_RESULTS) + min(limit, MAX_RESULTS)]
    result.total = min(found, MAX_RESULTS)
    result.capped = found > MAX_RESULTS
    # The ranking's own filter is the public rule written in SQL; the rows are read through the
    # one visibility rule as well, so that search can never show more than the lists do.
    from app.permissions import visible_ideas_clause

    stmt = select(Idea).where(Idea.id.in_([r.idea_id for r in rows]))
    if not include_hidden:
        stmt = stmt.where(visible_ideas_clause(None))
    ideas = {
        i.id: i
        for i in db.session.scalars(stmt.options(selectinload(Idea.area), selectinload(Idea.subdistrict)))
    }
    result.hits = [SearchHit(ideas[r.idea_id], int(r.matched), int(r.score)) for r in rows if r.idea_id in ideas]
    # Highlight the words themselves and the vocabulary terms that matched them.
    result.terms = sorted({term for _, term, _ in variants} | set(words), key=len, reverse=True)
    return result


def find_similar(area: Area, text: str, limit: int = 5, *, exclude_id: int | None = None) -> list[Idea]:
    """Public ideas of `area` that look like `text` (a title being typed), best first."""
    words = tokenize(text)
    if not words:
        return []
    result = search_ideas(text, area=area, limit=limit + (1 if exclude_id else 0), words=words)
    return [hit.idea for hit in result.hits if hit.idea.id != exclude_id][:limit]
