"""Admin for the competition: a superuser's back door for editions, categories and applications. Every save and
delete made here is audited like a service write (the registry's AuditedAdmin). Day-to-day work goes through
the pages, whose services also check the timeline and the rules."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from chiptown.competitions.models import Category, Edition, Entry, EntryDocument, PartnershipMember
from chiptown.registry.admin import AuditedAdmin


class CategoryInline(admin.StackedInline):
    model = Category
    extra = 0
    fields = ("kind", "name_zh", "name_en", "winners", "judges_per_entry", "max_judge_load")
    readonly_fields = ("kind",)
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the four standard categories come with the edition

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Edition)
class EditionAdmin(AuditedAdmin):
    list_display = ("year", "name_zh", "name_en", "applications_open_at", "applications_close_at", "is_demo")
    search_fields = ("name_zh", "name_en")
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = ("edition", "kind", "name_zh", "name_en", "winners", "judges_per_entry", "max_judge_load")
    list_filter = ("edition", "kind")
    readonly_fields = ("edition", "kind")


class PartnershipMemberInline(admin.TabularInline):
    model = PartnershipMember
    extra = 0
    autocomplete_fields = ("organisation",)
    readonly_fields = ("confirmed_at", "confirmed_by")


class EntryDocumentInline(admin.TabularInline):
    model = EntryDocument
    extra = 0
    fields = ("name", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("name", "size", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # uploads go through the page, which checks that a file really is a PDF


@admin.register(Entry)
class EntryAdmin(AuditedAdmin):
    list_display = ("__str__", "category", "status", "organisation", "person", "submitted_at", "is_demo")
    list_filter = ("status", "category__edition", "category__kind", "is_demo")
    search_fields = ("title", "organisation__name_zh", "organisation__name_en", "person__name_zh", "person__name_en")
    list_select_related = ("category__edition", "organisation", "person")
    autocomplete_fields = ("organisation", "person", "product")
    readonly_fields = ("created_by", "created_at", "updated_at", "screened_by", "screened_at")
    inlines = [PartnershipMemberInline, EntryDocumentInline]
