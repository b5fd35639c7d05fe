"""The project's URLs plus views that fail on purpose, for the error-middleware tests."""

from django.http import HttpRequest, HttpResponse
from django.urls import path

from chiptown.core.errors import ChipTownError, Conflict, Problem
from chiptown.urls import urlpatterns as project_urlpatterns


def refuse_import(request: HttpRequest) -> HttpResponse:
    raise ChipTownError(
        "The file has 2 wrong rows; nothing was imported.",
        problems=[
            Problem(reason="The check character of credit code X is wrong.", row=3, column="credit_code"),
            Problem(reason="Unknown category.", row=9, column="category"),
        ],
    )


def conflict(request: HttpRequest) -> HttpResponse:
    raise Conflict("Someone else changed this first.")


def crash(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a real bug")


urlpatterns = [
    path("test/refuse-import/", refuse_import),
    path("test/conflict/", conflict),
    path("test/crash/", crash),
    *project_urlpatterns,
]
