"""Jinja filters and globals: Buddhist-Era dates, baht, the current locale."""
from __future__ import annotations

import re
from functools import lru_cache

from flask import Flask, request
from flask_login import current_user
from markupsafe import Markup, escape

from app.core import formatting
from app.core.locale import current_locale
from app.core.submissions import new_submission_token


def scroll_region(label) -> Markup:
    """Attributes for a box that scrolls sideways (a wide table on a phone).

    A keyboard user must be able to reach it to scroll it, and a screen reader
    user must hear what it holds: it is a labelled region in the tab order
    (axe-core's scrollable-region-focusable). Use it on every `.table-scroll`.
    """
    from flask_babel import gettext

    hint = gettext("Scroll sideways to see the whole table")
    return Markup(' role="region" tabindex="0" aria-label="%s" data-hint="%s"') % (str(label), hint)


_THAI_RUN = re.compile(r"[\u0E00-\u0E7F]+")


@lru_cache(maxsize=512)
def keep_words(text: str) -> Markup:
    """`text` with each Thai word kept whole on a line (for narrow table headers).

    Thai has no spaces, so a browser breaks a Thai run where its own
    dictionary finds a word boundary, and splits words that are compounds in
    its dictionary ("รับผิด|ชอบ"). The words found by PyThaiNLP (newmm, the
    segmenter search uses) are each wrapped in a span that does not break;
    lines may still break between words and at spaces.
    """
    from pythainlp.tokenize import word_tokenize

    parts: list[str] = []
    last = 0
    value = str(text)
    for run in _THAI_RUN.finditer(value):
        parts.append(str(escape(value[last:run.start()])))
        words = word_tokenize(run.group(), engine="newmm", keep_whitespace=True)
        parts.append("<wbr>".join(f'<span class="keep-word">{escape(w)}</span>' if len(w) > 1 else str(escape(w))
                                  for w in words))
        last = run.end()
    parts.append(str(escape(value[last:])))
    return Markup("".join(parts))


def init_templating(app: Flask) -> None:
    env = app.jinja_env
    env.filters["date"] = lambda value, short=False: formatting.format_date(value, current_locale(), short)
    env.filters["datetime"] = lambda value: formatting.format_datetime(value, current_locale())
    env.filters["baht"] = lambda value, symbol=True: formatting.format_baht(value, current_locale(), symbol)
    env.filters["fiscal_year"] = lambda value: formatting.format_fiscal_year(value, current_locale())
    env.filters["number"] = lambda value: f"{value:,}" if value is not None else ""
    env.filters["keep_words"] = lambda value: keep_words(str(value)) if value is not None else ""
    env.globals["url_map_endpoints"] = app.view_functions
    env.globals["new_submission_token"] = new_submission_token
    env.filters["localname"] = lambda obj: obj.name(current_locale()) if obj is not None else ""
    # An area named inside a sentence ("Ideas for %(area)s"): จังหวัดเชียงใหม่ in Thai (Area.title).
    env.filters["areaname"] = lambda obj: obj.title(current_locale()) if obj is not None else ""
    env.globals["scroll_region"] = scroll_region

    @app.context_processor
    def inject_globals():
        return {
            "current_locale": current_locale(),
            "current_path": request.full_path.rstrip("?") if request else "/",
            "header_counts": _header_counts(),
            "nav_items": _nav_items(),
        }

    def _nav_items() -> list[dict[str, str]]:
        """Main-menu links that domains add: app.extensions["ruamkhit_nav"] holds (label, endpoint)."""
        from flask import url_for

        return [
            {"label": str(label), "url": url_for(endpoint)}
            for label, endpoint in app.extensions.get("ruamkhit_nav", [])
            if endpoint in app.view_functions
        ]

    def _header_counts() -> dict[str, int]:
        """Counts shown in the header (unread notifications, moderation queue).

        Domains append providers, callables(user) -> dict, to
        app.extensions["ruamkhit_header_counts"] when their blueprint is registered.
        """
        if not getattr(current_user, "is_authenticated", False):
            return {}
        counts: dict[str, int] = {}
        for provider in app.extensions.get("ruamkhit_header_counts", []):
            counts.update(provider(current_user))
        return counts
