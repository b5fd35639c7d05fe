"""Forms of the operators' programme pages: rendering and field parsing only; every rule lives in
services.programme (which checks it again for callers that skip the form)."""

import datetime
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chiptown.events.grid import PALETTE
from chiptown.events.models import Event, Room, Session, SessionKind, Speaker, SpeakerRole, Track
from chiptown.events.services.programme import event_days

ROLE_PREFIX = "role_"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


def _textarea(rows: int = 4) -> forms.Textarea:
    return forms.Textarea(attrs={"rows": rows})


class EventForm(forms.Form):
    slug = forms.CharField(
        label=_("Short name"), max_length=64, help_text=_("Used in addresses, e.g. 2027: lower-case letters, digits, -")
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("First day"), widget=DateInput())
    ends_on = forms.DateField(label=_("Last day"), widget=DateInput())
    timezone = forms.CharField(
        label=_("Time zone"), max_length=64, initial="Asia/Shanghai", help_text=_("e.g. Asia/Shanghai")
    )
    venue_zh = forms.CharField(label=_("Venue (Chinese)"), max_length=200, required=False)
    venue_en = forms.CharField(label=_("Venue (English)"), max_length=200, required=False)
    description_zh = forms.CharField(label=_("Description (Chinese)"), required=False, widget=_textarea())
    description_en = forms.CharField(label=_("Description (English)"), required=False, widget=_textarea())

    def __init__(self, *args: Any, event: Event | None = None, **kwargs: Any) -> None:
        if event is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(event, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields}


class RoomForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    building = forms.CharField(label=_("Building / floor"), max_length=100, required=False)
    capacity = forms.IntegerField(label=_("Seats"), min_value=1)
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args: Any, room: Room | None = None, **kwargs: Any) -> None:
        if room is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(room, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.fields}
        values["position"] = values["position"] or 0
        return values


class TrackForm(forms.Form):
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=100, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=100, required=False)
    colour = forms.ChoiceField(label=_("Colour"), choices=[(hex_value, name) for name, hex_value in PALETTE])
    position = forms.IntegerField(label=_("Order"), min_value=0, initial=0, required=False)

    def __init__(self, *args: Any, track: Track | None = None, **kwargs: Any) -> None:
        if track is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(track, name) for name in self.base_fields}
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        colours = {
            "blue": _("Blue"),
            "green": _("Green"),
            "orange": _("Orange"),
            "red": _("Red"),
            "purple": _("Purple"),
            "teal": _("Teal"),
            "pink": _("Pink"),
            "olive": _("Olive"),
            "brown": _("Brown"),
            "grey": _("Grey"),
        }
        choices: list[tuple[str, Any]] = [(hex_value, colours[name]) for name, hex_value in PALETTE]
        if track is not None and track.colour not in dict(choices):
            choices.insert(0, (track.colour, track.colour))  # a colour set elsewhere stays choosable
        fields["colour"].choices = choices

    def values(self) -> dict[str, Any]:
        values = {name: self.cleaned_data[name] for name in self.fields}
        values["position"] = values["position"] or 0
        return values


class SpeakersMixin:
    """One role choice per speaker of the event ("—" leaves them out), the session's own speakers first in their
    order. `speakers()` gives (Speaker, role) pairs in that order, for services.programme.session_speakers_set."""

    fields: Any
    cleaned_data: dict[str, Any]

    def add_speaker_fields(self, speakers: Sequence[Speaker], current: Sequence[tuple[int, str]]) -> None:
        roles = dict(current)
        order = {speaker_id: position for position, (speaker_id, _role) in enumerate(current)}
        self.speaker_rows = sorted(speakers, key=lambda s: (order.get(s.pk, len(order)), str(s.person)))
        choices = [("", "—"), *SpeakerRole.choices]
        for speaker in self.speaker_rows:
            self.fields[f"{ROLE_PREFIX}{speaker.pk}"] = forms.ChoiceField(
                label=speaker.person.display_name, choices=choices, required=False, initial=roles.get(speaker.pk, "")
            )

    def speaker_fields(self) -> list[Any]:
        form: Any = self
        return [form[f"{ROLE_PREFIX}{speaker.pk}"] for speaker in self.speaker_rows]

    def other_fields(self) -> list[Any]:
        form: Any = self
        return [form[name] for name in self.fields if not name.startswith(ROLE_PREFIX)]

    def speakers(self) -> list[tuple[Speaker, str]]:
        return [
            (speaker, self.cleaned_data[f"{ROLE_PREFIX}{speaker.pk}"])
            for speaker in self.speaker_rows
            if self.cleaned_data.get(f"{ROLE_PREFIX}{speaker.pk}")
        ]


class SessionForm(SpeakersMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Type"), choices=SessionKind.choices)
    title_zh = forms.CharField(label=_("Title (Chinese)"), max_length=200, required=False)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    abstract_zh = forms.CharField(label=_("Abstract (Chinese)"), required=False, widget=_textarea(6))
    abstract_en = forms.CharField(label=_("Abstract (English)"), required=False, widget=_textarea(6))
    track = forms.ModelChoiceField(label=_("Track"), queryset=Track.objects.none(), required=False)
    expected_audience = forms.IntegerField(label=_("Expected audience"), min_value=0, required=False)
    planned_minutes = forms.IntegerField(
        label=_("Planned length (minutes)"),
        min_value=1,
        max_value=24 * 60,
        required=False,
        help_text=_("How long the talk or panel runs; the editor warns when its slot is shorter."),
    )
    capacity = forms.IntegerField(
        label=_("Seats for sign-up"),
        min_value=1,
        required=False,
        help_text=_("Leave empty when anyone registered may come; set it for salons and workshops with sign-up."),
    )
    closed_door = forms.BooleanField(label=_("Closed door (invitation only)"), required=False)
    nda_zh = forms.CharField(label=_("Non-disclosure terms (Chinese)"), required=False, widget=_textarea(3))
    nda_en = forms.CharField(label=_("Non-disclosure terms (English)"), required=False, widget=_textarea(3))

    def __init__(
        self,
        *args: Any,
        event: Event,
        tracks: Sequence[Track],
        speakers: Sequence[Speaker],
        session: Session | None = None,
        current_speakers: Sequence[tuple[int, str]] = (),
        **kwargs: Any,
    ) -> None:
        if session is not None and "initial" not in kwargs:
            kwargs["initial"] = {name: getattr(session, name) for name in self.base_fields if name != "track"} | {
                "track": session.track_id
            }
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["track"].queryset = Track.objects.filter(event=event)
        fields["track"].choices = [("", "—"), *((track.pk, track.display_name) for track in tracks)]
        self.add_speaker_fields(speakers, current_speakers)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.fields if not name.startswith(ROLE_PREFIX)}


class SlotForm(SpeakersMixin, forms.Form):
    """The editor's small form beside the grid: where and when a session takes place, its speakers and type."""

    room = forms.TypedChoiceField(label=_("Room"), coerce=int)
    day = forms.TypedChoiceField(label=_("Day"), coerce=int)
    starts = forms.TimeField(label=_("Starts"), widget=TimeInput())
    ends = forms.TimeField(label=_("Ends"), widget=TimeInput())
    kind = forms.ChoiceField(label=_("Type"), choices=SessionKind.choices)

    def __init__(
        self,
        *args: Any,
        event: Event,
        rooms: Sequence[Room],
        speakers: Sequence[Speaker],
        session: Session,
        current_speakers: Sequence[tuple[int, str]] = (),
        day: int = 1,
        **kwargs: Any,
    ) -> None:
        self.event = event
        self.days = event_days(event)
        if "initial" not in kwargs:
            initial: dict[str, Any] = {"kind": session.kind, "room": session.room_id, "day": day}
            if session.starts_at is not None and session.ends_at is not None:
                starts, ends = session.starts_at.astimezone(event.zone), session.ends_at.astimezone(event.zone)
                if starts.date() in self.days:
                    initial["day"] = self.days.index(starts.date()) + 1
                initial |= {"starts": starts.time(), "ends": ends.time()}
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["room"].choices = [(room.pk, f"{room.display_name} ({room.capacity})") for room in rooms]
        fields["day"].choices = [
            (number, _("Day %(number)d · %(date)s") % {"number": number, "date": date.isoformat()})
            for number, date in enumerate(self.days, start=1)
        ]
        self.add_speaker_fields(speakers, current_speakers)

    def times(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The start and end in the event's zone (an end at or before the start is left for the service to
        refuse; 00:00 as the end means midnight at the end of the day)."""
        date = self.days[self.cleaned_data["day"] - 1]
        zone = self.event.zone
        starts = datetime.datetime.combine(date, self.cleaned_data["starts"], tzinfo=zone)
        ends = datetime.datetime.combine(date, self.cleaned_data["ends"], tzinfo=zone)
        if self.cleaned_data["ends"] == datetime.time(0, 0):
            ends += datetime.timedelta(days=1)
        return starts, ends
