"""The public conference programme at 300 published sessions (3 days, 8 rooms, 5 tracks, 150 speakers), rendered
through Django's test Client with the full middleware, session and templates.

Reports the SQL queries one page costs (constant whatever the size) and p50/p95 render times of the programme page
grouped by time, track and room (one day of about 100 sessions per page), of a session page, of the whole
programme's iCal feed (served from its cache, and what building it costs), and of the printable PDF (its first,
uncached render and a cached one).
"""

from __future__ import annotations

import datetime
import os
import sys
import tempfile
import zoneinfo
from pathlib import Path
from typing import Any

NAME = "programme_page"

SESSIONS = int(os.environ.get("BENCH_PROGRAMME_SESSIONS", "300"))
DAYS = 3
ROOMS = 8
TRACKS = 5
SPEAKERS = 150
REQUESTS = int(os.environ.get("BENCH_PROGRAMME_REQUESTS", "200"))
WARM_UP = 10
SLUG = "bench"

KINDS = ["keynote", "panel", "salon", "keynote", "workshop", "panel", "break", "ceremony"]
COLOURS = ["#1f6feb", "#1a7f37", "#b35900", "#7a4dd8", "#c62828"]


def _populate() -> dict[str, int]:
    """A published three-day programme written in bulk, its version in the published-programme JSON format."""
    from django.db import transaction

    from chiptown.events.models import (
        Event,
        ProgrammeVersion,
        Room,
        Session,
        SessionSpeaker,
        Speaker,
        SpeakerRole,
        SpeakerStatus,
        Track,
    )
    from chiptown.registry.models import Organisation, Person, name_key, search_key

    shanghai = zoneinfo.ZoneInfo("Asia/Shanghai")
    first_day = datetime.date(2027, 6, 15)
    with transaction.atomic():
        event = Event.objects.create(
            slug=SLUG,
            name_zh="汽车芯片产业大会（基准）",
            name_en="Automotive Chip Conference (benchmark)",
            starts_on=first_day,
            ends_on=first_day + datetime.timedelta(days=DAYS - 1),
            venue_zh="北京亦庄国际会展中心",
            venue_en="E-Town International Convention Centre",
            is_demo=True,
        )
        rooms = Room.objects.bulk_create(
            Room(event=event, name_zh=f"{n + 1}号厅", name_en=f"Hall {n + 1}", capacity=200 + 50 * n, position=n)
            for n in range(ROOMS)
        )
        tracks = Track.objects.bulk_create(
            Track(event=event, name_zh=f"分论坛{n + 1}", name_en=f"Track {n + 1}", colour=COLOURS[n], position=n)
            for n in range(TRACKS)
        )
        organisations = Organisation.objects.bulk_create(
            Organisation(
                name_zh=f"基准芯片公司{n}",
                name_en=f"Bench Chip Co {n}",
                name_key=name_key(f"Bench Chip Co {n}"),
                search_text=search_key(f"基准芯片公司{n}", f"Bench Chip Co {n}"),
                is_demo=True,
            )
            for n in range(50)
        )
        people = Person.objects.bulk_create(
            Person(
                name_zh=f"张{n}",
                name_en=f"Zhang {n}",
                title="Chief engineer",
                organisation=organisations[n % len(organisations)],
                is_demo=True,
            )
            for n in range(SPEAKERS)
        )
        speakers = Speaker.objects.bulk_create(
            Speaker(
                event=event,
                person=person,
                status=SpeakerStatus.ACCEPTED,
                bio_en=f"{person.name_en} designs automotive chips.",
                bio_zh=f"{person.name_zh}从事车规芯片设计。",
                is_demo=True,
            )
            for person in people
        )
        rows = []
        for i in range(SESSIONS):
            day, room, slot = i % DAYS, (i // DAYS) % ROOMS, i // (DAYS * ROOMS)
            kind = KINDS[i % len(KINDS)]
            date = first_day + datetime.timedelta(days=day)
            starts_at = datetime.datetime(date.year, date.month, date.day, 8, tzinfo=shanghai) + datetime.timedelta(
                minutes=45 * slot
            )
            rows.append(
                Session(
                    event=event,
                    kind=kind,
                    title_zh=f"第{i + 1}场：车规芯片的市场与技术",
                    title_en=f"Session {i + 1}: automotive-grade chips, market and technology",
                    abstract_zh="车规级芯片的市场分析与预测。" * 5,
                    abstract_en="Market analysis and forecasts for automotive-grade chips. " * 5,
                    room=rooms[room],
                    track=None if kind == "break" else tracks[i % TRACKS],
                    starts_at=starts_at,
                    ends_at=starts_at + datetime.timedelta(minutes=40),
                    capacity=30 if kind in ("salon", "workshop") else None,
                    closed_door=kind == "workshop",
                    is_demo=True,
                )
            )
        sessions = Session.objects.bulk_create(rows)
        links: list[SessionSpeaker] = []
        for i, session in enumerate(sessions):
            if session.kind == "break":
                continue
            links.append(SessionSpeaker(session=session, speaker=speakers[i % SPEAKERS], position=0))
            if session.kind == "panel":
                links.append(
                    SessionSpeaker(
                        session=session,
                        speaker=speakers[(i + 1) % SPEAKERS],
                        role=SpeakerRole.MODERATOR,
                        position=1,
                    )
                )
        SessionSpeaker.objects.bulk_create(links)
        speakers_of: dict[int, list[list[Any]]] = {}
        for link in links:
            speakers_of.setdefault(link.session.pk, []).append([link.speaker.pk, link.role])
        snapshot = {
            str(s.pk): {
                "kind": s.kind,
                "title_zh": s.title_zh,
                "title_en": s.title_en,
                "track": s.track.pk if s.track else None,
                "room": s.room.pk if s.room else None,
                "starts_at": s.starts_at.astimezone(datetime.UTC).isoformat() if s.starts_at else None,
                "ends_at": s.ends_at.astimezone(datetime.UTC).isoformat() if s.ends_at else None,
                "capacity": s.capacity,
                "closed_door": s.closed_door,
                "speakers": speakers_of.get(s.pk, []),
            }
            for s in sessions
        }
        version = ProgrammeVersion.objects.create(event=event, number=1, sessions=snapshot)
        Event.objects.filter(pk=event.pk).update(programme_version=1, programme_published_at=version.published_at)
    return {
        "sessions": len(sessions),
        "days": DAYS,
        "rooms": ROOMS,
        "tracks": TRACKS,
        "speakers": SPEAKERS,
        "session_speakers": len(links),
        "requests_per_figure": REQUESTS,
    }


def _measure(client: Any, urls: list[str]) -> tuple[list[float], int]:
    """Timings of REQUESTS GETs cycling through `urls`, and the queries the first URL costs."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bench.common import timer

    for n in range(max(WARM_UP, len(urls))):
        assert client.get(urls[n % len(urls)]).status_code == 200
    with CaptureQueriesContext(connection) as captured:
        client.get(urls[0])
    page_queries = len(captured.captured_queries)  # now: the next request's start clears the query log
    timings: list[float] = []
    for n in range(REQUESTS):
        with timer() as t:
            response = client.get(urls[n % len(urls)])
        assert response.status_code == 200, urls[n % len(urls)]
        timings.append(t.ms)
    return timings, page_queries


def run() -> dict[str, Any]:
    from django.apps import apps

    if not apps.ready:  # run as a script rather than by bench/run.py
        from bench.common import setup_django

        setup_django(tempfile.mkdtemp(prefix="chiptown-bench-programme-"))
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client

    from bench.common import percentile, timer
    from chiptown.events.models import Session

    scale = _populate()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    client = Client()
    base = f"/events/{SLUG}/"
    figures: dict[str, Any] = {}
    queries: list[int] = []
    for view in ("time", "track", "room"):
        suffix = "" if view == "time" else f"&view={view}"
        timings, page_queries = _measure(client, [f"{base}?day={day}{suffix}" for day in range(1, DAYS + 1)])
        figures[f"{view}_view_render_p50_ms"] = round(percentile(timings, 50), 2)
        figures[f"{view}_view_render_p95_ms"] = round(percentile(timings, 95), 2)
        figures[f"{view}_view_queries"] = page_queries
        queries.append(page_queries)
    session_ids = list(Session.objects.filter(event__slug=SLUG).order_by("pk").values_list("pk", flat=True))
    timings, session_queries = _measure(client, [f"{base}sessions/{pk}/" for pk in session_ids[::7]])
    figures["session_page_p50_ms"] = round(percentile(timings, 50), 2)
    figures["session_page_p95_ms"] = round(percentile(timings, 95), 2)
    figures["session_page_queries"] = session_queries
    uncached: list[float] = []
    for _ in range(5):  # the feed is cached under its fingerprint: what building it costs
        cache.clear()
        with timer() as t:
            assert client.get(f"{base}programme.ics").status_code == 200
        uncached.append(t.ms)
    figures["ical_uncached_median_ms"] = round(percentile(uncached, 50), 2)
    timings, ical_queries = _measure(client, [f"{base}programme.ics"])
    figures["ical_p50_ms"] = round(percentile(timings, 50), 2)
    figures["ical_p95_ms"] = round(percentile(timings, 95), 2)
    figures["ical_queries"] = ical_queries
    cache.clear()
    with timer() as cold:
        assert client.get(f"{base}programme.pdf").status_code == 200
    with timer() as warm:
        assert client.get(f"{base}programme.pdf").status_code == 200
    figures["pdf_first_render_seconds"] = round(cold.seconds, 2)
    figures["pdf_cached_ms"] = round(warm.ms, 2)
    figures["queries"] = max(queries)
    figures["render_p95_ms"] = max(figures[f"{view}_view_render_p95_ms"] for view in ("time", "track", "room"))
    figures["render_p50_ms"] = max(figures[f"{view}_view_render_p50_ms"] for view in ("time", "track", "room"))
    return {"scale": scale, "figures": figures}


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import json

    print(json.dumps(run(), indent=2, ensure_ascii=False))
