"""`chiptown events_demo`: the demo conferences (this year's, upcoming, and last year's) on top of the registry
demo."""

from collections.abc import Callable
from functools import partial
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError
from chiptown.core.services import TerminalProgress
from chiptown.events import demo
from chiptown.events.badges import badge_url
from chiptown.events.models import Event


def _event_url(event: Event) -> str:
    return absolute_url(event.get_absolute_url())


def _address(make: Callable[[], str]) -> str:
    """An address from the URL configuration; says so plainly if that page is not installed in this checkout."""
    try:
        return make()
    except NoReverseMatch:
        return _("(that page is not installed)")


class Command(BaseCommand):
    help = "Generate the demo conferences: this year's (upcoming, programme published) and last year's (over)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="The same seed gives the same rows.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo conferences first.")
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when a demo conference exists.")
        parser.add_argument("--delete-only", action="store_true", help="Delete the demo conferences and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delete_only"]:
            deleted = demo.delete_demo()
            self.stdout.write(_("Deleted %(count)d demo conferences.") % {"count": deleted})
            return
        if options["reset"]:
            deleted = demo.delete_demo()
            self.stdout.write(_("Deleted %(count)d demo conferences.") % {"count": deleted})
        elif demo.demo_event_exists():
            if not options["if_missing"]:
                self.stdout.write(_("A demo conference exists already; left as it is. Use --reset to rebuild it."))
            return
        progress = TerminalProgress(_("Building the demo conferences")) if options["verbosity"] >= 1 else None
        try:
            summary = demo.build(seed=options["seed"], **({"progress": progress} if progress else {}))
        except ChipTownError as error:
            raise CommandError(error.message) from error
        self._print(summary)

    def _print(self, summary: demo.DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(_("Demo conferences (%(seconds).1f s)") % {"seconds": summary.seconds})
        )
        for event in summary.events:
            self.stdout.write(f"  {event.slug}  {event.display_name}")
            self.stdout.write(
                "        "
                + _("%(start)s to %(end)s, %(sessions)d sessions, %(registrations)d registrations: %(url)s")
                % {
                    "start": event.starts_on.isoformat(),
                    "end": event.ends_on.isoformat(),
                    "sessions": summary.sessions[event.slug],
                    "registrations": summary.registrations[event.slug],
                    "url": _address(partial(_event_url, event)),
                }
            )
        upcoming, past = summary.events[0], summary.events[-1]
        self._print_upcoming(summary, upcoming)
        self.stdout.write(
            "  "
            + _("Last year's: %(checked_in)d people checked in and %(feedback)d feedback answers: %(url)s")
            % {
                "checked_in": summary.checked_in,
                "feedback": summary.feedback,
                "url": _address(lambda: absolute_url(reverse("events:feedback_results", args=[past.slug]))),
            }
        )

    def _print_upcoming(self, summary: demo.DemoSummary, event: Event) -> None:
        write = self.stdout.write
        write(
            "  "
            + _("Public calendar feed: %(url)s")
            % {"url": _address(lambda: absolute_url(reverse("events:ical", args=[event.slug])))}
        )
        if summary.attendee_registration is not None:
            registration = summary.attendee_registration
            write(
                "  "
                + _("Badge check-in address of the `attendee` login: %(url)s")
                % {"url": _address(lambda: badge_url(registration))}
            )
        if summary.retimed is not None:
            write(
                "  "
                + _("Programme version %(version)d is published; “%(title)s” was retimed since and waits to be "
                    "published: %(url)s")
                % {"version": event.programme_version, "title": summary.retimed.display_title,
                   "url": _address(lambda: absolute_url(reverse("events:publish", args=[event.slug])))}
            )  # fmt: skip
        if (full := summary.full_salon) is not None:
            write(
                "  "
                + _("“%(title)s” is full with %(waiting)d people on the waiting list: %(url)s")
                % {"title": full.display_title, "waiting": summary.waiting,
                   "url": _address(lambda: absolute_url(full.get_absolute_url()))}
            )  # fmt: skip
        if summary.free_salon is not None:
            write("  " + _("“%(title)s” has seats free.") % {"title": summary.free_salon.display_title})
        if summary.closed_door is not None:
            write(
                "  "
                + _("The `rep` login's organisation is invited to the closed-door “%(title)s”.")
                % {"title": summary.closed_door.display_title}
            )
        if summary.speaker_sessions:
            write(
                "  "
                + _("The `speaker` login speaks in %(count)d sessions; slides are missing for %(missing)d of them.")
                % {"count": summary.speaker_sessions, "missing": summary.speaker_missing_slides}
            )
        write("  " + _("The `operator` login is registered as staff and can check people in."))
