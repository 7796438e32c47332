"""The HTTP contract as the OpenAPI document states it, in one place.

- Every error answer is an RFC 9457 problem (`application/problem+json`) —
  under /open311/ a GeoReport error list instead, which Open311 clients read — and
  each operation lists the statuses it can answer: those it declares (its
  domain's 404, 409, 412, ...) and those that follow from what it depends on
  (a key: 401/403; a service call: 503 with Retry-After; a body: 400, 413,
  422; parameters: 422).
- Every path answers OPTIONS (204) and an undeclared method (405) with an
  `Allow` listing all the methods of that path; a concrete path such as
  `/api/v1/broadcasts/preview` wins over a template that would also match it.
"""
import json
import re
from typing import cast

from fastapi import FastAPI
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from services.gateway import deps
from services.gateway.problems import PROBLEM_JSON, TITLES, ProblemDetails, error_response

PROBLEM_REF = "#/components/schemas/ProblemDetails"
# FastAPI's own description of a 422, replaced by the problem it really is
FASTAPI_VALIDATION_REFS = ("#/components/schemas/HTTPValidationError", "#/components/schemas/ValidationError")
RETRY_AFTER = {"Retry-After": {"description": "seconds to wait before trying again",
                               "schema": {"type": "integer"}}}
METHOD_ORDER = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def _dependencies(dependant):
    for sub in dependant.dependencies:
        yield sub
        yield from _dependencies(sub)


def implied_statuses(route: APIRoute) -> set[int]:
    """The error statuses a route can answer because of what it depends on."""
    everything = (route.dependant, *_dependencies(route.dependant))
    calls = {dependant.call for dependant in everything}
    statuses = set()
    if deps.optional_principal in calls:
        statuses |= {401, 403}  # a wrong key; a role that may not, or a session without its CSRF token
    if deps.rpc_for_request in calls:
        statuses.add(503)
    if route.body_field is not None:
        statuses |= {400, 413, 422}  # unreadable, too large, invalid
    if any(d.path_params or d.query_params or d.header_params or d.cookie_params for d in everything):
        statuses.add(422)
    return statuses


def _problem_content() -> dict:
    return {PROBLEM_JSON: {"schema": {"$ref": PROBLEM_REF}}}


def _is_problem(response: dict) -> bool:
    """A response documented as FastAPI's default validation error or as a
    problem (possibly under application/json too); anything else is a shape
    the route chose itself and keeps."""
    content = response.get("content")
    if not content:
        return True
    if not set(content) <= {"application/json", PROBLEM_JSON}:
        return False
    schemas = [media.get("schema") for media in content.values() if media.get("schema")]
    # a schema that is not a reference to a problem (say, Open311's list of errors) is a shape of its own
    return all(schema.get("$ref") in (PROBLEM_REF, *FASTAPI_VALIDATION_REFS) for schema in schemas)


def describe_errors(spec: dict, routes) -> dict:
    """Document every error answer of every operation (see the module's docstring)."""
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("ProblemDetails", ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}"))
    for context in iter_route_contexts(routes):
        route = context.original_route
        if not isinstance(route, APIRoute) or not route.include_in_schema:
            continue
        for method in context.methods or ():  # an APIRoute always has its methods
            operation = spec["paths"].get(context.path_format, {}).get(method.lower())
            if operation is None:
                continue
            responses = operation.setdefault("responses", {})
            errors = {int(s): r for s, r in responses.items() if s.isdigit() and int(s) >= 400}
            own = [r for r in errors.values() if not _is_problem(r)]
            for status in implied_statuses(route) | set(errors):
                response = responses.get(str(status))
                if response is not None and not _is_problem(response):
                    continue
                description = TITLES.get(status, ("", "", "Error"))[2]
                if own:
                    # a route with an error shape of its own (Open311) answers all its errors in it
                    responses[str(status)] = {"description": description, "content": own[0]["content"]}
                    continue
                documented = {"description": description, "content": _problem_content()}
                if status == 503:
                    documented["headers"] = RETRY_AFTER
                responses[str(status)] = documented
            operation["responses"] = dict(sorted(responses.items()))
    for ref in FASTAPI_VALIDATION_REFS:  # HTTPValidationError first: it holds the other
        if f'"{ref}"' not in json.dumps(spec):
            schemas.pop(ref.rsplit("/", 1)[1], None)
    return spec


# How an answer leads to the next call (OpenAPI links): what a reader of /docs can follow, and
# what the stateful phase of tests/test_contract.py chains. (method, path, status) -> links.
# Only what exists when the answer is given: none from an aspiration's 202 (accepted, not yet
# created; its tracking code is known once the aspirations service took it from the intake queue).
KIM = {"kim_id": "$response.body#/id"}
SAME_KIM = {"kim_id": "$request.path.kim_id"}
LINKS = {
    ("post", "/api/v1/kims", "201"): {
        "GetKim": ("get", "/api/v1/kims/{kim_id}", KIM), "UpdateKim": ("patch", "/api/v1/kims/{kim_id}", KIM),
        "AddMember": ("post", "/api/v1/kims/{kim_id}/members", KIM),
        "ListMembers": ("get", "/api/v1/kims/{kim_id}/members", KIM),
        "ReportActivity": ("post", "/api/v1/kims/{kim_id}/activities", KIM),
        "ListActivities": ("get", "/api/v1/kims/{kim_id}/activities", KIM),
        "ChangeStatus": ("post", "/api/v1/kims/{kim_id}/status", KIM),
        "StatusHistory": ("get", "/api/v1/kims/{kim_id}/status", KIM),
        # not the inbox nor the webhook: the broadcast service learns of a group by event, a moment later
        "PublicKim": ("get", "/api/v1/public/kims/{kim_id}", KIM)},
    ("post", "/api/v1/kims/{kim_id}/members", "201"): {
        "RemoveMember": ("delete", "/api/v1/kims/{kim_id}/members/{member_id}",
                         {**SAME_KIM, "member_id": "$response.body#/id"})},
    ("post", "/api/v1/broadcasts", "201"): {
        name: (method, path, {"broadcast_id": "$response.body#/id"}) for name, method, path in (
            ("GetBroadcast", "get", "/api/v1/broadcasts/{broadcast_id}"),
            ("Publish", "post", "/api/v1/broadcasts/{broadcast_id}/publish"),
            ("Deliveries", "get", "/api/v1/broadcasts/{broadcast_id}/deliveries"))},
    ("post", "/api/v1/keys", "201"): {
        "RevokeKey": ("delete", "/api/v1/keys/{key_id}", {"key_id": "$response.body#/id"})},
    ("post", "/api/v1/accounts", "201"): {
        "NewSetupLink": ("post", "/api/v1/accounts/{account_id}/setup-link", {"account_id": "$response.body#/id"}),
        "DisableAccount": ("delete", "/api/v1/accounts/{account_id}", {"account_id": "$response.body#/id"})},
}


def describe_links(spec: dict) -> dict:
    for (method, path, status), links in LINKS.items():
        response = spec["paths"].get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        response["links"] = {
            name: {"operationId": spec["paths"][target][target_method]["operationId"], "parameters": parameters}
            for name, (target_method, target, parameters) in links.items()
            if target_method in spec["paths"].get(target, {})}
    return spec


def install(app: FastAPI):
    """The described OpenAPI document, and OPTIONS and 405 answers with the full Allow."""
    generate = app.openapi

    def openapi():
        if app.openapi_schema is None:
            describe_links(describe_errors(generate(), app.routes))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented way to extend the schema
    app.add_middleware(MethodGuard, router=app.router)


class MethodGuard:
    """Pure ASGI middleware: answers OPTIONS, and an undeclared method with 405,
    with `Allow` naming every method of the matched path (Starlette's own 405
    names only the first route's methods, and a template can shadow a
    concrete path)."""

    def __init__(self, app, router):
        self.app = app
        self.router = router
        self._paths = None

    def paths(self) -> list[tuple[re.Pattern, int, frozenset]]:
        """(regex, template parameters, methods) per path, concrete paths first."""
        if self._paths is None:
            methods: dict[str, set] = {}
            regexes: dict[str, re.Pattern] = {}
            for route in iter_route_contexts(self.router.routes):
                if isinstance(route.original_route, Route) and route.methods:
                    path = cast(str, route.path)  # a Route's context always has its path
                    methods.setdefault(path, set()).update(route.methods)
                    regexes[path] = route.path_regex
            self._paths = sorted(((regexes[p], p.count("{"), frozenset(m)) for p, m in methods.items()),
                                 key=lambda entry: entry[1])
        return self._paths

    def allowed(self, path: str) -> frozenset | None:
        for regex, _, methods in self.paths():
            if regex.match(path):
                return methods
        return None

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        allowed = self.allowed(scope["path"])
        method = scope["method"]
        if allowed is None or method in allowed:
            return await self.app(scope, receive, send)
        allow = ", ".join(m for m in METHOD_ORDER if m in allowed | {"OPTIONS"})
        if method == "OPTIONS":
            response = Response(status_code=204, headers={"Allow": allow})
        else:
            response = error_response(Request(scope), 405, "Metode ini tidak diizinkan di alamat ini.",
                                      "This method is not allowed here.", headers={"Allow": allow})
        await response(scope, receive, send)
