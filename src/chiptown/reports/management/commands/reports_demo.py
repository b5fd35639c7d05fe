"""`chiptown reports_demo`: the default bills of materials and last year's industry report, published, on top of
the registry demo; prints where an operator builds this year's report and runs a disruption scenario."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError
from chiptown.core.services import TerminalProgress
from chiptown.reports import demo


def _url(name: str, *args: Any) -> str:
    try:
        return absolute_url(reverse(name, args=args))
    except NoReverseMatch:
        return _("(that page is not installed)")


class Command(BaseCommand):
    help = "Build and publish last year's demo industry report; print this year's walk-through."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when a demo edition exists.")
        parser.add_argument("--delete-only", action="store_true", help="Delete the demo editions and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["delete_only"]:
            self.stdout.write(_("Deleted %(count)d demo report rows.") % {"count": demo.delete_demo()})
            return
        if demo.demo_edition_exists():
            if not options["if_missing"]:
                self.stdout.write(_("A demo report edition exists already; left as it is."))
            self._print_walkthrough()
            return
        progress = TerminalProgress(_("Building last year's demo report")) if options["verbosity"] >= 1 else None
        try:
            summary = demo.build(**({"progress": progress} if progress else {}))
        except ChipTownError as error:
            raise CommandError(error.message) from error
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(_("Demo industry report (%(seconds).1f s)") % {"seconds": summary.seconds})
        )
        self.stdout.write(
            "  "
            + _("%(year)s edition, published, built from the links that had started by %(day)s: %(url)s")
            % {
                "year": summary.previous.year,
                "day": summary.as_of.isoformat(),
                "url": _url("reports:edition", summary.previous.year),
            }
        )
        self._print_walkthrough()

    def _print_walkthrough(self) -> None:
        from chiptown.reports.views.scenarios import demo_scenario_url

        year = timezone.localdate().year
        lines = [
            _("As `operator`, build the %(year)s report and watch it progress: %(url)s")
            % {"year": year, "url": _url("reports:editions")},
            _("Chain analytics dashboard: %(url)s") % {"url": _url("reports:dashboard")},
            _("A disruption scenario (the largest chokepoint fails): %(url)s")
            % {"url": absolute_url(demo_scenario_url())},
        ]
        for line in lines:
            self.stdout.write("  " + line)
