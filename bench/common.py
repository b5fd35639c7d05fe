"""What benchmarks share: a Django set up on a fresh SQLite file, timers and percentiles, and a real HTTP server
(gunicorn) for the benchmarks that measure pages over the network."""

from __future__ import annotations

import http.client
import math
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src"


def setup_django(tmpdir: str | Path) -> None:
    """Django with the production-like base settings, on a new SQLite database under `tmpdir`, migrated.

    Benchmarks measure the settings a park would run (argon2, sessions, middleware), not the test settings;
    DATABASE_URL and REDIS_URL are dropped so that every run starts from the same empty file.
    """
    import django
    from django.apps import apps

    if apps.ready:  # a benchmark module that sets Django up itself, or a second call: nothing to do
        return
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    os.environ["DJANGO_SETTINGS_MODULE"] = "chiptown.settings.base"
    os.environ["CHIPTOWN_VAR_DIR"] = str(tmpdir)
    os.environ.pop("DATABASE_URL", None)
    os.environ.pop("REDIS_URL", None)
    (Path(tmpdir) / "static").mkdir(exist_ok=True)  # WhiteNoise warns on every start when STATIC_ROOT is missing
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def percentile(values: Sequence[float], p: float) -> float:
    """The p-th percentile (0-100) with linear interpolation between ranks, as numpy's default does."""
    if not values:
        raise ValueError("percentile of no values")
    if not 0 <= p <= 100:
        raise ValueError("p must lie between 0 and 100")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * p / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


@dataclass
class Timing:
    """Filled in when the `timer()` block ends."""

    seconds: float = 0.0

    @property
    def ms(self) -> float:
        return self.seconds * 1000


@contextmanager
def timer() -> Iterator[Timing]:
    """`with timer() as t: ...` then `t.seconds` / `t.ms`: wall time of the block (perf_counter)."""
    timing = Timing()
    started = time.perf_counter()
    try:
        yield timing
    finally:
        timing.seconds = time.perf_counter() - started


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def gunicorn_start(
    *,
    port: int,
    env: dict[str, str],
    cwd: Path,
    workers: int,
    threads: int,
    extra_args: Sequence[str] = (),
    timeout: float = 60,
) -> subprocess.Popen[bytes]:
    """Start `gunicorn chiptown.wsgi` with gthread workers (they keep database connections, as production would)
    and return once /healthz answers 200; raise if it exits or does not answer within `timeout` seconds."""
    gunicorn = Path(sys.executable).with_name("gunicorn")
    server = subprocess.Popen(
        [
            str(gunicorn),
            "chiptown.wsgi",
            "-k",
            "gthread",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--bind",
            f"127.0.0.1:{port}",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
            *extra_args,
        ],
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited before it answered /healthz")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status == 200:
                return server
        except OSError:
            pass
        time.sleep(0.2)
    server.terminate()
    raise RuntimeError(f"gunicorn did not answer /healthz within {timeout:.0f} s")
