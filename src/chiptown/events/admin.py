"""Admin for the conference: a superuser's back door, audited like a service write (the registry's AuditedAdmin).
Day-to-day work goes through the pages, whose services check capacity, invitations and the timeline."""

from django.contrib import admin

from chiptown.events.models import Event, Registration, Room, Session, Speaker, Track
from chiptown.registry.admin import AuditedAdmin


@admin.register(Event)
class EventAdmin(AuditedAdmin):
    list_display = ["slug", "name_en", "starts_on", "ends_on", "programme_version", "is_demo"]


@admin.register(Session)
class SessionAdmin(AuditedAdmin):
    list_display = ["title_en", "event", "kind", "room", "starts_at", "capacity", "seats_taken"]
    list_filter = ["event", "kind"]
    search_fields = ["title_en", "title_zh"]


@admin.register(Registration)
class RegistrationAdmin(AuditedAdmin):
    list_display = ["user", "event", "attendee_type", "status", "checked_in_at"]
    list_filter = ["event", "status", "attendee_type"]
    raw_id_fields = ["user"]


admin.site.register([Room, Track, Speaker], AuditedAdmin)
