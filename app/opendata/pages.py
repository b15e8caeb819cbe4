"""What the statistics pages and their CSV files show, built from a stored snapshot (no query of ideas).

Templates only draw; the numbers, labels and chart geometry are made here.
"""
from __future__ import annotations

import csv
import io
from datetime import datetime
from typing import Any, Optional

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.core.timeutil import BANGKOK
from app.ideas.models import CATEGORY_LABELS, STATUS_LABELS, IdeaCategory, IdeaStatus
from app.opendata import charts
from app.opendata.statistics import MONTHS_SHOWN, RANKING_MIN_IDEAS, all_months, month_series

CHARTS = ("ideas-per-month", "response-time", "categories", "statuses", "engagement-per-month",
          "participants", "turnout", "ranking")
RANKING_SHOWN = 50

PARTICIPANT_LABELS = {
    "submitted": _l("Submitted an idea"),
    "supported": _l("Supported an idea"),
    "commented": _l("Commented"),
    "voted": _l("Voted online"),
    "any": _l("Any of these (each person once)"),
}


def _percent(share: Optional[float], locale: str) -> str:
    if share is None:
        return "–"
    return f"{share * 100:.1f}%"


def _share(n: int, total: int) -> Optional[float]:
    return n / total if total else None


def last_month(data: dict[str, Any]) -> str:
    computed = datetime.fromisoformat(data["computed_at"]).astimezone(BANGKOK)
    return f"{computed.year:04d}-{computed.month:02d}"


def view(data: dict[str, Any], locale: str) -> dict[str, Any]:
    last = last_month(data)
    ideas = month_series(data["submitted"], last)
    answered = dict(month_series(data["answered"], last))
    months = [(key, [n, answered[key]]) for key, n in ideas]
    supports = month_series(data["supports"], last)
    comments = dict(month_series(data["comments"], last))
    engagement = [(key, [n, comments[key]]) for key, n in supports]
    categories = [(str(CATEGORY_LABELS[c]), data["categories"].get(c.value, 0)) for c in IdeaCategory]
    statuses = [(str(STATUS_LABELS[s]), data["statuses"].get(s.value, 0)) for s in IdeaStatus]
    response = data.get("response")
    response_bars = None
    if response and response["total"]:
        s15, s30 = _share(response["within_15"], response["total"]), _share(response["within_30"], response["total"])
        response_bars = charts.bar_chart([
            (_("Answered within 15 days"), s15, _percent(s15, locale)),
            (_("Answered within 30 days"), s30, _percent(s30, locale)),
        ], maximum=1.0)
    turnout_rows = []
    for t in data.get("turnout", []):
        ballots = t["online"] + t["paper"] + t["imported"]
        share = _share(ballots, t["eligible"]) if t["eligible"] else None
        turnout_rows.append({**t, "ballots": ballots, "share": share, "share_text": _percent(share, locale)})
    turnout_chart = charts.bar_chart(
        [(f"{t['title']} — {t['budget_name']}", t["share"] or 0, t["share_text"]) for t in turnout_rows], maximum=1.0
    ) if turnout_rows else None
    participants = data.get("participants", {})
    ranking = data.get("ranking")
    return {
        "computed_at": datetime.fromisoformat(data["computed_at"]),
        "months_shown": MONTHS_SHOWN,
        "totals": {
            "ideas": sum(data["submitted"].values()), "answered": sum(data["answered"].values()),
            "supports": sum(data["supports"].values()), "comments": sum(data["comments"].values()),
            "participants": participants.get("any", 0),
        },
        "ideas_chart": charts.column_chart(months, 2, locale),
        "ideas_rows": [(charts.month_label(k, locale), v[0], v[1]) for k, v in months],
        "engagement_chart": charts.column_chart(engagement, 2, locale),
        "engagement_rows": [(charts.month_label(k, locale), v[0], v[1]) for k, v in engagement],
        "categories_chart": charts.bar_chart([(label, n, f"{n:,}") for label, n in categories]),
        "categories": categories,
        "statuses_chart": charts.bar_chart([(label, n, f"{n:,}") for label, n in statuses]),
        "statuses": statuses,
        "response": response, "response_chart": response_bars,
        "median_text": (f"{response['median_days']:.1f}" if response and response["median_days"] is not None else None),
        "participants": [(str(PARTICIPANT_LABELS[k]), participants.get(k, 0)) for k in PARTICIPANT_LABELS],
        "participants_chart": charts.bar_chart(
            [(str(PARTICIPANT_LABELS[k]), participants.get(k, 0), f"{participants.get(k, 0):,}") for k in PARTICIPANT_LABELS]),
        "turnout": turnout_rows, "turnout_chart": turnout_chart,
        "ranking": _ranking_rows(ranking[:RANKING_SHOWN], locale) if ranking is not None else None,
        "ranking_total": len(ranking) if ranking is not None else 0,
        "ranking_min": RANKING_MIN_IDEAS,
        "window_days": data["window_days"],
    }


def _ranking_rows(rows: list[list], locale: str) -> list[dict[str, Any]]:
    return [{
        "position": i, "code": r[0], "name": r[1] if locale == "th" else r[2], "ideas": r[4], "answered": r[5],
        "median": f"{r[6]:.1f}" if r[6] is not None else "–", "share_15": _percent(r[7], locale),
        "share_30": _percent(r[8], locale),
    } for i, r in enumerate(rows, start=1)]


def chart_csv(data: dict[str, Any], chart: str, locale: str) -> str:
    """One chart's figures as CSV (UTF-8; the route adds the BOM), the whole history where it is a series."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    last = last_month(data)
    if chart == "ideas-per-month":
        w.writerow(["month", "ideas_submitted", "ideas_answered"])
        for m in all_months(data["submitted"], data["answered"], last=last):
            w.writerow([m, data["submitted"].get(m, 0), data["answered"].get(m, 0)])
    elif chart == "engagement-per-month":
        w.writerow(["month", "supports", "comments"])
        for m in all_months(data["supports"], data["comments"], last=last):
            w.writerow([m, data["supports"].get(m, 0), data["comments"].get(m, 0)])
    elif chart == "categories":
        w.writerow(["category", "label", "ideas"])
        for c in IdeaCategory:
            w.writerow([c.value, str(CATEGORY_LABELS[c]), data["categories"].get(c.value, 0)])
    elif chart == "statuses":
        w.writerow(["status", "label", "ideas"])
        for s in IdeaStatus:
            w.writerow([s.value, str(STATUS_LABELS[s]), data["statuses"].get(s.value, 0)])
    elif chart == "response-time":
        r = data.get("response") or {"total": 0, "answered": 0, "median_days": None, "within_15": 0, "within_30": 0}
        w.writerow(["window_days", "ideas", "answered", "median_days", "answered_within_15_days",
                    "answered_within_30_days", "share_within_15_days", "share_within_30_days"])
        w.writerow([data["window_days"], r["total"], r["answered"],
                    "" if r["median_days"] is None else round(r["median_days"], 3), r["within_15"], r["within_30"],
                    "" if not r["total"] else round(r["within_15"] / r["total"], 4),
                    "" if not r["total"] else round(r["within_30"] / r["total"], 4)])
    elif chart == "participants":
        w.writerow(["activity", "label", "people"])
        for k, label in PARTICIPANT_LABELS.items():
            w.writerow([k, str(label), data.get("participants", {}).get(k, 0)])
    elif chart == "turnout":
        w.writerow(["area_code", "cycle_id", "fiscal_year", "cycle", "budget_id", "budget", "online_ballots",
                    "paper_ballots", "imported_ballots", "eligible_voters", "turnout"])
        for t in data.get("turnout", []):
            ballots = t["online"] + t["paper"] + t["imported"]
            w.writerow([t.get("area_code", ""), t["cycle_id"], t["fiscal_year"], t["title"], t["budget_id"], t["budget_name"],
                        t["online"], t["paper"], t["imported"], "" if t["eligible"] is None else t["eligible"],
                        "" if not t["eligible"] else round(ballots / t["eligible"], 4)])
    elif chart == "ranking":
        w.writerow(["position", "area_code", "area_name_th", "area_name_en", "ideas", "answered", "median_days",
                    "share_within_15_days", "share_within_30_days"])
        for i, r in enumerate(data.get("ranking") or [], start=1):
            w.writerow([i, r[0], r[1], r[2], r[4], r[5], "" if r[6] is None else r[6], r[7], r[8]])
    else:  # pragma: no cover - the route checks the name first
        raise KeyError(chart)
    return out.getvalue()
