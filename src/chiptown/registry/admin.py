"""Admin for the registry: a superuser's back door, so every change made here is audited like a service write."""

from typing import Any

from django.contrib import admin
from django.db import models
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from chiptown.core.services import audit_record, snapshot
from chiptown.registry import search
from chiptown.registry.models import (
    ChipCategory,
    Organisation,
    OrganisationRole,
    Person,
    Product,
    Qualification,
    SupplyLink,
)


class AuditedAdmin(admin.ModelAdmin):
    """Writes an audit entry (before/after) for each save and delete made in the admin."""

    # Web addresses typed without a scheme are https (Django 6's default, chosen now).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"{obj._meta.model_name}.admin_{'update' if change else 'create'}",
            target=obj,
            before=before,
            after=snapshot(obj),
        )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        audit_record(
            actor=request.user, action=f"{obj._meta.model_name}.admin_delete", target=obj, before=snapshot(obj)
        )
        super().delete_model(request, obj)
        search.registry_changed()

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


class OrganisationRoleInline(admin.TabularInline):
    model = OrganisationRole
    extra = 0


class PersonInline(admin.TabularInline):
    model = Person
    extra = 0
    fields = ["name_zh", "name_en", "title", "email", "user"]
    raw_id_fields = ["user"]


class PlantQualificationInline(admin.TabularInline):
    model = Qualification
    fk_name = "organisation"
    extra = 0
    fields = ["standard", "level", "issuer", "certificate_number", "issued_on", "expires_on", "certificate_pdf"]
    verbose_name_plural = _("Plant qualifications")


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdmin):
    list_display = ["display_name", "name_en", "credit_code", "country", "province", "in_park", "is_demo"]
    list_filter = ["in_park", "is_demo", "country", "size_band", "roles__role"]
    search_fields = ["name_zh", "name_en", "credit_code", "search_text"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [OrganisationRoleInline, PersonInline, PlantQualificationInline]
    list_per_page = 50
    show_full_result_count = False  # no COUNT(*) over 20,000 rows on every list page


class QualificationInline(admin.TabularInline):
    model = Qualification
    fk_name = "product"
    extra = 0
    fields = ["standard", "level", "issuer", "certificate_number", "issued_on", "expires_on", "certificate_pdf"]


@admin.register(Product)
class ProductAdmin(AuditedAdmin):
    list_display = ["part_number", "display_name", "organisation", "category", "lifecycle", "is_demo"]
    list_filter = ["category", "lifecycle", "is_demo"]
    search_fields = ["part_number", "name_zh", "name_en", "organisation__name_en", "organisation__name_zh"]
    list_select_related = ["organisation", "category"]
    raw_id_fields = ["organisation"]
    inlines = [QualificationInline]
    show_full_result_count = False


@admin.register(Qualification)
class QualificationAdmin(AuditedAdmin):
    list_display = ["__str__", "certificate_number", "issuer", "product", "organisation", "expires_on"]
    list_filter = ["standard", "level", "is_demo"]
    search_fields = ["certificate_number", "issuer", "product__part_number", "organisation__name_en"]
    list_select_related = ["product", "organisation"]
    raw_id_fields = ["product", "organisation"]
    date_hierarchy = "expires_on"
    show_full_result_count = False


@admin.register(SupplyLink)
class SupplyLinkAdmin(AuditedAdmin):
    list_display = ["supplier", "buyer", "category", "product", "status", "share", "since"]
    list_filter = ["category", "status", "is_demo"]
    search_fields = ["supplier__name_en", "supplier__name_zh", "buyer__name_en", "buyer__name_zh"]
    list_select_related = ["supplier", "buyer", "category", "product"]
    raw_id_fields = ["supplier", "buyer", "product"]
    show_full_result_count = False


@admin.register(Person)
class PersonAdmin(AuditedAdmin):
    list_display = ["display_name", "name_en", "title", "organisation", "email"]
    search_fields = ["name_zh", "name_en", "email", "organisation__name_en", "organisation__name_zh"]
    list_select_related = ["organisation"]
    raw_id_fields = ["organisation", "user"]


@admin.register(ChipCategory)
class ChipCategoryAdmin(AuditedAdmin):
    list_display = ["code", "name_en", "name_zh", "position"]
    ordering = ["position"]
