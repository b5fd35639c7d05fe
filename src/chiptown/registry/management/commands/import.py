"""`chiptown import KIND FILE [--dry-run]`: the same import as the web page, in this process, with a progress bar."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chiptown.core.errors import ChipTownError
from chiptown.core.services import Progress, TerminalProgress, no_progress
from chiptown.registry.importers import KINDS, registry_import
from chiptown.registry.models import ImportBatch


class Command(BaseCommand):
    help = "Import organisations, products, qualifications or supply links from a CSV or XLSX file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Check every row and report; write nothing.")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar (for scripts and logs).")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        kind: str = options["kind"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read %(path)s: %(reason)s") % {"path": path, "reason": exc.strerror}) from exc
        # The raw stream: the command's wrapper would end every write with a newline and break the bar.
        progress: Progress = (
            no_progress if options["no_progress"] else TerminalProgress(kind, stream=getattr(self.stderr, "_out", None))
        )
        batch = None
        if not options["dry_run"]:
            # Kept like an upload, so the audit entry points at exactly what was imported.
            batch = ImportBatch.objects.create(kind=kind, filename=path.name, data=data, size=len(data))
        try:
            result = registry_import(
                kind=kind,
                data=data,
                filename=path.name,
                by=None,  # the system: the shell has no signed-in user
                progress=progress,
                dry_run=options["dry_run"],
                batch=batch,
            )
        except ChipTownError as exc:
            if batch is not None:
                batch.delete()
            self.stderr.write("")
            self.stderr.write(exc.message)
            for problem in exc.problems:
                row = _("row %(row)s") % {"row": problem.row} if problem.row else ""
                where = ", ".join(part for part in (row, str(problem.column or "")) if part)
                self.stderr.write(f"  {where}: {problem.reason}" if where else f"  {problem.reason}")
            raise CommandError(_("%(file)s was not imported.") % {"file": path.name}) from exc
        for warning in result["warnings"]:
            self.stderr.write(
                _("warning: row %(row)s, %(column)s: %(reason)s")
                % {"row": warning["row"], "column": warning["column"], "reason": warning["reason"]}
            )
        counts = {**result, "kind": kind}
        if result["dry_run"]:
            summary = _(
                "%(rows)s rows of %(kind)s checked: would create %(created)s, update %(updated)s, leave "
                "%(unchanged)s unchanged; %(warning_count)s warnings (dry run: nothing written)"
            )
        else:
            summary = _(
                "%(rows)s rows of %(kind)s: created %(created)s, updated %(updated)s, unchanged %(unchanged)s; "
                "%(warning_count)s warnings"
            )
        self.stdout.write(summary % counts)
