"""Registry pages: the directory, an organisation's page and its edit pages, certificates and the chain map.

Plain function views: parse with a form, read through selectors, write through services (which check permissions
again and audit). Expected failures are ChipTownError: field problems go back into the form, refusals become 403
pages through core's middleware.
"""

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from chiptown.core.errors import ChipTownError, PermissionDenied
from chiptown.core.forms import show_problems
from chiptown.registry import chain_layout, forms, search, selectors, services
from chiptown.registry.models import CHAIN_STAGE, ChainRole, ChipCategory, Organisation, Person, Product, Standard

STAGE_LABELS = {
    0: gettext_lazy("Upstream"),
    1: gettext_lazy("Chip makers"),
    2: gettext_lazy("Packaging, test & labs"),
    3: gettext_lazy("Modules / Tier-2"),
    4: gettext_lazy("Tier-1 suppliers"),
    5: gettext_lazy("Vehicle makers"),
    6: gettext_lazy("Investors & government"),
}


def _is_htmx(request: HttpRequest) -> bool:
    """A partial update by HTMX (a history restore wants the whole page)."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def _require(request: HttpRequest, perm: str, target: Any) -> None:
    if not request.user.has_perm(perm, target):
        raise PermissionDenied(_("You may not change this."))


def _organisation_or_404(pk: int) -> Organisation:
    organisation = selectors.organisation_for_edit(pk=pk)
    if organisation is None:
        raise Http404(_("No such organisation."))
    return organisation


def _upload(request: HttpRequest, name: str) -> UploadedFile | None:
    upload = request.FILES.get(name)
    return upload if isinstance(upload, UploadedFile) else None


def _role_labels() -> dict[str, str]:
    return {code: str(label) for code, label in ChainRole.choices}


# --- Directory ---------------------------------------------------------------------------------------------------


@require_GET
@vary_on_headers("HX-Request")
def directory(request: HttpRequest) -> HttpResponse:
    facets = selectors.directory_facets()
    form = forms.DirectoryForm(request.GET, facets=facets)
    query = form.to_query()
    page = selectors.directory_page(query=query, page_number=request.GET.get("page"))
    context = {"form": form, "query": query, "page": page, "role_labels": _role_labels()}
    template = "registry/_directory_results.html" if _is_htmx(request) else "registry/directory.html"
    return render(request, template, context)


@login_required
@require_GET
def directory_export(request: HttpRequest) -> HttpResponseBase:
    """The directory's current result set as an organisations file (CSV or XLSX) in the import's own columns,
    so it can be edited and imported back. Operators only, like the registry-wide export."""
    from chiptown.registry import exporters

    _require(request, "registry.import_registry", None)
    fmt = request.GET.get("format", "csv")
    if fmt not in exporters.FORMATS:
        raise Http404(_("No such export."))
    query = forms.DirectoryForm(request.GET, facets=selectors.directory_facets()).to_query()
    rows = selectors.organisation_export_rows(
        ids=search.directory_ids(query), columns=exporters.header("organisations")
    )
    response: HttpResponseBase
    if fmt == "csv":
        response = StreamingHttpResponse(
            exporters.csv_chunks("organisations", source=rows), content_type=exporters.CONTENT_TYPES[fmt]
        )
    else:
        target = io.BytesIO()
        exporters.write_xlsx("organisations", target, source=rows)
        response = HttpResponse(target.getvalue(), content_type=exporters.CONTENT_TYPES[fmt])
    filename = exporters.export_filename("organisations", fmt).replace("organisations", "directory")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def organisation_suggest(request: HttpRequest) -> HttpResponse:
    """Options for an organisation picker's <datalist>: 'name / other name #id'."""
    text = request.GET.get("supplier") or request.GET.get("q") or ""
    organisations = selectors.organisation_suggestions(text=text) if len(text.strip()) >= 1 else []
    return render(request, "registry/_organisation_options.html", {"organisations": organisations})


# --- Organisation page and edits ------------------------------------------------------------------------------------


@require_GET
def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    page = selectors.organisation_page(pk=pk)
    if page is None:
        raise Http404(_("No such organisation."))
    organisation = page.organisation
    return render(
        request,
        "registry/organisation_detail.html",
        {
            "page": page,
            "organisation": organisation,
            "can_edit": request.user.has_perm("registry.change_organisation", organisation),
            "can_edit_any_link": request.user.has_perm("registry.change_supplylink", None),
            "can_delete": request.user.has_perm("registry.delete_organisation", organisation),
            # every person listed belongs to this organisation, so one check per permission covers them all
            "can_change_people": request.user.has_perm("registry.change_person", organisation),
            "can_delete_people": request.user.has_perm("registry.delete_person", organisation),
            "role_labels": _role_labels(),
        },
    )


def _organisation_form_page(
    request: HttpRequest, form: forms.OrganisationForm, organisation: Organisation | None, status: int = 200
) -> HttpResponse:
    return render(
        request, "registry/organisation_form.html", {"form": form, "organisation": organisation}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request: HttpRequest) -> HttpResponse:
    _require(request, "registry.add_organisation", None)
    if request.method != "POST":
        return _organisation_form_page(request, forms.OrganisationForm(initial={"country": "CN"}), None)
    form = forms.OrganisationForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            organisation = services.organisation_create(
                by=request.user, values=form.values(), roles=form.cleaned_data["roles"]
            )
        except ChipTownError as exc:
            show_problems(form, exc)
        else:
            logo = _upload(request, "logo")
            if logo is not None:
                try:
                    services.organisation_set_logo(organisation=organisation, by=request.user, logo=logo)
                except ChipTownError as exc:
                    messages.warning(request, exc.problems[0].reason if exc.problems else exc.message)
            messages.success(request, _("Organisation created."))
            return redirect(organisation.get_absolute_url())
    return _organisation_form_page(request, form, None, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    _require(request, "registry.change_organisation", organisation)
    if request.method != "POST":
        return _organisation_form_page(request, forms.OrganisationForm.for_organisation(organisation), organisation)
    form = forms.OrganisationForm(request.POST, request.FILES)
    if form.is_valid():
        logo = _upload(request, "logo")
        try:
            with transaction.atomic():  # a refused logo must not leave the other changes half-saved
                services.organisation_update(
                    organisation=organisation, by=request.user, values=form.values(), roles=form.cleaned_data["roles"]
                )
                if logo is not None:
                    services.organisation_set_logo(organisation=organisation, by=request.user, logo=logo)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(organisation.get_absolute_url())
    return _organisation_form_page(request, form, organisation, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    _require(request, "registry.delete_organisation", organisation)
    if request.method == "POST":
        services.organisation_delete(organisation=organisation, by=request.user)
        search.registry_changed()
        messages.success(request, _("Organisation deleted."))
        return redirect("registry:directory")
    return render(
        request,
        "registry/confirm_delete.html",
        {"thing": organisation, "back": organisation.get_absolute_url(), "organisation": organisation},
    )


LOGO_TYPES = ((b"\x89PNG", "image/png"), (b"\xff\xd8", "image/jpeg"))


@require_GET
def organisation_logo(request: HttpRequest, pk: int) -> FileResponse:
    """A logo, typed by its content (services only accept PNG, JPEG and WebP), never a raw path under MEDIA."""
    organisation = Organisation.objects.filter(pk=pk).only("logo").first()
    if organisation is None or not organisation.logo:
        raise Http404(_("No logo."))
    try:
        handle = organisation.logo.open("rb")
    except OSError as exc:
        raise Http404(_("No logo.")) from exc
    head = handle.read(16)
    handle.seek(0)
    content_type = next((kind for magic, kind in LOGO_TYPES if head.startswith(magic)), "")
    if not content_type and head[8:12] == b"WEBP":
        content_type = "image/webp"
    if not content_type:
        handle.close()
        raise Http404(_("No logo."))
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = "public, max-age=3600"
    return response


# --- Products ------------------------------------------------------------------------------------------------------


def _product_form_page(
    request: HttpRequest, form: forms.ProductForm, organisation: Organisation, product: Product | None, status: int
) -> HttpResponse:
    return render(
        request,
        "registry/product_form.html",
        {"form": form, "organisation": organisation, "product": product},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def product_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    _require(request, "registry.add_product", organisation)
    categories = selectors.chip_categories()
    if request.method != "POST":
        return _product_form_page(request, forms.ProductForm(categories=categories), organisation, None, 200)
    form = forms.ProductForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            services.product_create(by=request.user, organisation=organisation, values=form.cleaned_data)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Product added."))
            return redirect(organisation.get_absolute_url())
    return _product_form_page(request, form, organisation, None, 400)


def _product_or_404(pk: int) -> Product:
    product = selectors.product_for_edit(pk=pk)
    if product is None:
        raise Http404(_("No such product."))
    return product


@login_required
@require_http_methods(["GET", "POST"])
def product_edit(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product_or_404(pk)
    _require(request, "registry.change_product", product)
    categories = selectors.chip_categories()
    if request.method != "POST":
        form = forms.ProductForm(initial=forms.ProductForm.initial_for(product), categories=categories)
        return _product_form_page(request, form, product.organisation, product, 200)
    form = forms.ProductForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            services.product_update(product=product, by=request.user, values=form.cleaned_data)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(product.organisation.get_absolute_url())
    return _product_form_page(request, form, product.organisation, product, 400)


@login_required
@require_http_methods(["GET", "POST"])
def product_delete(request: HttpRequest, pk: int) -> HttpResponse:
    product = _product_or_404(pk)
    _require(request, "registry.delete_product", product)
    back = product.organisation.get_absolute_url()
    if request.method == "POST":
        services.product_delete(product=product, by=request.user)
        search.registry_changed()
        messages.success(request, _("Product deleted."))
        return redirect(back)
    return render(
        request,
        "registry/confirm_delete.html",
        {"thing": product, "back": back, "organisation": product.organisation},
    )


# --- Qualifications ------------------------------------------------------------------------------------------------


def _qualification_form_page(
    request: HttpRequest, form: forms.QualificationForm, organisation: Organisation, qualification: Any, status: int
) -> HttpResponse:
    return render(
        request,
        "registry/qualification_form.html",
        {
            "form": form,
            "organisation": organisation,
            "qualification": qualification,
            "plant_standards": [Standard.IATF_16949],
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def qualification_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    _require(request, "registry.add_qualification", organisation)
    products = list(organisation.products.order_by("part_number"))
    if request.method != "POST":
        initial = {"holder": request.GET.get("product") or forms.PLANT}
        form = forms.QualificationForm(initial=initial, products=products)
        return _qualification_form_page(request, form, organisation, None, 200)
    form = forms.QualificationForm(request.POST, request.FILES, products=products)
    if form.is_valid():
        holder = form.cleaned_data["holder"]
        product = next((p for p in products if str(p.pk) == holder), None)
        try:
            services.qualification_create(
                by=request.user,
                values=form.values(),
                product=product,
                organisation=organisation if product is None else None,
                certificate_pdf=_upload(request, "certificate_pdf"),
            )
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Qualification recorded."))
            return redirect(organisation.get_absolute_url())
    return _qualification_form_page(request, form, organisation, None, 400)


def _qualification_or_404(pk: int) -> Any:
    qualification = selectors.qualification_for_edit(pk=pk)
    if qualification is None:
        raise Http404(_("No such qualification."))
    return qualification


def _holder_organisation(qualification: Any) -> Organisation:
    if qualification.organisation_id:
        return qualification.organisation
    return qualification.product.organisation


@login_required
@require_http_methods(["GET", "POST"])
def qualification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = _qualification_or_404(pk)
    _require(request, "registry.change_qualification", qualification)
    organisation = _holder_organisation(qualification)
    products = [qualification.product] if qualification.product_id else []
    holder = str(qualification.product_id) if qualification.product_id else forms.PLANT
    if request.method != "POST":
        initial = {name: getattr(qualification, name) for name in forms.QualificationForm.VALUE_FIELDS}
        form = forms.QualificationForm(initial={**initial, "holder": holder}, products=products, fixed_holder=True)
        return _qualification_form_page(request, form, organisation, qualification, 200)
    form = forms.QualificationForm(
        request.POST, request.FILES, initial={"holder": holder}, products=products, fixed_holder=True
    )
    if form.is_valid():
        try:
            services.qualification_update(
                qualification=qualification,
                by=request.user,
                values=form.values(),
                certificate_pdf=_upload(request, "certificate_pdf"),
            )
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(organisation.get_absolute_url())
    return _qualification_form_page(request, form, organisation, qualification, 400)


@login_required
@require_http_methods(["GET", "POST"])
def qualification_delete(request: HttpRequest, pk: int) -> HttpResponse:
    qualification = _qualification_or_404(pk)
    _require(request, "registry.delete_qualification", qualification)
    organisation = _holder_organisation(qualification)
    if request.method == "POST":
        services.qualification_delete(qualification=qualification, by=request.user)
        search.registry_changed()
        messages.success(request, _("Qualification deleted."))
        return redirect(organisation.get_absolute_url())
    return render(
        request,
        "registry/confirm_delete.html",
        {"thing": qualification, "back": organisation.get_absolute_url(), "organisation": organisation},
    )


@require_GET
def qualification_certificate(request: HttpRequest, pk: int) -> FileResponse:
    """The certificate PDF of a recorded qualification (public data), never a raw path under MEDIA."""
    qualification = selectors.qualification_for_edit(pk=pk)
    if qualification is None or not qualification.certificate_pdf:
        raise Http404(_("No certificate."))
    try:
        handle = qualification.certificate_pdf.open("rb")
    except (FileNotFoundError, OSError) as exc:
        raise Http404(_("No certificate.")) from exc
    filename = f"{qualification.standard}-{qualification.certificate_number}.pdf".replace("/", "-").replace(" ", "_")
    response = FileResponse(handle, content_type="application/pdf", filename=filename)
    response["Content-Disposition"] = response["Content-Disposition"].replace("attachment", "inline")
    return response


# --- Supply links --------------------------------------------------------------------------------------------------


def _supply_link_form_page(
    request: HttpRequest, form: forms.SupplyLinkForm, buyer: Organisation, link: Any, status: int
) -> HttpResponse:
    return render(
        request,
        "registry/supply_link_form.html",
        {"form": form, "organisation": buyer, "link": link},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def supply_link_create(request: HttpRequest, pk: int) -> HttpResponse:
    buyer = _organisation_or_404(pk)
    _require(request, "registry.add_supplylink", buyer)
    categories = selectors.chip_categories()
    if request.method != "POST":
        return _supply_link_form_page(request, forms.SupplyLinkForm(categories=categories), buyer, None, 200)
    form = forms.SupplyLinkForm(request.POST, categories=categories)
    if form.is_valid():
        try:
            services.supply_link_create(by=request.user, values=form.values(buyer=buyer))
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc, aliases={"product": "part_number"})
        else:
            messages.success(request, _("Supplier added."))
            return redirect(buyer.get_absolute_url())
    return _supply_link_form_page(request, form, buyer, None, 400)


def _supply_link_or_404(pk: int) -> Any:
    link = selectors.supply_link_for_edit(pk=pk)
    if link is None:
        raise Http404(_("No such supply link."))
    return link


@login_required
@require_http_methods(["GET", "POST"])
def supply_link_edit(request: HttpRequest, pk: int) -> HttpResponse:
    link = _supply_link_or_404(pk)
    _require(request, "registry.change_supplylink", link)
    categories = selectors.chip_categories()
    if request.method != "POST":
        initial = {
            "supplier": f"{link.supplier.display_name} #{link.supplier_id}",
            "category": link.category_id,
            "part_number": link.product.part_number if link.product else "",
            "status": link.status,
            "share": link.share,
            "since": link.since,
        }
        form = forms.SupplyLinkForm(initial=initial, categories=categories)
        return _supply_link_form_page(request, form, link.buyer, link, 200)
    form = forms.SupplyLinkForm(request.POST, categories=categories)
    if form.is_valid():
        values = form.values(buyer=link.buyer)
        if not values["category"]:
            values["category"] = values["product"].category if values["product"] else link.category
        try:
            services.supply_link_update(link=link, by=request.user, values=values)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc, aliases={"product": "part_number"})
        else:
            messages.success(request, _("Changes saved."))
            return redirect(link.buyer.get_absolute_url())
    return _supply_link_form_page(request, form, link.buyer, link, 400)


@login_required
@require_http_methods(["GET", "POST"])
def supply_link_delete(request: HttpRequest, pk: int) -> HttpResponse:
    link = _supply_link_or_404(pk)
    _require(request, "registry.delete_supplylink", link)
    back = link.buyer.get_absolute_url()
    if request.method == "POST":
        services.supply_link_delete(link=link, by=request.user)
        messages.success(request, _("Supply link deleted."))
        return redirect(back)
    return render(request, "registry/confirm_delete.html", {"thing": link, "back": back, "organisation": link.buyer})


# --- People --------------------------------------------------------------------------------------------------------


def _person_form_page(
    request: HttpRequest, form: forms.PersonForm, organisation: Organisation | None, person: Person | None, status: int
) -> HttpResponse:
    back = organisation.get_absolute_url() if organisation is not None else reverse("registry:directory")
    return render(
        request,
        "registry/person_form.html",
        {"form": form, "organisation": organisation, "person": person, "back": back},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = _organisation_or_404(pk)
    _require(request, "registry.add_person", organisation)
    form = forms.PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_create(by=request.user, organisation=organisation, values=form.cleaned_data)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect(organisation.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return _person_form_page(request, form, organisation, None, status)


def _person_or_404(pk: int) -> Person:
    person = selectors.person_for_edit(pk=pk)
    if person is None:
        raise Http404(_("No such person."))
    return person


def _person_back(person: Person) -> str:
    return person.organisation.get_absolute_url() if person.organisation else reverse("registry:directory")


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(pk)
    _require(request, "registry.change_person", person)
    if request.method != "POST":
        form = forms.PersonForm(initial=forms.PersonForm.initial_for(person))
        return _person_form_page(request, form, person.organisation, person, 200)
    form = forms.PersonForm(request.POST)
    if form.is_valid():
        try:
            services.person_update(person=person, by=request.user, values=form.cleaned_data)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            show_problems(form, exc)
        else:
            messages.success(request, _("Changes saved."))
            return redirect(_person_back(person))
    return _person_form_page(request, form, person.organisation, person, 400)


@login_required
@require_http_methods(["GET", "POST"])
def person_delete(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person_or_404(pk)
    _require(request, "registry.delete_person", person)
    back = _person_back(person)
    if request.method == "POST":
        try:
            services.person_delete(person=person, by=request.user)
        except ChipTownError as exc:
            if isinstance(exc, PermissionDenied):
                raise
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Person removed."))
        return redirect(back)
    return render(
        request, "registry/confirm_delete.html", {"thing": person, "back": back, "organisation": person.organisation}
    )


# --- Chain map -----------------------------------------------------------------------------------------------------


@require_GET
def chain_map(request: HttpRequest) -> HttpResponse:
    categories = selectors.chip_categories()
    code = request.GET.get("category") or (categories[0].code if categories else "")
    category: ChipCategory | None = next((c for c in categories if c.code == code), None)
    in_park_only = request.GET.get("in_park") == "yes"
    province = request.GET.get("province", "").strip()
    network = None
    drawing = None
    if category is not None:
        network = selectors.chain_network(category=category, in_park_only=in_park_only, province=province)
        drawing = chain_layout.layout(network.nodes, network.edges)
    return render(
        request,
        "registry/chain_map.html",
        {
            "categories": categories,
            "category": category,
            "in_park_only": in_park_only,
            "province": province,
            "provinces": selectors.directory_facets().provinces,
            "network": network,
            "drawing": drawing,
            "stage_labels": STAGE_LABELS,
            "stage_roles": {
                stage: [label for role, label in ChainRole.choices if CHAIN_STAGE[ChainRole(role)] == stage]
                for stage in STAGE_LABELS
            },
            "limit": selectors.CHAIN_MAP_LIMIT,
        },
    )
