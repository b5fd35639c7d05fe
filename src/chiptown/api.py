"""The /api/v1 root: one NinjaAPI, each app's router mounted on it, one handler for expected errors."""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.security import HttpBearer, django_auth

from chiptown.accounts.models import ApiToken
from chiptown.core.errors import ChipTownError


class BearerToken(HttpBearer):
    """`Authorization: Bearer ct_…` with a token from the account page."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for_key(token)
        if user is not None:
            request.user = user
        return user


def anonymous(request: HttpRequest) -> bool:
    """Lets unauthenticated callers read published data; each endpoint checks permissions itself."""
    return True


# Session auth (with CSRF) for the browser, bearer tokens for scripts, anonymous reads of public data.
read_auth = [BearerToken(), django_auth, anonymous]
write_auth = [BearerToken(), django_auth]

api = NinjaAPI(
    title="ChipTown API",
    version="1",
    urls_namespace="api",
    description="The automotive-chip industry chain registry and programme of a park.",
    auth=read_auth,
)


@api.exception_handler(ChipTownError)
def chiptown_error(request: HttpRequest, exc: ChipTownError) -> HttpResponse:
    return api.create_response(request, exc.as_dict(), status=exc.status)


def _mount() -> None:
    from chiptown.core.api import router as core_router
    from chiptown.registry.api import router as registry_router

    api.add_router("/jobs", core_router)
    api.add_router("/", registry_router)


_mount()
