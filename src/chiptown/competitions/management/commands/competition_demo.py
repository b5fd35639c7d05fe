"""`chiptown competition-demo`: the demo competition (three editions) on top of the registry demo."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils.translation import gettext as _

from chiptown.competitions import demo
from chiptown.competitions.models import AwardKind
from chiptown.core.addresses import absolute_url
from chiptown.core.errors import ChipTownError
from chiptown.core.i18n import join_list
from chiptown.core.services import TerminalProgress


class Command(BaseCommand):
    help = "Generate the demo competition: last year's published, this year's in judging, next year's open."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="The same seed gives the same rows.")
        parser.add_argument("--scale", type=int, default=1, help="1 = about 75 entries per edition; N multiplies.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo editions first.")
        parser.add_argument("--if-missing", action="store_true", help="Do nothing when a demo edition exists.")
        parser.add_argument("--delete-only", action="store_true", help="Delete the demo editions and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scale"] < 1:
            raise CommandError(_("--scale must be 1 or more."))
        if options["delete_only"]:
            deleted = demo.delete_demo()
            self.stdout.write(_("Deleted %(count)d demo editions.") % {"count": deleted})
            return
        if options["reset"]:
            deleted = demo.delete_demo()
            self.stdout.write(_("Deleted %(count)d demo editions.") % {"count": deleted})
        elif demo.demo_edition_exists():
            if not options["if_missing"]:
                self.stdout.write(_("A demo competition exists already; left as it is. Use --reset to rebuild it."))
            return
        progress = TerminalProgress(_("Building the demo competition")) if options["verbosity"] >= 1 else None
        try:
            summary = demo.build(
                seed=options["seed"], scale=options["scale"], **({"progress": progress} if progress else {})
            )
        except ChipTownError as error:
            raise CommandError(error.message) from error
        self._print(summary)

    def _print(self, summary: demo.DemoSummary) -> None:
        self.stdout.write("")
        self.stdout.write(
            self.style.MIGRATE_HEADING(_("Demo competition (%(seconds).1f s)") % {"seconds": summary.seconds})
        )
        for row in summary.editions:
            edition = row["edition"]
            entries = join_list(f"{count} {AwardKind(kind).label}" for kind, count in row["entries"].items()) or _(
                "no entries yet"
            )
            self.stdout.write(f"  {edition.year}  {edition.display_name}")
            self.stdout.write("        " + _("entries: %(entries)s") % {"entries": entries})
            if row["assignments"]:
                self.stdout.write(
                    "        "
                    + _("%(assignments)d assignments, %(submitted)d reviews submitted, %(drafts)d drafts") % row
                )
            if edition.is_published:
                self.stdout.write(
                    "        "
                    + _("results published, %(count)d certificates: %(url)s")
                    % {
                        "count": len(summary.certificate_codes),
                        "url": absolute_url(reverse("competitions:results", args=[edition.year])),
                    }
                )
                if summary.certificate_codes:
                    self.stdout.write(
                        "        "
                        + _("verify one: %(url)s")
                        % {"url": absolute_url(reverse("competitions:verify", args=[summary.certificate_codes[0]]))}
                    )
        self.stdout.write(_("  %(count)d judges; try the `judge` login: %(open)d reviews open this year.") % {
            "count": summary.judges, "open": summary.judge_open_reviews})  # fmt: skip
        if summary.emails_kept:
            self.stdout.write(
                _("  %(count)d notification emails were sent to memory, not to this console.")
                % {"count": summary.emails_kept}
            )
        if summary.rep_draft is not None:
            self.stdout.write(
                _("  The `rep` login has a draft application to walk to a certificate: %(url)s")
                % {"url": absolute_url(summary.rep_draft.get_absolute_url())}
            )
