"""The /api/v1 root: one NinjaAPI, each app's router mounted on it, one handler shape for every error."""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

from chiptown.core.api import read_auth, write_auth
from chiptown.core.errors import ChipTownError, Problem

__all__ = ["api", "read_auth", "write_auth"]


api = NinjaAPI(
    title="ChipTown API",
    version="1",
    urls_namespace="api",
    description=(
        "The automotive-chip industry chain registry and programme of a park. "
        "Reads are open; writes need a session login (with the X-CSRFToken header) or "
        "`Authorization: Bearer <token>` with a token from /accounts/profile/. "
        "Every error answers `{code, message, problems: [{row, column, reason}]}`."
    ),
    auth=read_auth,
)


def error_response(
    request: HttpRequest, *, status: int, code: str, message: str, problems: list[Problem] | None = None
) -> HttpResponse:
    return api.create_response(
        request, ChipTownError(message, code=code, status=status, problems=problems).as_dict(), status=status
    )


@api.exception_handler(ChipTownError)
def chiptown_error(request: HttpRequest, exc: ChipTownError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _column(location: list[Any] | tuple[Any, ...]) -> str | None:
    """ninja's error location without its bookkeeping: ("body", "payload", "share") -> "share"."""
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "form", "file", "header", "cookie"}:
        parts = parts[1:]
    if parts and parts[0] in {"payload", "filters", "pagination"}:
        parts = parts[1:]
    return ".".join(parts) or None


def _problem(error: dict[str, Any]) -> Problem:
    column = _column(error.get("loc", ()))
    if column is None:
        # The body as a whole is missing or is not a JSON object.
        return Problem(reason=_("Send a JSON object with the fields this endpoint takes."))
    return Problem(reason=str(error.get("msg", "")), column=column)


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [_problem(error) for error in exc.errors]
    return error_response(
        request, status=422, code="invalid", message=_("Some fields are not valid."), problems=problems
    )


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, status=404, code="not_found", message=_("Not found."))


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return error_response(
            request,
            status=401,
            code="unauthenticated",
            message=_("Log in, or send a valid API token as 'Authorization: Bearer <token>'."),
        )
    if isinstance(exc, Throttled):
        return error_response(request, status=429, code="throttled", message=_("Too many requests; slow down."))
    text = str(exc)
    if text.startswith("Cannot parse request body"):
        return error_response(request, status=400, code="malformed", message=_("The request body is not valid JSON."))
    if text.startswith("CSRF check"):
        return error_response(
            request,
            status=403,
            code="csrf",
            message=_("CSRF check failed: a session login must send the X-CSRFToken header."),
        )
    return error_response(request, status=exc.status_code, code=f"http_{exc.status_code}", message=text)


def _mount() -> None:
    from chiptown.competitions.api import router as competition_router
    from chiptown.core.api import router as core_router
    from chiptown.events.api import router as events_router
    from chiptown.registry.api import router as registry_router
    from chiptown.reports.api import router as reports_router

    api.add_router("/jobs", core_router)
    api.add_router("/competition", competition_router)
    api.add_router("/events", events_router)
    api.add_router("/reports", reports_router)
    api.add_router("/", registry_router)


_mount()
