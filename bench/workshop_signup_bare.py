"""URLs of the bare-view baseline of the workshop_signup benchmark: the project's URLs and one extra address, a
sign-up that does only the conditional seat update and the sign-up row: no authentication, no checks, no audit, no
waiting-list position."""

from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, JsonResponse
from django.urls import URLPattern, URLResolver, include, path
from django.views.decorators.csrf import csrf_exempt

from chiptown.events.models import Session, Signup


@csrf_exempt
def bare_signup(request: HttpRequest, session_id: int, registration_id: int) -> JsonResponse:
    with transaction.atomic():
        taken = Session.objects.filter(pk=session_id, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
        status = "confirmed" if taken else "waiting"
        Signup.objects.create(session_id=session_id, registration_id=registration_id, status=status)
    return JsonResponse({"status": status})


urlpatterns: list[URLPattern | URLResolver] = [
    path("bench/bare-signup/<int:session_id>/<int:registration_id>/", bare_signup),
    path("", include("chiptown.urls")),
]
