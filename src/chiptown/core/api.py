"""What every app's API shares (who is calling: token, session or anonymous) and job progress for scripts.

The authentication lives here rather than in chiptown.api so that app routers can import it without
importing the root API that mounts them.
"""

import uuid
from datetime import datetime
from typing import Any

from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer
from ninja.security.session import SessionAuth

from chiptown.accounts.models import ApiToken
from chiptown.core import selectors
from chiptown.core.errors import NotFound


class BearerToken(HttpBearer):
    """`Authorization: Bearer ct_…` with a token from the account page.

    A token that is sent but unknown (wrong, revoked, or its user deactivated) is refused with 401 even on
    endpoints anonymous callers may read: a script should learn that its token is bad, not get public data.
    """

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for_key(token.strip())
        if user is None:
            raise AuthenticationError()
        request.user = user
        if user.language:
            # Pages apply the saved language in UserLanguageMiddleware, which runs before token auth.
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return user


class SignedInSession(SessionAuth):
    """Django's session login, CSRF-checked, but only for a signed-in user.

    ninja's SessionAuth checks CSRF before looking at the session, so an anonymous POST would be told
    "CSRF check failed" (403) instead of "authenticate" (401).
    """

    def __call__(self, request: HttpRequest) -> Any:
        if not request.user.is_authenticated:
            return None
        return super().__call__(request)


def anonymous(request: HttpRequest) -> bool:
    """Lets unauthenticated callers read published data; each endpoint checks permissions itself."""
    return True


# Session auth (with CSRF) for the browser, bearer tokens for scripts, anonymous reads of public data.
read_auth: list[Any] = [BearerToken(), SignedInSession(), anonymous]
write_auth: list[Any] = [BearerToken(), SignedInSession()]


router = Router(tags=["jobs"])


class JobOut(Schema):
    id: uuid.UUID
    kind: str
    title: str
    status: str
    progress: int
    message: str
    result: Any = None
    error: Any = None
    created_at: datetime
    finished_at: datetime | None = None


@router.get("/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: uuid.UUID) -> Any:
    if not request.user.is_authenticated:
        raise NotFound(_("No such job."))
    job = selectors.job_visible_to(job_id=job_id, user=request.user)
    if job is None:
        raise NotFound(_("No such job."))
    return job
