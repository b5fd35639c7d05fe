"""Badge scans at the check-in desk over HTTP: 5,000 confirmed registrations, each badge scanned once through the
same endpoint the staff page posts to (the HTMX result fragment), then 500 of them scanned again.

A real server (gunicorn with gthread workers on the base settings and the benchmark's SQLite file) and a few client
threads, each on its own keep-alive connection, logged in as a desk volunteer (a staff registration, not an
operator: the permission check then costs its query) with a session row made here, its cookie, and the CSRF cookie
and header the page gives. Reports per-scan latency, scans per second, the outcomes (5,000 `ok`, then 500
`already`) and the SQL statements one scan costs.

The base settings keep each thread's database connection (CONN_MAX_AGE); an earlier version opened a new SQLite
connection for every request, which profiling showed to be the largest single cost of a scan (opening, the WAL
set-up of a first write, and the checkpoint when the last connection closes): p95 31 ms against 20 ms at 4 desks.
"""

from __future__ import annotations

import http.client
import os
import random
import re
import subprocess
import threading
import time
import urllib.parse
from pathlib import Path
from typing import Any

from bench.common import free_port, gunicorn_start, percentile

NAME = "checkin_scan"

REGISTRATIONS = int(os.environ.get("BENCH_CHECKIN_REGISTRATIONS", "5000"))
RESCANS = int(os.environ.get("BENCH_CHECKIN_RESCANS", "500"))
CLIENT_THREADS = int(os.environ.get("BENCH_CHECKIN_CLIENTS", "4"))
ONE_DESK = int(os.environ.get("BENCH_CHECKIN_ONE_DESK", "500"))
# One process per core, two threads each to overlap database waits (measured best of 2x4, 4x1, 2x2 and 3x2 here).
WORKERS = int(os.environ.get("BENCH_CHECKIN_WORKERS", "2"))
THREADS_PER_WORKER = int(os.environ.get("BENCH_CHECKIN_THREADS", "2"))
WARM_UP = 100
ORGANISATIONS = 100
SLUG = "bench"

ROOT = Path(__file__).resolve().parent.parent
OUTCOME = re.compile(rb'data-outcome="([a-z_]+)"')


def _fill() -> tuple[Any, Any, list[Any]]:
    """The event, a desk volunteer, and REGISTRATIONS confirmed registrations of people from ORGANISATIONS
    organisations (a registry person each, as real attendees have)."""
    import datetime

    from django.contrib.auth.hashers import make_password

    from chiptown.accounts.models import User
    from chiptown.events.models import AttendeeType, Event, Registration, RegistrationStatus
    from chiptown.registry.models import Organisation, Person, name_key, search_key

    event = Event.objects.create(
        slug=SLUG,
        name_zh="芯动亦庄 2027",
        name_en="Chip to E-Town 2027",
        starts_on=datetime.date(2027, 6, 15),
        ends_on=datetime.date(2027, 6, 17),
    )
    desk = User.objects.create(username="desk", email="desk@example.com", password=make_password(None))
    Registration.objects.create(
        event=event, user=desk, attendee_type=AttendeeType.STAFF, status=RegistrationStatus.CONFIRMED
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name_zh=f"汽车芯片公司{n}",
            name_en=f"Auto Chip Co {n}",
            name_key=name_key(f"Auto Chip Co {n}"),
            search_text=search_key(f"汽车芯片公司{n}", f"Auto Chip Co {n}"),
            country="CN",
        )
        for n in range(ORGANISATIONS)
    )
    unusable = make_password(None)
    users = User.objects.bulk_create(
        User(username=f"attendee{n:05d}", email=f"attendee{n:05d}@example.com", password=unusable)
        for n in range(REGISTRATIONS)
    )
    Person.objects.bulk_create(
        Person(
            name_zh=f"参会者{n}",
            name_en=f"Attendee {n}",
            organisation=organisations[n % ORGANISATIONS],
            user=user,
        )
        for n, user in enumerate(users)
    )
    registrations = Registration.objects.bulk_create(
        Registration(event=event, user=user, status=RegistrationStatus.CONFIRMED) for user in users
    )
    return event, desk, registrations


def _queries_per_scan(event: Any, desk: Any) -> int:
    """SQL statements one scan costs, in process through the same URL (on an extra registration)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from chiptown.accounts.models import User
    from chiptown.events import badges
    from chiptown.events.models import Registration, RegistrationStatus

    extra = Registration.objects.create(
        event=event,
        user=User.objects.create(username="extra", email="extra@example.com"),
        status=RegistrationStatus.CONFIRMED,
    )
    client = Client(enforce_csrf_checks=False)
    client.force_login(desk)
    url = reverse("events:checkin", args=[event.slug])
    client.post(url, {"token": "warm-up"}, HTTP_HX_REQUEST="true")
    with CaptureQueriesContext(connection) as captured:
        response = client.post(url, {"token": badges.badge_url(extra)}, HTTP_HX_REQUEST="true")
    assert b'data-outcome="ok"' in response.content, response.content
    return len(captured)


def _session_cookie(desk: Any) -> str:
    """A logged-in session for the desk volunteer, written straight to the session table."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(desk.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = desk.get_session_auth_hash()
    session.create()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def _start_server(port: int, settings_module: str = "chiptown.settings.base") -> subprocess.Popen[bytes]:
    from django.conf import settings

    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE=settings_module,
        CHIPTOWN_VAR_DIR=str(settings.VAR_DIR),
        PYTHONPATH=os.pathsep.join([str(ROOT / "src"), str(ROOT)]),
    )
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    return gunicorn_start(port=port, env=env, cwd=ROOT, workers=WORKERS, threads=THREADS_PER_WORKER)


class Desk:
    """One client thread's keep-alive connection, with the session and CSRF cookies."""

    def __init__(self, port: int, cookies: str, csrf: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.headers = {
            "Cookie": cookies,
            "X-CSRFToken": csrf,
            "HX-Request": "true",
            "Content-Type": "application/x-www-form-urlencoded",
        }
        self.path = f"/events/{SLUG}/checkin/"

    def scan(self, scanned: str) -> tuple[float, str]:
        body = urllib.parse.urlencode({"token": scanned})
        started = time.perf_counter()
        self.connection.request("POST", self.path, body=body, headers=self.headers)
        response = self.connection.getresponse()
        content = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"scan answered {response.status}: {content[:300]!r}")
        found = OUTCOME.search(content)
        return elapsed, found.group(1).decode() if found else "?"


def _csrf_cookie(port: int, session_cookie: str) -> str:
    """The CSRF cookie the desk page sets, as a browser would get it."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", f"/events/{SLUG}/checkin/", headers={"Cookie": session_cookie})
    response = connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"the desk page answered {response.status}")
    for header, value in response.getheaders():
        if header.lower() == "set-cookie" and value.startswith("csrftoken="):
            return value.split(";", 1)[0].split("=", 1)[1]
    raise RuntimeError("the desk page set no CSRF cookie")


def _scan_all(
    port: int, cookies: str, csrf: str, badges: list[str], clients: int = CLIENT_THREADS
) -> tuple[list[float], dict[str, int], float]:
    """Scan every badge once from `clients` threads (badges dealt out round-robin)."""
    timings: list[list[float]] = [[] for _ in range(clients)]
    outcomes: list[dict[str, int]] = [{} for _ in range(clients)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(clients)

    def run(index: int) -> None:
        desk = Desk(port, cookies, csrf)
        try:
            barrier.wait()
            for scanned in badges[index::clients]:
                elapsed, outcome = desk.scan(scanned)
                timings[index].append(elapsed)
                outcomes[index][outcome] = outcomes[index].get(outcome, 0) + 1
        except BaseException as error:  # reported to the main thread
            errors.append(error)
        finally:
            desk.connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    merged: dict[str, int] = {}
    for counts in outcomes:
        for outcome, count in counts.items():
            merged[outcome] = merged.get(outcome, 0) + count
    return [t for chunk in timings for t in chunk], merged, wall


def _pass(settings_module: str, session_cookie: str, scanned: list[str], event: Any) -> dict[str, Any]:
    """Start a server, scan every badge once, rescan RESCANS of them; then take ONE_DESK check-ins back and scan
    those badges again from a single client (one desk's latency, without other desks queueing); stop the server."""
    from django.db import connections

    from chiptown.events import badges
    from chiptown.events.models import Registration

    port = free_port()
    server = _start_server(port, settings_module)
    try:
        csrf = _csrf_cookie(port, session_cookie)
        cookies = f"{session_cookie}; csrftoken={csrf}"
        # Warm every worker thread's code paths up with scans of unreadable codes (they change nothing).
        _scan_all(port, cookies, csrf, [f"warm-up-{n}" for n in range(WARM_UP)])
        timings, outcomes, wall = _scan_all(port, cookies, csrf, scanned)
        rescanned = random.Random(6).sample(scanned, RESCANS)
        re_timings, re_outcomes, _re_wall = _scan_all(port, cookies, csrf, rescanned)
        again = list(Registration.objects.filter(event=event, checked_in_at__isnull=False).order_by("?")[:ONE_DESK])
        Registration.objects.filter(pk__in=[r.pk for r in again]).update(checked_in_at=None, checked_in_by=None)
        connections.close_all()
        one_timings, one_outcomes, _one_wall = _scan_all(
            port, cookies, csrf, [badges.badge_url(r) for r in again], clients=1
        )
    finally:
        server.terminate()
        server.wait(timeout=30)
    if (
        outcomes.get("ok") != len(scanned)
        or re_outcomes.get("already") != RESCANS
        or one_outcomes.get("ok") != len(again)
    ):
        raise RuntimeError(f"unexpected outcomes: {outcomes}, then {re_outcomes}, then {one_outcomes}")
    return {
        "timings": timings,
        "outcomes": outcomes,
        "wall": wall,
        "re_timings": re_timings,
        "re_outcomes": re_outcomes,
        "one_timings": one_timings,
    }


def run() -> dict[str, Any]:
    from django.db import connections

    from chiptown.core.models import AuditEntry
    from chiptown.events import badges
    from chiptown.events.models import Registration

    event, desk, registrations = _fill()
    queries = _queries_per_scan(event, desk)
    # Each badge as its QR code holds it: the whole check-in address.
    scanned = [badges.badge_url(registration) for registration in registrations]
    random.Random(5).shuffle(scanned)
    session_cookie = _session_cookie(desk)
    connections.close_all()

    base = _pass("chiptown.settings.base", session_cookie, scanned, event)
    checked_in = Registration.objects.filter(event=event, checked_in_at__isnull=False).count()
    audited = AuditEntry.objects.filter(action="registration.check_in").count()
    # + the in-process scan that counted the queries, + the one-desk scans
    if checked_in != REGISTRATIONS + 1 or audited != REGISTRATIONS + 1 + ONE_DESK:
        raise RuntimeError(f"{checked_in} checked in and {audited} audited after the first pass")

    def figures(result: dict[str, Any], suffix: str = "") -> dict[str, float]:
        timings, re_timings = result["timings"], result["re_timings"]
        return {
            f"scan_p50_ms{suffix}": round(percentile(timings, 50), 2),
            f"scan_p95_ms{suffix}": round(percentile(timings, 95), 2),
            f"scan_max_ms{suffix}": round(max(timings), 2),
            f"scans_per_second{suffix}": round(len(timings) / result["wall"], 1),
            f"rescan_p95_ms{suffix}": round(percentile(re_timings, 95), 2),
            f"one_desk_p50_ms{suffix}": round(percentile(result["one_timings"], 50), 2),
            f"one_desk_p95_ms{suffix}": round(percentile(result["one_timings"], 95), 2),
        }

    return {
        "scale": {
            "registrations": REGISTRATIONS,
            "rescans": RESCANS,
            "client_threads": CLIENT_THREADS,
            "one_desk_scans": ONE_DESK,
            "server": f"gunicorn gthread, {WORKERS} workers x {THREADS_PER_WORKER} threads, SQLite (WAL)",
        },
        "figures": {
            **figures(base),
            "scan_ok_count": base["outcomes"].get("ok", 0),
            "rescan_already_count": base["re_outcomes"].get("already", 0),
            "scan_queries": queries,
        },
        "outcomes": {
            "first_pass": base["outcomes"],
            "second_pass": base["re_outcomes"],
        },
    }
