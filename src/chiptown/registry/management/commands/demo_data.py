"""`chiptown demo-data --scale N`: load a generated, clearly marked demo chain and one login per role."""

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiptown.core.i18n import join_list
from chiptown.core.services import TerminalProgress
from chiptown.registry import demo


class Command(BaseCommand):
    help = "Generate demo organisations, products, qualifications and supply links, and demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", type=int, default=1, help="1 = about 200 organisations; N multiplies.")
        parser.add_argument("--seed", type=int, default=demo.DEFAULT_SEED, help="The same seed gives the same rows.")
        parser.add_argument("--reset", action="store_true", help="Delete existing demo rows and logins first.")
        parser.add_argument("--no-users", action="store_true", help="Do not create the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        scale: int = options["scale"]
        if scale < 1:
            self.stderr.write(_("--scale must be 1 or more."))
            raise SystemExit(2)
        if options["reset"] and demo.demo_exists():
            call_command("competition_demo", "--delete-only", verbosity=0)  # its entries protect registry rows
            call_command("events_demo", "--delete-only", verbosity=0)  # so do its speakers
            call_command("reports_demo", "--delete-only", verbosity=0)
            deleted = demo.delete_demo()
            self.stdout.write(_("Deleted the existing demo data: %(counts)s.") % {"counts": _describe(deleted)})
        if demo.demo_exists():
            self.stdout.write(
                _("Demo data already exists (%(counts)s); left as it is. Use --reset to regenerate it.")
                % {"counts": _describe(demo.demo_counts())}
            )
        else:
            started = time.perf_counter()
            # Certificates are dated relative to the start of this year, so the demo never looks stale.
            chain = demo.generate(scale, options["seed"], reference_date=timezone.localdate().replace(month=1, day=1))
            progress = TerminalProgress(_("Writing demo data")) if options["verbosity"] >= 1 else demo.no_progress
            counts = demo.write(chain, progress=progress)
            self.stdout.write(
                _("Wrote %(counts)s in %(seconds).1f s (scale %(scale)d, seed %(seed)d).")
                % {"counts": _describe(counts), "seconds": time.perf_counter() - started, "scale": scale,
                   "seed": options["seed"]}
            )  # fmt: skip
        if not options["no_users"]:
            self._print_logins(demo.demo_users_ensure())
            # The demo competition on this registry; does nothing when a demo edition exists.
            call_command("competition_demo", "--if-missing", seed=options["seed"], verbosity=options["verbosity"])
            # The demo conferences (this year's and last year's); does nothing when a demo conference exists.
            call_command("events_demo", "--if-missing", seed=options["seed"], verbosity=options["verbosity"])
            # Last year's industry report, published, for this year's to compare with.
            call_command("reports_demo", "--if-missing", verbosity=options["verbosity"])

    def _print_logins(self, logins: list[demo.DemoLogin]) -> None:
        self.stdout.write("")
        heading = _("Demo logins (password: %(password)s)") % {"password": demo.DEMO_PASSWORD}
        self.stdout.write(self.style.MIGRATE_HEADING(heading))
        width = max(len(login.role) for login in logins) + 2
        for login in logins:
            line = f"  {login.role:<{width}}{login.username:<10}".rstrip()
            if login.organisation:
                line += "  " + _("edits %(organisation)s") % {"organisation": login.organisation}
            if login.note:
                line += f"  ({login.note})"
            self.stdout.write(line)


def _describe(counts: dict[str, int]) -> str:
    """'200 organisations, 731 products, ...' as whole translatable phrases (Chinese needs its measure words)."""
    phrases = {
        "organisations": lambda n: ngettext("%(n)s organisation", "%(n)s organisations", n),
        "people": lambda n: ngettext("%(n)s person", "%(n)s people", n),
        "products": lambda n: ngettext("%(n)s product", "%(n)s products", n),
        "qualifications": lambda n: ngettext("%(n)s qualification", "%(n)s qualifications", n),
        "supply_links": lambda n: ngettext("%(n)s supply link", "%(n)s supply links", n),
    }
    parts = [phrase(counts[k]) % {"n": f"{counts[k]:,}"} for k, phrase in phrases.items() if k in counts]
    return join_list(parts)
