"""The full annual report for the demo data: snapshot, figures, and HTML + PDF in both languages.

Generates what `make demo` generates (registry demo at DEMO scale 1, the demo competition and conferences), then
builds the current year's report with `services.report_build`, exactly as the background job does, and times each
phase from the build's own progress reports: reading the registry into the snapshot, computing the figures (both
languages: analytics, scenarios, attraction, forecast), and writing each language's HTML and laying out its PDF.
Three builds (the first also warms matplotlib's and WeasyPrint's font caches); figures are the median, the first
build's total is reported separately.

Also: the snapshot's size, the PDFs' page counts (pdfinfo) and how long recomputing the figures from the stored
snapshot alone takes (what re-checking a published edition costs).

BENCH_REPORT_SCALE (default 1) sets the demo scale.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import tempfile
import time
from typing import Any

NAME = "report_build"

SCALE = int(os.environ.get("BENCH_REPORT_SCALE", "1"))
BUILDS = 3


def _pages(pdf: bytes) -> int | None:
    if not shutil.which("pdfinfo"):
        return None
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=False).stdout
    for line in out.splitlines():
        if line.startswith("Pages:"):
            return int(line.split(":", 1)[1])
    return None


def run() -> dict[str, Any]:
    from django.core.management import call_command
    from django.utils import timezone, translation

    from chiptown.registry.models import Organisation, SupplyLink
    from chiptown.reports.figures import figures_build_all
    from chiptown.reports.models import ReportDocument, ReportEdition
    from chiptown.reports.services import report_build
    from chiptown.reports.snapshots import snapshot_decode

    started = time.perf_counter()
    with translation.override("en"):
        call_command("demo_data", "--scale", str(SCALE), verbosity=0)
    demo_seconds = time.perf_counter() - started

    year = timezone.localdate().year
    edition, _created = ReportEdition.objects.get_or_create(year=year)
    builds: list[dict[str, float]] = []
    for _n in range(BUILDS):
        marks: list[tuple[float, str]] = []

        def progress(percent: int, message: str = "") -> None:
            marks.append((time.perf_counter(), message))  # noqa: B023  (read right after this build)

        begin = time.perf_counter()
        report_build(edition=edition, progress=progress)
        end = time.perf_counter()
        times = [t for t, _m in marks] + [end]
        # Marks: reading, computing, then (html, pdf) per language, then saving.
        phases = {
            "snapshot": times[1] - times[0],
            "figures": times[2] - times[1],
            "html": sum(times[i + 1] - times[i] for i in range(2, len(marks) - 1, 2)),
            "pdf": sum(times[i + 1] - times[i] for i in range(3, len(marks) - 1, 2)),
            "save": times[-1] - times[-2],
            "total": end - begin,
        }
        builds.append(phases)
    edition.refresh_from_db()
    assert edition.snapshot is not None
    median = {key: statistics.median(b[key] for b in builds) for key in builds[0]}

    began = time.perf_counter()
    data = snapshot_decode(bytes(edition.snapshot), sha256=edition.snapshot_sha256)
    recomputed = figures_build_all(data, sha256=edition.snapshot_sha256)
    recompute_seconds = time.perf_counter() - began
    same = all(
        recomputed[language]["headline"] == figures["headline"] for language, figures in (edition.figures or {}).items()
    )
    documents = ReportDocument.objects.filter(edition=edition, kind="pdf").order_by("language")
    pdfs = {d.language: bytes(d.content) for d in documents}
    return {
        "scale": {
            "demo_scale": SCALE,
            "organisations": Organisation.objects.count(),
            "supply_links": SupplyLink.objects.count(),
            "links_counted": len(data["chain"]["supplier"]),
            "languages": len(pdfs),
            "builds": BUILDS,
        },
        "figures": {
            "build_seconds": round(median["total"], 2),
            "first_build_seconds": round(builds[0]["total"], 2),
            "snapshot_seconds": round(median["snapshot"], 3),
            "figures_seconds": round(median["figures"], 3),
            "html_seconds": round(median["html"], 3),
            "pdf_seconds": round(median["pdf"], 2),
            "save_seconds": round(median["save"], 3),
            "recompute_from_snapshot_seconds": round(recompute_seconds, 3),
            "snapshot_kib": round(len(bytes(edition.snapshot)) / 1024, 1),
            **{f"pdf_{language.replace('-', '_')}_pages": _pages(pdf) for language, pdf in sorted(pdfs.items())},
            **{
                f"pdf_{language.replace('-', '_')}_kib": round(len(pdf) / 1024)
                for language, pdf in sorted(pdfs.items())
            },
        },
        "goal": "the full report (HTML + PDF, both languages) for the demo data in under 60 s",
        "recomputed_figures_match": same,
        "demo_data_seconds": round(demo_seconds, 1),
    }
