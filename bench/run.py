"""`python -m bench.run [NAME ...]`: run the benchmarks, each in its own process on a fresh database.

A benchmark is a module `bench/bench_<something>.py` with `NAME: str` and `run() -> {"scale": ..., "figures": ...}`.
Django is already set up when `run()` is called (base settings, a new migrated SQLite file in a temporary
directory). The result, with the machine it ran on, goes to `bench/results/<NAME>.json`.
"""

from __future__ import annotations

import argparse
import ast
import datetime
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"


def discover() -> dict[str, str]:
    """NAME -> module for every bench_*.py, read without importing (modules may need Django to import)."""
    found: dict[str, str] = {}
    for path in sorted(BENCH_DIR.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if (
                isinstance(node, ast.Assign)
                and any(isinstance(t, ast.Name) and t.id == "NAME" for t in node.targets)
                and isinstance(node.value, ast.Constant)
                and isinstance(node.value.value, str)
            ):
                name = node.value.value
        found[name] = f"bench.{path.stem}"
    return found


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def machine() -> dict[str, Any]:
    from django.db import connection

    return {
        "cpu_count": os.cpu_count(),
        "cpu_model": cpu_model(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": connection.vendor,
        "database_version": ".".join(str(part) for part in connection.get_database_version()),
    }


def git_commit() -> str:
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, capture_output=True, text=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return commit + ("-dirty" if dirty.strip() else "")


def summary(result: dict[str, Any]) -> str:
    figures = ", ".join(f"{key}={value}" for key, value in result["figures"].items())
    return f"{result['benchmark']}: {figures} ({result['seconds']:.1f} s) -> bench/results/{result['benchmark']}.json"


def run_in_this_process(name: str, module_name: str) -> dict[str, Any]:
    """Set Django up on a fresh database, run one benchmark, write its JSON file."""
    import importlib

    from bench.common import setup_django

    with tempfile.TemporaryDirectory(prefix=f"chiptown-bench-{name}-") as tmpdir:
        started = time.perf_counter()
        setup_django(tmpdir)
        module = importlib.import_module(module_name)
        outcome = module.run()
        if not isinstance(outcome, dict) or not {"scale", "figures"} <= set(outcome):
            raise TypeError(f"{module_name}.run() must return a dict with 'scale' and 'figures'")
        result: dict[str, Any] = {
            "benchmark": name,
            "scale": outcome["scale"],
            "figures": outcome["figures"],
            **{k: v for k, v in outcome.items() if k not in {"scale", "figures", "machine"}},
            # A benchmark that measures another database than the runner's own names it in its "machine".
            "machine": {**machine(), **outcome.get("machine", {})},
            "commit": git_commit(),
            "measured_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "seconds": round(time.perf_counter() - started, 2),
        }
    RESULTS_DIR.mkdir(exist_ok=True)
    target = RESULTS_DIR / f"{name}.json"
    partial = target.with_suffix(".json.tmp")
    partial.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    partial.replace(target)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="benchmarks to run (default: all)")
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    parser.add_argument("--child", metavar="NAME", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    known = discover()

    if args.child:  # one benchmark, in the process the parent started for it
        result = run_in_this_process(args.child, known[args.child])
        print(summary(result), flush=True)
        return 0
    if args.list:
        print("\n".join(known))
        return 0
    unknown = [n for n in args.names if n not in known]
    if unknown:
        print(
            f"Unknown benchmark(s): {', '.join(unknown)}. Known: {', '.join(known) or 'none'}.",
            file=sys.stderr,
        )
        return 2
    selected = args.names or list(known)
    if not selected:
        print("No benchmarks found (bench/bench_*.py).", file=sys.stderr)
        return 1
    failed: list[str] = []
    for name in selected:
        # A process each: Django is set up once per process, and one benchmark's caches never help another's.
        completed = subprocess.run([sys.executable, "-m", "bench.run", "--child", name], cwd=ROOT)
        if completed.returncode != 0:
            failed.append(name)
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
