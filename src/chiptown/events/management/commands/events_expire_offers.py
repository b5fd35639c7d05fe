"""`chiptown events-expire-offers`: pass on the seats whose waiting-list offers ran out (for cron, e.g. every few
minutes; the pages and a deferred task do it too, this catches the rest)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from chiptown.events.models import Session
from chiptown.events.services.seats import offers_expire


class Command(BaseCommand):
    help = "Expire seat offers past their deadline and offer the seats to the next people on the waiting lists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--session", type=int, help="Only this session (its id).")

    def handle(self, *args: Any, **options: Any) -> None:
        session = None
        if options["session"] is not None:
            session = Session.objects.filter(pk=options["session"]).first()
            if session is None:
                raise CommandError(_("No session with id %(id)d.") % {"id": options["session"]})
        expired = offers_expire(session=session)
        self.stdout.write(
            ngettext(
                "%(count)d seat offer ran out and was passed on.",
                "%(count)d seat offers ran out and were passed on.",
                expired,
            )
            % {"count": expired}
        )
