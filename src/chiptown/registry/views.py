"""Registry pages (placeholder views, filled in below)."""

from django.http import HttpRequest, HttpResponse


def directory(request: HttpRequest) -> HttpResponse:
    return HttpResponse("directory")


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return HttpResponse("organisation")


def chain_map(request: HttpRequest) -> HttpResponse:
    return HttpResponse("chain map")


def import_upload(request: HttpRequest) -> HttpResponse:
    return HttpResponse("import")


def export_download(request: HttpRequest) -> HttpResponse:
    return HttpResponse("export")
