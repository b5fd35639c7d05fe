"""`chiptown import KIND FILE [--dry-run]`: the same import as the web page, in this process, with a progress bar."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

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
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
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
                where = ", ".join(
                    part for part in (f"row {problem.row}" if problem.row else "", str(problem.column or "")) if part
                )
                self.stderr.write(f"  {where}: {problem.reason}" if where else f"  {problem.reason}")
            raise CommandError(f"{path.name} was not imported.") from exc
        for warning in result["warnings"]:
            self.stderr.write(f"warning: row {warning['row']}, {warning['column']}: {warning['reason']}")
        verb = "would create" if result["dry_run"] else "created"
        self.stdout.write(
            f"{result['rows']} rows of {kind}: {verb} {result['created']}, updated {result['updated']}, "
            f"unchanged {result['unchanged']}, {result['warning_count']} warnings"
            + (" (dry run: nothing written)" if result["dry_run"] else "")
        )
