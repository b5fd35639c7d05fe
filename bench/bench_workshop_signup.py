"""500 people sign up at once over HTTP for a 200-seat workshop, on PostgreSQL: exactly 200 seats confirmed, 300
places on the waiting list, no errors.

A real server (gunicorn with gthread workers, the base settings, persistent database connections) on a dedicated
PostgreSQL database (`chiptown_bench`, dropped and created again on every run, dropped at the end), and 50 client
threads on keep-alive connections, each person posting `POST /api/v1/events/sessions/{id}/signup` once with their
own API token: the whole path a script or the app takes (token check, registration, published programme, invitation
rules, the conditional seat update, the sign-up row, its audit entry, the waiting-list position).

Two workers of two threads each: more threads per worker only contend for the GIL (8 threads cost about 10% more
CPU per sign-up here and gave about 20% fewer sign-ups per second). Each worker keeps half of the clients'
connections. BENCH_SIGNUP_AUTH=session signs people in with a session cookie and the CSRF
header instead of a token (the browser's way); BENCH_SIGNUP_THREADS changes the threads per worker.

For scale, the same rush against a bare view on the same server stack: the conditional seat update and the sign-up
row, nothing else (no token, no checks, no audit), as in the issue's "bare Django view" figure.

Besides the rate, the CPU one sign-up costs the server processes and its PostgreSQL backends (read from /proc), and
the share of the machine that other processes used meanwhile: on a shared machine the rate moves with that share,
the CPU per sign-up does not.

The database is prepared in a child process (Django needs PostgreSQL as its default database there; the benchmark
runner gives this process SQLite), which also counts the SQL statements one sign-up costs.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import free_port, gunicorn_start, percentile

NAME = "workshop_signup"

PEOPLE = int(os.environ.get("BENCH_SIGNUP_PEOPLE", "500"))
SEATS = int(os.environ.get("BENCH_SIGNUP_SEATS", "200"))
AUTH = os.environ.get("BENCH_SIGNUP_AUTH", "token")  # token | session
CLIENT_THREADS = int(os.environ.get("BENCH_SIGNUP_CLIENTS", "50"))
WORKERS = 2
CORES = os.cpu_count() or 1
THREADS_PER_WORKER = int(os.environ.get("BENCH_SIGNUP_THREADS", "2"))
WARM_UP = 200
SLUG = "bench"

ROOT = Path(__file__).resolve().parent.parent
POSTGRES = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432")
DATABASE = "chiptown_bench"
BASELINE_SETTINGS = "bench.workshop_signup_bare_settings"


def _cpu_seconds() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command line, CPU seconds so far) for every process (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[int, tuple[int, str, float]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8") as stat_file:
                fields = stat_file.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", encoding="utf-8", errors="replace") as cmdline_file:
                command = cmdline_file.read().replace("\0", " ")
        except OSError:
            continue
        found[int(entry)] = (int(fields[1]), command, (int(fields[11]) + int(fields[12])) / ticks)
    return found


def _cpu_split(before: dict[int, Any], after: dict[int, Any], server_pid: int) -> dict[str, float]:
    """CPU seconds spent between two snapshots by the server (master and workers), this database's PostgreSQL
    backends, this process (the clients), and everything else on the machine."""
    split = {"server": 0.0, "database": 0.0, "clients": 0.0, "others": 0.0}
    for pid, (parent, command, seconds) in after.items():
        spent = seconds - (before[pid][2] if pid in before else 0.0)
        if pid == server_pid or parent == server_pid:
            split["server"] += spent
        elif command.startswith("postgres:") and f" {DATABASE} " in command:
            split["database"] += spent
        elif pid == os.getpid():
            split["clients"] += spent
        else:
            split["others"] += spent
    return split


def _admin(statement: str) -> None:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as admin:
        admin.execute(statement)  # type: ignore[arg-type]


def _postgres_version() -> str:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/postgres", autocommit=True, connect_timeout=5) as admin:
        row = admin.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


def _recreate_database() -> None:
    try:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    except Exception as error:
        raise RuntimeError(f"This benchmark needs PostgreSQL at {POSTGRES} (trust auth): {error}") from error
    _admin(f"CREATE DATABASE {DATABASE}")


def _env(var_dir: Path, settings_module: str = "chiptown.settings.base") -> dict[str, str]:
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=settings_module,
        DATABASE_URL=f"{POSTGRES}/{DATABASE}",
        CONN_MAX_AGE="600",
        CHIPTOWN_VAR_DIR=str(var_dir),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    env.pop("REDIS_URL", None)
    return env


# --- The child process: migrate and fill the PostgreSQL database -------------------------------------------------


def _prepare() -> dict[str, Any]:
    """Runs with PostgreSQL as Django's default database: migrate, then an event with a published programme of two
    SEATS-seat workshops (one for the real endpoint, one for the bare view) and PEOPLE confirmed registrations with
    an API token each. Returns what the parent needs, and the SQL statements one sign-up costs."""
    import datetime

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from chiptown.accounts.models import ApiToken, User
    from chiptown.events.models import (
        Event,
        ProgrammeVersion,
        Registration,
        RegistrationStatus,
        Room,
        Session,
        SessionKind,
    )

    call_command("migrate", verbosity=0, interactive=False)
    first_day = timezone.localdate() + datetime.timedelta(days=30)
    event = Event.objects.create(
        slug=SLUG,
        name_zh="芯动亦庄 基准",
        name_en="Chip to E-Town benchmark",
        starts_on=first_day,
        ends_on=first_day + datetime.timedelta(days=2),
        registration_open=True,
    )
    room = Room.objects.create(event=event, name_zh="工作坊厅", name_en="Workshop hall", capacity=SEATS + 50)
    starts = datetime.datetime.combine(first_day, datetime.time(14), tzinfo=event.zone)
    workshops = [
        Session.objects.create(
            event=event,
            kind=SessionKind.SALON,
            title_zh=f"车规芯片功能安全工作坊 {n}",
            title_en=f"Functional safety workshop {n}",
            room=room,
            starts_at=starts + datetime.timedelta(hours=3 * n),
            ends_at=starts + datetime.timedelta(hours=3 * n + 2),
            capacity=SEATS,
        )
        for n in range(3)  # the endpoint, the bare view, and one for counting SQL statements
    ]
    ProgrammeVersion.objects.create(
        event=event,
        number=1,
        sessions={
            str(s.pk): {
                "kind": s.kind,
                "title_zh": s.title_zh,
                "title_en": s.title_en,
                "track": None,
                "room": room.pk,
                "starts_at": s.starts_at.astimezone(datetime.UTC).isoformat(),  # type: ignore[union-attr]
                "ends_at": s.ends_at.astimezone(datetime.UTC).isoformat(),  # type: ignore[union-attr]
                "capacity": s.capacity,
                "closed_door": False,
                "speakers": [],
            }
            for s in workshops
        },
    )
    Event.objects.filter(pk=event.pk).update(programme_version=1, programme_published_at=timezone.now())
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"attendee{n:04d}", email=f"attendee{n:04d}@example.com", password=unusable, language="zh-hans")
        for n in range(PEOPLE + 1)
    )
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=user, status=RegistrationStatus.CONFIRMED) for user in users
    )
    keys = [ApiToken.issue(user=user, name="bench")[1] for user in users]
    cookies = [_session_cookie(user) for user in users[:PEOPLE]]

    # One sign-up through the same endpoint, in process, for its SQL statements (the extra person, third workshop).
    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {keys[-1]}"}
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/api/v1/events/sessions/{workshops[2].pk}/signup", "{}", content_type="application/json", **headers
        )
    assert response.status_code == 201, response.content
    return {
        "sessions": [workshops[0].pk, workshops[1].pk],
        "keys": keys[:PEOPLE],
        "cookies": cookies,
        "registrations": [r.pk for r in registrations[:PEOPLE]],
        "signup_queries": len(captured),
    }


def _session_cookie(user: Any) -> str:
    """A logged-in session for `user`, written straight to the session table, with a CSRF secret: the cookie
    header a browser would send (the X-CSRFToken header repeats the secret)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils.crypto import get_random_string

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    secret = get_random_string(32)
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}; {settings.CSRF_COOKIE_NAME}={secret}"


# --- The parent: servers and clients -----------------------------------------------------------------------------


def _start_server(port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Each worker takes its share of the clients' keep-alive connections; left alone, one worker can end up with
    # most of them (and a core's worth of work) while the other idles.
    return gunicorn_start(
        port=port,
        env=env,
        cwd=ROOT,
        workers=WORKERS,
        threads=THREADS_PER_WORKER,
        extra_args=["--worker-connections", str(max(1, CLIENT_THREADS // WORKERS))],
    )


Request = tuple[str, str, dict[str, str], bytes]  # method, path, headers, body


def _rush(port: int, requests: list[Request]) -> tuple[list[float], list[Any], float]:
    """Send every request once from CLIENT_THREADS threads on keep-alive connections, all released together.
    Returns latencies (ms), (status, body) per request in order, and the wall time."""
    timings: list[float] = [0.0] * len(requests)
    answers: list[Any] = [None] * len(requests)
    failures: list[BaseException] = []
    barrier = threading.Barrier(CLIENT_THREADS)

    def run(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            barrier.wait()
            for number in range(index, len(requests), CLIENT_THREADS):
                method, path, headers, body = requests[number]
                started = time.perf_counter()
                connection.request(method, path, body=body, headers=headers)
                response = connection.getresponse()
                content = response.read()
                timings[number] = (time.perf_counter() - started) * 1000
                answers[number] = (response.status, content)
        except BaseException as error:  # reported to the main thread
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENT_THREADS)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if failures:
        raise failures[0]
    return timings, answers, wall


def _credentials(data: dict[str, Any]) -> list[dict[str, str]]:
    """Each person's request headers: their API token, or (BENCH_SIGNUP_AUTH=session) their logged-in session
    cookie with the CSRF header, as the browser's session sends."""
    if AUTH == "session":
        return [
            {"Cookie": cookie, "X-CSRFToken": cookie.rsplit("=", 1)[1], "Content-Type": "application/json"}
            for cookie in data["cookies"]
        ]
    return [{"Authorization": f"Bearer {key}", "Content-Type": "application/json"} for key in data["keys"]]


def _warm_up(port: int) -> None:
    """Every worker thread opens its database connection and runs the code paths once, changing nothing: the health
    check, and sign-ups with a token that does not exist (refused after the token query)."""
    refused = {"Authorization": "Bearer ct_warm-up", "Content-Type": "application/json"}
    requests: list[Request] = [("GET", "/healthz", {}, b"")] * (WARM_UP // 2)
    requests += [("POST", "/api/v1/events/sessions/1/signup", refused, b"{}")] * (WARM_UP // 2)
    _rush(port, requests)


def _seat_counts(session_id: int) -> dict[str, int]:
    import psycopg

    with psycopg.connect(f"{POSTGRES}/{DATABASE}", autocommit=True) as database:
        counts = dict(
            database.execute(
                "SELECT status, count(*) FROM events_signup WHERE session_id = %s GROUP BY status", (session_id,)
            ).fetchall()
        )
        row = database.execute("SELECT seats_taken FROM events_session WHERE id = %s", (session_id,)).fetchone()
    counts["seats_taken"] = row[0] if row else -1
    return counts


def _check(name: str, session_id: int, answers: list[Any], expected_code: int) -> dict[str, int]:
    outcomes: dict[str, int] = {"confirmed": 0, "waiting": 0, "errors": 0}
    first_error = ""
    for status, content in answers:
        if status == expected_code:
            outcomes[json.loads(content)["status"]] += 1
        else:
            outcomes["errors"] += 1
            first_error = first_error or f"{status}: {content[:300]!r}"
    stored = _seat_counts(session_id)
    expected = {"confirmed": SEATS, "waiting": PEOPLE - SEATS, "errors": 0}
    if outcomes != expected or stored != {"confirmed": SEATS, "waiting": PEOPLE - SEATS, "seats_taken": SEATS}:
        raise RuntimeError(f"{name}: answers {outcomes}, stored {stored}, expected {expected}. {first_error}")
    return outcomes


def run() -> dict[str, Any]:
    from django.conf import settings

    var_dir = Path(settings.VAR_DIR)
    _recreate_database()
    try:
        prepared = subprocess.run(
            [sys.executable, "-m", "bench.bench_workshop_signup", "--prepare"],
            cwd=ROOT,
            env=_env(var_dir),
            capture_output=True,
            text=True,
        )
        if prepared.returncode != 0:
            raise RuntimeError(f"preparing the database failed:\n{prepared.stderr[-3000:]}")
        data = json.loads(prepared.stdout.strip().splitlines()[-1])
        endpoint_session, bare_session = data["sessions"]

        port = free_port()
        server = _start_server(port, _env(var_dir))
        try:
            _warm_up(port)
            requests = [
                ("POST", f"/api/v1/events/sessions/{endpoint_session}/signup", headers, b'{"nda_accepted": false}')
                for headers in _credentials(data)
            ]
            before = _cpu_seconds()
            timings, answers, wall = _rush(port, requests)
            cpu = _cpu_split(before, _cpu_seconds(), server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        outcomes = _check("endpoint", endpoint_session, answers, 201)

        port = free_port()
        server = _start_server(port, _env(var_dir, BASELINE_SETTINGS))
        try:
            _warm_up(port)
            bare_requests: list[Request] = [
                (
                    "POST",
                    f"/bench/bare-signup/{bare_session}/{registration}/",
                    {"Content-Type": "application/json"},
                    b"{}",
                )
                for registration in data["registrations"]
            ]
            before = _cpu_seconds()
            bare_timings, bare_answers, bare_wall = _rush(port, bare_requests)
            bare_cpu = _cpu_split(before, _cpu_seconds(), server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
        _check("bare view", bare_session, bare_answers, 200)
    finally:
        _admin(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")

    return {
        "machine": {"database": "postgresql", "database_version": _postgres_version()},
        "scale": {
            "people": PEOPLE,
            "seats": SEATS,
            "client_threads": CLIENT_THREADS,
            "authentication": "API token" if AUTH != "session" else "logged-in session with CSRF header",
            "server": f"gunicorn gthread, {WORKERS} workers x {THREADS_PER_WORKER} threads, PostgreSQL, "
            "persistent connections (CONN_MAX_AGE=600)",
        },
        "figures": {
            "signup_per_second": round(PEOPLE / wall, 1),
            "signup_p50_ms": round(percentile(timings, 50), 2),
            "signup_p95_ms": round(percentile(timings, 95), 2),
            "signup_max_ms": round(max(timings), 2),
            "rush_seconds": round(wall, 3),
            "confirmed_count": outcomes["confirmed"],
            "waiting_count": outcomes["waiting"],
            "errors_count": outcomes["errors"],
            "signup_queries": data["signup_queries"],
            # CPU per sign-up, which other work on the machine does not change (the rate above it does).
            "server_cpu_per_signup_ms": round(cpu["server"] / PEOPLE * 1000, 2),
            "database_cpu_per_signup_ms": round(cpu["database"] / PEOPLE * 1000, 2),
            "other_processes_cpu_ratio": round(cpu["others"] / (wall * CORES), 3),
            "bare_view_signup_per_second": round(PEOPLE / bare_wall, 1),
            "bare_view_signup_p95_ms": round(percentile(bare_timings, 95), 2),
            "bare_view_server_cpu_per_signup_ms": round(bare_cpu["server"] / PEOPLE * 1000, 2),
            "bare_view_other_processes_cpu_ratio": round(bare_cpu["others"] / (bare_wall * CORES), 3),
            "endpoint_to_bare_view_ratio": round((PEOPLE / wall) / (PEOPLE / bare_wall), 3),
        },
    }


if __name__ == "__main__" and sys.argv[1:] == ["--prepare"]:
    print(json.dumps(_prepare()))
