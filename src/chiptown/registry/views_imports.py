"""Operators' import and export pages: upload a file and watch its import, download templates and exports."""

import uuid

from django import forms
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from chiptown.core.errors import PermissionDenied
from chiptown.registry import exporters, importers
from chiptown.registry.models import (
    ChainRole,
    ChipCategory,
    ImportBatch,
    Lifecycle,
    LinkStatus,
    Organisation,
    Product,
    Qualification,
    SizeBand,
    SupplyLink,
)


class ImportForm(forms.Form):
    kind = forms.ChoiceField(label=gettext_lazy("What the file holds"), choices=ImportBatch.Kind.choices)
    file = forms.FileField(label=gettext_lazy("CSV or Excel (.xlsx) file"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check the file; write nothing"), required=False)

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size and upload.size > importers.MAX_FILE_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(n)d MiB.") % {"n": importers.MAX_FILE_BYTES // (1024 * 1024)}
            )
        return upload


def _require_importer(request: HttpRequest) -> None:
    if not request.user.has_perm("registry.import_registry"):
        raise PermissionDenied(_("Only operators may import and export the registry."))


def _column_docs() -> list[dict[str, object]]:
    return [
        {
            "kind": kind,
            "label": importers.kind_label(kind),
            "columns": importers.COLUMNS[kind],
            "required": [" / ".join(group) for group in importers.REQUIRED_COLUMNS[kind]],
        }
        for kind in importers.KINDS
    ]


def _code_lists() -> dict[str, object]:
    """The codes the columns accept, for the page's reference lists."""
    return {
        "roles": ChainRole.choices,
        "size_bands": SizeBand.choices,
        "lifecycles": Lifecycle.choices,
        "link_statuses": LinkStatus.choices,
        "categories": ChipCategory.objects.all(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: HttpRequest) -> HttpResponse:
    """The upload form; the import itself runs as a background job and the result page follows its progress."""
    _require_importer(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        batch = importers.import_batch_submit(
            by=request.user,
            kind=form.cleaned_data["kind"],
            filename=upload.name or "upload",
            data=upload.read(),
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("registry:import_result", batch_id=batch.pk)
    recent = ImportBatch.objects.select_related("job", "created_by").defer("data")[:10]
    return render(
        request,
        "registry/import.html",
        {"form": form, "recent": recent, "kinds": _column_docs(), "formats": exporters.FORMATS, **_code_lists()},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def import_result(request: HttpRequest, batch_id: uuid.UUID) -> HttpResponse:
    """An import's progress, then its counts and warnings, or every problem found; HTMX polls the partial."""
    _require_importer(request)
    batch = ImportBatch.objects.select_related("job", "created_by").defer("data").filter(pk=batch_id).first()
    if batch is None or batch.job is None:
        raise Http404(_("No such import."))
    context = {"batch": batch, "job": batch.job}
    if request.headers.get("HX-Request"):
        return render(request, "registry/import_progress.html", context)
    return render(request, "registry/import_result.html", context)


@require_GET
def import_template(request: HttpRequest, kind: str, fmt: str) -> HttpResponse:
    """A template to fill in: the header and example rows. Public: it holds no registry data."""
    if kind not in importers.KINDS or fmt not in exporters.FORMATS:
        raise Http404(_("No such template."))
    response = HttpResponse(exporters.template_bytes(kind, fmt), content_type=exporters.CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exporters.export_filename(kind, fmt, template=True)}"'
    return response


@login_required
@require_GET
def export_page(request: HttpRequest) -> HttpResponseBase:
    """With ?kind=…&format=…, the registry's rows of that kind as a file (CSV streamed); without, the page."""
    _require_importer(request)
    kind = request.GET.get("kind", "")
    fmt = request.GET.get("format", "csv")
    if kind:
        if kind not in importers.KINDS or fmt not in exporters.FORMATS:
            raise Http404(_("No such export."))
        filename = exporters.export_filename(kind, fmt)
        response: HttpResponse | StreamingHttpResponse
        if fmt == "csv":
            response = StreamingHttpResponse(exporters.csv_chunks(kind), content_type=exporters.CONTENT_TYPES[fmt])
        else:
            import tempfile

            with tempfile.SpooledTemporaryFile(max_size=32 * 1024 * 1024) as target:
                exporters.write_xlsx(kind, target)
                target.seek(0)
                response = HttpResponse(target.read(), content_type=exporters.CONTENT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    counts = {
        "organisations": Organisation.objects.count(),
        "products": Product.objects.count(),
        "qualifications": Qualification.objects.count(),
        "supply_links": SupplyLink.objects.aggregate(n=Count("id"))["n"],
    }
    kinds = [{"kind": k, "label": importers.kind_label(k), "count": counts[k]} for k in importers.KINDS]
    return render(request, "registry/export.html", {"kinds": kinds, "formats": exporters.FORMATS})
