"""Conference URLs; each part adds its own lines, in its own block."""

from django.urls import URLPattern, URLResolver

app_name = "events"
urlpatterns: list[URLPattern | URLResolver] = []

# --- Programme: events list, public programme, session and speaker pages, PDF, iCal, the operators' editor -----

# --- Speakers: invitations, the speaker's own page, materials ----------------------------------------------------

# --- Registration: registering, approval, badges, the personal agenda --------------------------------------------

# --- Seats: sign-up, waiting list, offers, closed-door invitations and NDAs ---------------------------------------

# --- On the day: check-in, attendance, live figures, exports, feedback -------------------------------------------
