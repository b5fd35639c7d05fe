"""`chiptown export KIND [--format csv|xlsx] [--output FILE]` and `chiptown export all --output DIR`: the registry
in the import's own columns."""

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from chiptown.registry import exporters
from chiptown.registry.importers import KINDS


class Command(BaseCommand):
    help = "Export organisations, products, qualifications or supply links (or all four) as CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=[*KINDS, "all"])
        parser.add_argument("--format", choices=exporters.FORMATS, default="csv")
        parser.add_argument("--output", type=Path, help="A file (a folder for 'all'); standard output if left out.")

    def _write(self, kind: str, fmt: str, target: Any) -> None:
        if fmt == "csv":
            exporters.write_csv(kind, target)
        else:
            exporters.write_xlsx(kind, target)

    def handle(self, *args: Any, **options: Any) -> None:
        kind, fmt, output = options["kind"], options["format"], options["output"]
        if kind == "all":
            if output is None:
                raise CommandError(_("Give --output DIR for 'all': one file per kind is written there."))
            output.mkdir(parents=True, exist_ok=True)
            for each in KINDS:
                path = output / f"{each}.{fmt}"
                with path.open("wb") as target:
                    self._write(each, fmt, target)
                self.stderr.write(_("wrote %(path)s") % {"path": path})
            return
        if output is None:
            if fmt == "xlsx" and sys.stdout.isatty():
                raise CommandError(_("Give --output FILE for XLSX rather than writing it to a terminal."))
            stream = getattr(self.stdout, "_out", sys.stdout)
            if hasattr(stream, "buffer"):
                self._write(kind, fmt, stream.buffer)
                stream.buffer.flush()
            elif fmt == "csv":  # a text stream (as in tests): decode what would go to the binary one
                for chunk in exporters.csv_chunks(kind):
                    stream.write(chunk.decode("utf-8"))
            else:
                raise CommandError(_("Give --output FILE for XLSX."))
            return
        with output.open("wb") as target:
            self._write(kind, fmt, target)
        self.stderr.write(_("wrote %(path)s") % {"path": output})
