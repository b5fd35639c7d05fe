"""Conference URLs; each part adds its own lines, in its own block."""

from django.urls import URLPattern, URLResolver

app_name = "events"
urlpatterns: list[URLPattern | URLResolver] = []

# --- Programme: events list, public programme, session and speaker pages, PDF, iCal, the operators' editor -----

# Public programme (part B). <event:slug> never matches "manage", so the operators' pages are never taken for an
# event whatever the order of the lines in this block.
from django.urls import path, register_converter  # noqa: E402

from chiptown.events.views import public as public_views  # noqa: E402

register_converter(public_views.EventSlugConverter, "event")

urlpatterns += [
    path("", public_views.event_list, name="list"),
    path("<event:slug>/", public_views.programme, name="programme"),
    path("<event:slug>/sessions/<int:pk>/", public_views.session, name="session"),
    path("<event:slug>/speakers/", public_views.speakers, name="speakers"),
    path("<event:slug>/speakers/<int:pk>/", public_views.speaker, name="speaker"),
    path("<event:slug>/programme.pdf", public_views.programme_pdf, name="programme_pdf"),
    path("<event:slug>/programme.ics", public_views.ical, name="ical"),
    path("<event:slug>/agenda/<str:token>.ics", public_views.agenda_ical, name="agenda_ical"),
]

# The operators' programme editor (part A).
from chiptown.events.views import programme as programme_views  # noqa: E402

urlpatterns += [
    path("manage/", programme_views.manage_list, name="manage_list"),
    path("manage/new/", programme_views.event_new, name="event_new"),
    path("<slug:slug>/manage/", programme_views.manage, name="manage"),
    path("<slug:slug>/manage/edit/", programme_views.event_edit, name="event_edit"),
    path("<slug:slug>/manage/rooms/", programme_views.rooms, name="rooms"),
    path("<slug:slug>/manage/rooms/new/", programme_views.room_add, name="room_add"),
    path("<slug:slug>/manage/rooms/<int:pk>/", programme_views.room_edit, name="room_edit"),
    path("<slug:slug>/manage/rooms/<int:pk>/delete/", programme_views.room_delete, name="room_delete"),
    path("<slug:slug>/manage/tracks/new/", programme_views.track_add, name="track_add"),
    path("<slug:slug>/manage/tracks/<int:pk>/", programme_views.track_edit, name="track_edit"),
    path("<slug:slug>/manage/tracks/<int:pk>/delete/", programme_views.track_delete, name="track_delete"),
    path("<slug:slug>/manage/programme/", programme_views.editor, name="editor"),
    path("<slug:slug>/manage/programme/sessions/<int:pk>/", programme_views.editor_slot, name="editor_slot"),
    path("<slug:slug>/manage/programme/sessions/<int:pk>/save/", programme_views.editor_save, name="editor_save"),
    path(
        "<slug:slug>/manage/programme/sessions/<int:pk>/unschedule/",
        programme_views.editor_unschedule,
        name="editor_unschedule",
    ),
    path("<slug:slug>/manage/sessions/new/", programme_views.session_new, name="session_new"),
    path("<slug:slug>/manage/sessions/<int:pk>/", programme_views.session_edit, name="session_edit"),
    path("<slug:slug>/manage/sessions/<int:pk>/delete/", programme_views.session_delete, name="session_delete"),
    path("<slug:slug>/manage/publish/", programme_views.publish, name="publish"),
    path("<slug:slug>/manage/versions/", programme_views.versions_list, name="versions"),
]

# --- Speakers: invitations, the speaker's own page, materials ----------------------------------------------------

# Part C.
from django.urls import path  # noqa: E402

from chiptown.events.views import speakers as speaker_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/manage/speakers/", speaker_views.speakers_manage, name="speakers_manage"),
    path("<slug:slug>/manage/speakers/remind/", speaker_views.speakers_remind, name="speakers_remind"),
    path("<slug:slug>/my-talks/", speaker_views.my_talks, name="my_talks"),
    path("<slug:slug>/my-talks/answer/", speaker_views.speaker_respond, name="speaker_respond"),
    path("<slug:slug>/materials/<int:pk>/", speaker_views.material, name="material"),
    path("<slug:slug>/materials/<int:pk>/delete/", speaker_views.material_delete, name="material_delete"),
    path("<slug:slug>/sessions/<int:pk>/materials/new/", speaker_views.material_upload, name="material_upload"),
]

# --- Registration: registering, approval, badges, the personal agenda --------------------------------------------

# Part D.
from django.urls import path  # noqa: E402

from chiptown.events.views import registrations as registration_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/register/", registration_views.register, name="register"),
    path("<slug:slug>/me/", registration_views.my_registration, name="my_registration"),
    path("<slug:slug>/me/badge.png", registration_views.badge_png, name="badge_png"),
    path("<slug:slug>/me/cancel/", registration_views.registration_cancel, name="registration_cancel"),
    path("<slug:slug>/me/answers/", registration_views.registration_answers, name="registration_answers"),
    path("<slug:slug>/sessions/<int:pk>/agenda/", registration_views.agenda_toggle, name="agenda_toggle"),
    path("<slug:slug>/manage/registrations/", registration_views.registrations, name="registrations"),
    path(
        "<slug:slug>/manage/registrations/approve/",
        registration_views.registrations_approve,
        name="registrations_approve",
    ),
    path(
        "<slug:slug>/manage/registrations/<int:pk>/decide/",
        registration_views.registration_decide,
        name="registration_decide",
    ),
    path(
        "<slug:slug>/manage/registrations/<int:pk>/type/",
        registration_views.registration_type,
        name="registration_type",
    ),
    path(
        "<slug:slug>/manage/registrations/<int:pk>/badge/",
        registration_views.registration_badge_send,
        name="registration_badge_send",
    ),
    path("<slug:slug>/manage/registration-form/", registration_views.registration_form, name="registration_form"),
]

# --- Seats: sign-up, waiting list, offers, closed-door invitations and NDAs ---------------------------------------

from django.urls import path  # noqa: E402

from chiptown.events.views import seats as seat_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/sessions/<int:pk>/seat/", seat_views.seat_box, name="seat_box"),
    path("<slug:slug>/sessions/<int:pk>/signup/", seat_views.signup, name="signup"),
    path("<slug:slug>/sessions/<int:pk>/signup/cancel/", seat_views.signup_cancel, name="signup_cancel"),
    path("<slug:slug>/sessions/<int:pk>/offer/accept/", seat_views.offer_accept, name="offer_accept"),
    path("<slug:slug>/sessions/<int:pk>/offer/decline/", seat_views.offer_decline, name="offer_decline"),
    path("<slug:slug>/manage/sessions/<int:pk>/invitations/", seat_views.invitations, name="invitations"),
    path("<slug:slug>/manage/sessions/<int:pk>/signups/", seat_views.signups, name="signups"),
]

# --- On the day: check-in, attendance, live figures, exports, feedback -------------------------------------------

# Part F. The desk's own fragments (search, totals) come before the badge address, whose token would match them.
from chiptown.events.views import checkin as checkin_views  # noqa: E402
from chiptown.events.views import figures as figures_views  # noqa: E402

urlpatterns += [
    path("<slug:slug>/checkin/", checkin_views.checkin, name="checkin"),
    path("<slug:slug>/checkin/search/", checkin_views.checkin_search, name="checkin_search"),
    path("<slug:slug>/checkin/totals/", checkin_views.checkin_totals, name="checkin_totals"),
    path(
        "<slug:slug>/checkin/registrations/<int:pk>/",
        checkin_views.checkin_registration,
        name="checkin_registration",
    ),
    path("<slug:slug>/checkin/registrations/<int:pk>/undo/", checkin_views.checkin_undo, name="checkin_undo"),
    path("<slug:slug>/checkin/<str:token>/", checkin_views.checkin_token, name="checkin_token"),
    path("<slug:slug>/sessions/<int:pk>/checkin/", checkin_views.session_checkin, name="session_checkin"),
    path(
        "<slug:slug>/sessions/<int:pk>/checkin/attendees/",
        checkin_views.session_checkin_list,
        name="session_checkin_list",
    ),
    path("<slug:slug>/manage/figures/", figures_views.figures, name="figures"),
    path("<slug:slug>/manage/attendance.<str:fmt>", figures_views.attendance_export, name="attendance_export"),
    path("<slug:slug>/sessions/<int:pk>/feedback/", figures_views.feedback, name="feedback"),
    path("<slug:slug>/manage/feedback/", figures_views.feedback_results, name="feedback_results"),
]
