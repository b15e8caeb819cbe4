"""The /api/v1/ blueprint: one thin function per endpoint, the OpenAPI document and its page.

`endpoint()` registers a view with its query and response models: the
wrapper reads the query string with the query model, lets the view read the
data, checks that the view answered with the declared model, and sends it
with ETag / Last-Modified. The same record writes the OpenAPI document.
"""
from __future__ import annotations

from functools import wraps
from typing import Any, Callable

from flask import Blueprint, Response, current_app, render_template, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel
from werkzeug.exceptions import HTTPException

from app.api import schemas as s
from app.api import services
from app.api import models as _models  # noqa: F401 - the api_keys table belongs to the schema
from app.api.http import ApiProblem, add_cors, has_no_valid_key, has_valid_key, refuse_bad_key, json_response, next_link, parse_query, problem_kinds, problem_response
from app.api.openapi import ENDPOINTS, PREFIX, Endpoint, build_document, docs_view
from app.core import ratelimit
from app.core.urls import absolute_url, public_base_url
from app.extensions import limiter

bp = Blueprint("api", __name__, url_prefix=PREFIX, template_folder="templates")
# Without a valid key a request counts against its address; with one, against the key's own limit.
limiter.limit(**ratelimit.rule("API", exempt_when=has_valid_key))(bp)
limiter.limit(**ratelimit.rule("API_KEY", exempt_when=has_no_valid_key))(bp)
bp.before_request(refuse_bad_key)

ID_SCHEMA = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
AREA_CODE_SCHEMA = {"type": "string", "pattern": r"^[0-9]{2}([0-9]{5})?$"}


def endpoint(rule: str, path: str, *, query: type[s.Query], response: type[BaseModel], summary: Any, tag: str,
             path_params: list | None = None, description: Any = "", not_found: bool = False) -> Callable:
    def register(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(**kwargs):
            q = parse_query(query)
            model, modified = view(q, **kwargs)
            if not isinstance(model, response):  # the document promises `response`: never send anything else
                raise TypeError(f"{view.__name__} answered {type(model).__name__}, not {response.__name__}")
            if getattr(model, "next_cursor", None) is not None:
                model.next = next_link(model.next_cursor)
            return json_response(model, modified)

        bp.add_url_rule(rule, view.__name__, wrapped, methods=["GET"])
        ENDPOINTS.append(Endpoint(path=path, name=view.__name__, summary=summary, tag=tag, query=query, response=response,
                                  path_params=path_params or [], description=description, not_found=not_found))
        return wrapped

    return register


# --- the edge: errors, CORS, language ---------------------------------------------------------------


@bp.errorhandler(ApiProblem)
def api_problem(error: ApiProblem):
    return problem_response(error.status, error.detail, invalid=error.invalid, headers=error.headers)


@bp.after_app_request
def cors(response: Response) -> Response:
    if request.path == PREFIX or request.path.startswith(PREFIX + "/"):
        add_cors(response)
    return response


def http_problem(error: HTTPException) -> Response:
    """An HTTP error anywhere under /api/ (unknown address, wrong method, rate limit) as problem+json."""
    headers = {k: v for k, v in error.get_headers() if k.lower() in ("allow", "retry-after")}
    status = error.code or 500
    if status == 429:
        headers.setdefault("Retry-After", "60")
    return problem_response(status, headers=headers)


def is_api_request() -> bool:
    return request.path == PREFIX or request.path.startswith(PREFIX + "/")


# --- meta -------------------------------------------------------------------------------------------


@endpoint("/", "/", query=s.NoQuery, response=s.Index, tag="meta", summary=_l("What this API serves"))
def index(q: s.NoQuery):
    links = [s.Link(rel=e.tag, href=absolute_url("api." + e.name)) for e in ENDPOINTS
             if not e.path_params and e.name != "index"]
    links.append(s.Link(rel="statistics", href=absolute_url("api.get_statistics", scope="TH")))
    return s.Index(
        name=str(_l("Ruamkhit open API")), version="1", openapi=absolute_url("api.openapi_document"),
        documentation=absolute_url("api.docs"), links=links,
    ), None


@bp.get("/openapi.json")
def openapi_document():
    document = build_document(public_base_url())
    response = current_app.json.response(document)
    response.headers["Vary"] = "Accept-Language"
    return response


@bp.get("/docs")
def docs():
    document = build_document(public_base_url())
    return render_template("api/docs.html", doc=document, view=docs_view(document), problems=problem_kinds())


# --- areas ------------------------------------------------------------------------------------------


@endpoint("/areas", "/areas", query=s.AreaQuery, response=s.AreaList, tag="areas",
          summary=_l("Provinces and local governments, by code"),
          description=_l("Local governments carry their 7-digit DLA code; provinces their 2-digit code."))
def list_areas(q: s.AreaQuery):
    return services.list_areas(q)


@endpoint("/areas/<code>", "/areas/{code}", query=s.NoQuery, response=s.Area, tag="areas",
          summary=_l("One area"), path_params=[("code", AREA_CODE_SCHEMA, _l("The area's code."))])
def get_area(q: s.NoQuery, code: str):
    return services.get_area(code)


# --- ideas ------------------------------------------------------------------------------------------


@endpoint("/ideas", "/ideas", query=s.IdeaQuery, response=s.IdeaList, tag="ideas",
          summary=_l("Public ideas, newest first"),
          description=_l("Ideas hidden by a moderator or waiting for review are not served. updated_since takes "
                         "ideas submitted, edited, answered, moved to another status or withdrawn since then "
                         "(supports and comments counted since do not count as changes)."))
def list_ideas(q: s.IdeaQuery):
    return services.list_ideas(q)


@endpoint("/ideas/<int:idea_id>", "/ideas/{idea_id}", query=s.NoQuery, response=s.Idea, tag="ideas",
          summary=_l("One public idea"), path_params=[("idea_id", ID_SCHEMA, _l("The idea's number."))])
def get_idea(q: s.NoQuery, idea_id: int):
    return services.get_idea(idea_id)


# --- proposals --------------------------------------------------------------------------------------


@endpoint("/proposals", "/proposals", query=s.ProposalQuery, response=s.ProposalList, tag="proposals",
          summary=_l("Public proposals, newest first"),
          description=_l("Drafts are not served. Each proposal has its plan item, costs, yearly budgets, the public "
                         "ideas it answers and its history of states with their reasons."))
def list_proposals(q: s.ProposalQuery):
    return services.list_proposals(q)


@endpoint("/proposals/<int:proposal_id>", "/proposals/{proposal_id}", query=s.NoQuery, response=s.Proposal,
          tag="proposals", summary=_l("One public proposal"),
          path_params=[("proposal_id", ID_SCHEMA, _l("The proposal's number."))])
def get_proposal(q: s.NoQuery, proposal_id: int):
    return services.get_proposal(proposal_id)


# --- plans ------------------------------------------------------------------------------------------


@endpoint("/plans", "/plans", query=s.PlanQuery, response=s.PlanList, tag="plans",
          summary=_l("Plans with their tree of items, newest first"))
def list_plans(q: s.PlanQuery):
    return services.list_plans(q)


@endpoint("/plans/<int:plan_id>", "/plans/{plan_id}", query=s.NoQuery, response=s.Plan, tag="plans",
          summary=_l("One plan with its tree of items"), path_params=[("plan_id", ID_SCHEMA, _l("The plan's number."))])
def get_plan(q: s.NoQuery, plan_id: int):
    return services.get_plan(plan_id)


# --- cycles -----------------------------------------------------------------------------------------

CYCLE_ID = [("cycle_id", ID_SCHEMA, _l("The cycle's number."))]


@endpoint("/cycles", "/cycles", query=s.CycleQuery, response=s.CycleList, tag="cycles",
          summary=_l("Budgeting cycles, newest first"),
          description=_l("Phases, budgets and their ballots, the ballot's kind and limits, the counting rule. "
                         "No count of ballots or votes until the results are published."))
def list_cycles(q: s.CycleQuery):
    return services.list_cycles(q)


@endpoint("/cycles/<int:cycle_id>", "/cycles/{cycle_id}", query=s.NoQuery, response=s.Cycle, tag="cycles",
          summary=_l("One budgeting cycle"), path_params=CYCLE_ID)
def get_cycle(q: s.NoQuery, cycle_id: int):
    return services.get_cycle(cycle_id)


@endpoint("/cycles/<int:cycle_id>/results", "/cycles/{cycle_id}/results", query=s.NoQuery, response=s.Results,
          tag="cycles", summary=_l("A cycle's published results"), path_params=CYCLE_ID,
          description=_l("Winners, votes, costs and why each project was or was not funded, with the link to "
                         "the ballots as a .pb file. 404 until the results are published: never while voting is open."))
def get_results(q: s.NoQuery, cycle_id: int):
    return services.get_results(cycle_id)


@endpoint("/cycles/<int:cycle_id>/progress", "/cycles/{cycle_id}/progress", query=s.NoQuery, response=s.Progress,
          tag="cycles", summary=_l("Progress of a cycle's funded projects"), path_params=CYCLE_ID)
def get_progress(q: s.NoQuery, cycle_id: int):
    return services.get_progress(cycle_id)


# --- statistics -------------------------------------------------------------------------------------


@endpoint("/statistics/<scope>", "/statistics/{scope}", query=s.StatisticsQuery, response=s.Statistics, tag="statistics",
          summary=_l("Statistics of the country (TH) or of an area"),
          path_params=[("scope", {"type": "string", "pattern": r"^(TH|[0-9]{2}([0-9]{5})?)$"},
                        _l("TH for the whole country, or an area's code."))],
          description=_l("The figures of the statistics pages, computed every hour (computed_at says when): ideas "
                         "and answers by month, response times, supports, comments, participants and turnout."))
def get_statistics(q: s.StatisticsQuery, scope: str):
    return services.get_statistics(scope)
