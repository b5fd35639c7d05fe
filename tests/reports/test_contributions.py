"""What the competition and the conference contribute to the annual report: exact summaries, the demo flag, the
years with nothing to show, confidentiality of closed-door workshops, query counts, and the two partials."""

import datetime
import json
from typing import Any

import pytest
from django.template.loader import render_to_string
from django.utils import translation

from chiptown.competitions.models import (
    AwardKind,
    Decision,
    Edition,
    Entry,
    EntryStatus,
    PartnershipMember,
    ReviewStatus,
)
from chiptown.events.models import (
    Event,
    Feedback,
    Registration,
    RegistrationStatus,
    Session,
    SessionKind,
    SessionSpeaker,
)
from chiptown.registry.models import Organisation
from chiptown.reports import contributions
from tests.competitions.factories import AssignmentFactory, EntryFactory, ReviewFactory
from tests.competitions.results_support import judged_category, judged_edition
from tests.events.factories import (
    ClosedDoorWorkshopFactory,
    EventFactory,
    RegistrationFactory,
    SessionFactory,
    SpeakerFactory,
    WorkshopFactory,
    at,
)
from tests.events.public_support import publish
from tests.factories import OrganisationFactory, PersonFactory

pytestmark = pytest.mark.django_db

PUBLISHED_AT = datetime.datetime(2031, 9, 14, 20, 0, tzinfo=datetime.UTC)  # 15 September in Shanghai
AFTER = datetime.date(2027, 7, 1)  # the test conference runs 15-17 June 2027
DURING = datetime.date(2027, 6, 16)


# --- The competition -------------------------------------------------------------------------------------------


def _judge(entry: Entry, *, submitted: bool = True) -> None:
    ReviewFactory(
        assignment=AssignmentFactory(entry=entry),
        status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
    )


def _win(entry: Entry, rank: int | None) -> None:
    Decision.objects.create(entry=entry, is_winner=True, rank=rank)


def _organisation(en: str, zh: str, **fields: Any) -> Organisation:
    return OrganisationFactory(name_en=en, name_zh=zh, **fields)


@pytest.fixture
def edition() -> Edition:
    """The 2031 edition, published: an Influence Figure (two nominees, one winner), Top 50 (three entries, two
    winners, one entry judged only in draft, a draft and a withdrawn application) and Best Partner (one winning
    partnership of two)."""
    edition = judged_edition(year=2031, name_en="Automotive Chip Competition 2031", name_zh="2031年度汽车芯片大赛")
    Edition.objects.filter(pk=edition.pk).update(results_published_at=PUBLISHED_AT)
    edition.refresh_from_db()

    influence, _none = judged_category(edition, kind=AwardKind.INFLUENCE_FIGURE, entries=0, winners=1)
    employer = _organisation("Alpha Semiconductor", "阿尔法半导体")
    nominees = [
        EntryFactory(
            category=influence,
            status=EntryStatus.ELIGIBLE,
            organisation=None,
            title="",
            person=PersonFactory(name_en=en, name_zh=zh, organisation=employer),
        )
        for en, zh in (("Li Na", "李娜"), ("Wang Wei", "王伟"))
    ]
    for nominee in nominees:
        _judge(nominee)
    _win(nominees[1], 1)

    top50, entries = judged_category(edition, kind=AwardKind.TOP50, entries=3, winners=2)
    _judge(entries[0])
    _judge(entries[1])
    _judge(entries[2], submitted=False)
    _win(entries[1], 1)
    _win(entries[0], 2)
    EntryFactory(category=top50, status=EntryStatus.DRAFT)
    EntryFactory(category=top50, status=EntryStatus.WITHDRAWN)

    partner, _none = judged_category(edition, kind=AwardKind.BEST_PARTNER, entries=0, winners=1)
    lead = _organisation("Gamma Motors", "伽马汽车")
    partnership = EntryFactory(category=partner, status=EntryStatus.ELIGIBLE, organisation=lead)
    PartnershipMember.objects.create(entry=partnership, organisation=lead)
    PartnershipMember.objects.create(entry=partnership, organisation=_organisation("Delta Chips", "德尔塔芯片"))
    _judge(partnership)
    _win(partnership, 1)
    return edition


def _winner(rank: int | None, en: str, zh: str, affiliation: tuple[str, str] = ("", "")) -> dict[str, Any]:
    return {
        "rank": rank,
        "name_en": en,
        "name_zh": zh,
        "affiliation_en": affiliation[0],
        "affiliation_zh": affiliation[1],
    }


def test_the_competition_summary_lists_every_award_with_its_counts_and_winners_in_rank_order(edition: Edition) -> None:
    summary = contributions.competition_summary(year=2031)

    assert summary == {
        "year": 2031,
        "name_en": "Automotive Chip Competition 2031",
        "name_zh": "2031年度汽车芯片大赛",
        "published_on": "2031-09-15",
        "is_demo": False,
        "entries": 6,
        "judged": 5,
        "winners": 4,
        "categories": [
            {
                "kind": "influence_figure",
                "name_en": "Industry Influence Figure",
                "name_zh": "产业影响力人物",
                "applicant_kind": "person",
                "entries": 2,
                "judged": 2,
                "winners_total": 1,
                "winners": [_winner(1, "Wang Wei", "王伟", ("Alpha Semiconductor", "阿尔法半导体"))],
            },
            {
                "kind": "top50",
                "name_en": "Automotive Chip Top 50",
                "name_zh": "汽车芯片50强",
                "applicant_kind": "organisation",
                "entries": 3,
                "judged": 2,
                "winners_total": 2,
                "winners": [
                    _winner(1, "Winner Candidate top50 2", "候选企业top502"),
                    _winner(2, "Winner Candidate top50 1", "候选企业top501"),
                ],
            },
            {
                "kind": "best_partner",
                "name_en": "Best Partner",
                "name_zh": "最佳合作伙伴",
                "applicant_kind": "partnership",
                "entries": 1,
                "judged": 1,
                "winners_total": 1,
                "winners": [_winner(1, "Gamma Motors & Delta Chips", "伽马汽车、德尔塔芯片")],
            },
        ],
    }
    assert json.loads(json.dumps(summary)) == summary


def test_an_unpublished_edition_and_a_year_without_one_contribute_nothing(edition: Edition) -> None:
    Edition.objects.filter(pk=edition.pk).update(results_published_at=None)

    assert contributions.competition_summary(year=2031) is None
    assert contributions.competition_summary(year=2032) is None


def test_winners_without_a_rank_come_last_and_a_long_list_is_cut_but_counted(
    edition: Edition, monkeypatch: pytest.MonkeyPatch
) -> None:
    top50 = edition.categories.get(kind=AwardKind.TOP50)
    unranked = EntryFactory(
        category=top50, status=EntryStatus.ELIGIBLE, organisation=_organisation("Epsilon Power", "艾普西隆电源")
    )
    _win(unranked, None)
    monkeypatch.setattr(contributions, "WINNERS_SHOWN", 2)

    summary = contributions.competition_summary(year=2031)

    assert summary is not None
    row = summary["categories"][1]
    assert (row["winners_total"], [w["rank"] for w in row["winners"]]) == (3, [1, 2])
    monkeypatch.setattr(contributions, "WINNERS_SHOWN", 50)
    summary = contributions.competition_summary(year=2031)
    assert summary is not None
    assert [(w["rank"], w["name_en"]) for w in summary["categories"][1]["winners"]][-1] == (None, "Epsilon Power")


@pytest.mark.parametrize(
    "mark",
    [
        pytest.param(lambda e: Edition.objects.filter(pk=e.pk).update(is_demo=True), id="the edition"),
        pytest.param(
            lambda e: Entry.objects.filter(category__edition=e, status=EntryStatus.DRAFT).update(is_demo=True),
            id="a losing draft entry",
        ),
        pytest.param(
            lambda e: Organisation.objects.filter(name_en="Delta Chips").update(is_demo=True), id="a winning partner"
        ),
    ],
)
def test_any_demo_row_marks_the_competition_summary_as_demo(edition: Edition, mark: Any) -> None:
    mark(edition)

    summary = contributions.competition_summary(year=2031)

    assert summary is not None and summary["is_demo"] is True


def test_the_competition_summary_costs_the_same_queries_whatever_the_size(
    edition: Edition, django_assert_max_num_queries: Any
) -> None:
    partner = edition.categories.get(kind=AwardKind.BEST_PARTNER)
    for n in range(12):
        entry = EntryFactory(category=partner, status=EntryStatus.ELIGIBLE)
        for _member in range(3):
            PartnershipMember.objects.create(entry=entry, organisation=OrganisationFactory())
        _win(entry, n + 2)

    with django_assert_max_num_queries(5):
        summary = contributions.competition_summary(year=2031)

    assert summary is not None and summary["categories"][2]["winners_total"] == 13


# --- The conference --------------------------------------------------------------------------------------------


@pytest.fixture
def conference() -> dict[str, Any]:
    """The June 2027 conference, published: two keynotes, a panel, a salon, a closed-door workshop and a break;
    two accepted speakers, one declined; four confirmed registrations (three checked in), one pending, one
    cancelled; feedback on every session but the break. A keynote added after publication is not in it."""
    event = EventFactory(
        slug="2027",
        name_en="Chip to E-Town 2027",
        name_zh="芯动亦庄 2027",
        venue_en="E-Town Convention Centre",
        venue_zh="亦庄会展中心",
    )
    opening = SessionFactory(event=event, title_en="Opening keynote", title_zh="开幕主旨演讲")
    outlook = SessionFactory(
        event=event, title_en="Market outlook", title_zh="市场展望", starts_at=at(1, 10), ends_at=at(1, 11)
    )
    panel = SessionFactory(
        event=event,
        kind=SessionKind.PANEL,
        title_en="Who makes the chips",
        title_zh="谁来造芯",
        starts_at=at(1, 11),
        ends_at=at(1, 12),
    )
    salon = WorkshopFactory(event=event, title_en="Chiplets salon", title_zh="芯粒沙龙")
    secret = ClosedDoorWorkshopFactory(event=event, title_en="Own chips roadmap", title_zh="自研芯片路线图")
    SessionFactory(
        event=event, kind=SessionKind.BREAK, title_en="Lunch", title_zh="午餐", starts_at=at(1, 12), ends_at=at(1, 13)
    )
    speakers = [SpeakerFactory(event=event) for _ in range(2)]
    declined = SpeakerFactory(event=event, status="declined")
    SessionSpeaker.objects.create(session=opening, speaker=speakers[0])
    SessionSpeaker.objects.create(session=panel, speaker=speakers[0])
    SessionSpeaker.objects.create(session=panel, speaker=speakers[1], position=1)
    SessionSpeaker.objects.create(session=outlook, speaker=declined)
    publish(event)
    SessionFactory(event=event, title_en="Late keynote", title_zh="新增演讲", starts_at=at(2, 9), ends_at=at(2, 10))

    people = [RegistrationFactory(event=event) for _ in range(4)]
    Registration.objects.filter(pk__in=[r.pk for r in people[:3]]).update(checked_in_at=at(1, 8))
    RegistrationFactory(event=event, status=RegistrationStatus.PENDING)
    RegistrationFactory(event=event, status=RegistrationStatus.CANCELLED)
    ratings = {
        opening: [5, 5, 4, 4],  # 4.5 from four
        outlook: [5, 5, 5],  # 5.0 from three
        panel: [5, 5],  # too few to rank
        salon: [3, 3, 3],
        secret: [5, 5, 5],  # would be the best: confidential, never listed
    }
    for session, values in ratings.items():
        for registration, rating in zip(people, values, strict=False):
            Feedback.objects.create(
                session=session, registration=registration, rating=rating, content_rating=3, speaker_rating=3
            )
    return {"event": event, "secret": secret, "people": people}


def _kind(kind: str, en: str, zh: str, sessions: int) -> dict[str, Any]:
    return {"kind": kind, "label_en": en, "label_zh": zh, "sessions": sessions}


PROGRAMME = {
    "year": 2027,
    "name_en": "Chip to E-Town 2027",
    "name_zh": "芯动亦庄 2027",
    "venue_en": "E-Town Convention Centre",
    "venue_zh": "亦庄会展中心",
    "starts_on": "2027-06-15",
    "ends_on": "2027-06-17",
    "is_demo": False,
    "programme_version": 1,
    "sessions": 5,
    "sessions_by_kind": [
        _kind("keynote", "Keynote", "主旨演讲", 2),
        _kind("panel", "Hot-topic panel", "热点圆桌", 1),
        _kind("salon", "Innovation salon", "创新沙龙", 1),
        _kind("workshop", "Closed-door workshop", "闭门研讨会", 1),
    ],
    "speakers": 2,
    "closed_door_workshops": 1,
}


def test_the_conference_summary_after_the_event(conference: dict[str, Any]) -> None:
    summary = contributions.conference_summary(year=2027, as_of=AFTER)

    assert summary == {
        **PROGRAMME,
        "upcoming": False,
        "attendance": {"registrations": 4, "checked_in": 3, "attendance_rate": 0.75},
        "feedback": {
            "responses": 15,
            "mean_rating": 4.47,  # 67 / 15
            "min_ratings": 3,
            "best_sessions": [
                {
                    "title_en": "Market outlook",
                    "title_zh": "市场展望",
                    "kind": "keynote",
                    "mean_rating": 5.0,
                    "ratings": 3,
                },
                {
                    "title_en": "Opening keynote",
                    "title_zh": "开幕主旨演讲",
                    "kind": "keynote",
                    "mean_rating": 4.5,
                    "ratings": 4,
                },
                {
                    "title_en": "Chiplets salon",
                    "title_zh": "芯粒沙龙",
                    "kind": "salon",
                    "mean_rating": 3.0,
                    "ratings": 3,
                },
            ],
        },
    }
    assert json.loads(json.dumps(summary)) == summary


def test_a_conference_not_over_yet_carries_its_programme_counts_only(conference: dict[str, Any]) -> None:
    summary = contributions.conference_summary(year=2027, as_of=DURING)

    assert summary == {**PROGRAMME, "upcoming": True, "attendance": None, "feedback": None}


def test_closed_door_workshops_are_counted_never_named(conference: dict[str, Any]) -> None:
    # Made closed-door after publication: its title stays out too.
    salon = Session.objects.get(title_en="Chiplets salon")
    Session.objects.filter(pk=salon.pk).update(closed_door=True)

    summary = contributions.conference_summary(year=2027, as_of=AFTER)

    text = json.dumps(summary, ensure_ascii=False)
    for title in ("Own chips roadmap", "自研芯片路线图", "Chiplets salon", "芯粒沙龙"):
        assert title not in text
    assert summary is not None and summary["closed_door_workshops"] == 1
    for language in ("en", "zh-hans"):
        with translation.override(language):
            html = render_to_string("reports/report/_conference.html", {"figures": {"conference": summary}})
        assert "Own chips roadmap" not in html and "自研芯片路线图" not in html


def test_no_published_conference_that_year_contributes_nothing(conference: dict[str, Any]) -> None:
    EventFactory(slug="draft-2028", starts_on=datetime.date(2028, 5, 1), ends_on=datetime.date(2028, 5, 2))

    assert contributions.conference_summary(year=2028, as_of=AFTER) is None
    assert contributions.conference_summary(year=2026, as_of=AFTER) is None


def test_of_two_conferences_in_a_year_the_one_with_more_confirmed_people_is_summarised(
    conference: dict[str, Any],
) -> None:
    side = EventFactory(
        slug="2027-autumn",
        name_en="Autumn forum 2027",
        starts_on=datetime.date(2027, 10, 1),
        ends_on=datetime.date(2027, 10, 1),
    )
    publish(side)
    for _person in range(3):
        RegistrationFactory(event=side)

    summary = contributions.conference_summary(year=2027, as_of=datetime.date(2027, 12, 1))
    assert summary is not None and summary["name_en"] == "Chip to E-Town 2027"

    for _person in range(2):
        RegistrationFactory(event=side)
    summary = contributions.conference_summary(year=2027, as_of=datetime.date(2027, 12, 1))
    assert summary is not None and summary["name_en"] == "Autumn forum 2027"


@pytest.mark.parametrize(
    "mark",
    [
        pytest.param(lambda c: Event.objects.filter(pk=c["event"].pk).update(is_demo=True), id="the event"),
        pytest.param(lambda c: Session.objects.filter(pk=c["secret"].pk).update(is_demo=True), id="a session"),
        pytest.param(
            lambda c: Registration.objects.filter(pk=c["people"][0].pk).update(is_demo=True), id="a registration"
        ),
    ],
)
def test_any_demo_row_marks_the_conference_summary_as_demo(conference: dict[str, Any], mark: Any) -> None:
    mark(conference)

    summary = contributions.conference_summary(year=2027, as_of=AFTER)

    assert summary is not None and summary["is_demo"] is True


def test_the_conference_summary_costs_the_same_queries_whatever_the_size(
    conference: dict[str, Any], django_assert_max_num_queries: Any
) -> None:
    event = conference["event"]
    for n in range(10):
        SessionFactory(event=event, title_en=f"Extra {n}", starts_at=at(3, 8 + n), ends_at=at(3, 9 + n))
    publish(event)
    for _person in range(10):
        RegistrationFactory(event=event)

    with django_assert_max_num_queries(8):
        summary = contributions.conference_summary(year=2027, as_of=AFTER)

    assert summary is not None and summary["sessions"] == 16


# --- The partials ----------------------------------------------------------------------------------------------


def _render(name: str, figures: dict[str, Any], language: str) -> str:
    with translation.override(language):
        return render_to_string(f"reports/report/_{name}.html", {"figures": figures})


def test_the_competition_partial_prints_names_in_the_active_language(edition: Edition) -> None:
    figures = {"competition": contributions.competition_summary(year=2031)}

    english = _render("competition", figures, "en")
    chinese = _render("competition", figures, "zh-hans")

    assert "Automotive Chip Competition 2031" in english and "2031年度汽车芯片大赛" not in english
    assert "<td>Wang Wei</td><td>Alpha Semiconductor</td>" in english
    assert "<td>Gamma Motors &amp; Delta Chips</td>" in english
    assert "2031年度汽车芯片大赛" in chinese and "Automotive Chip Competition 2031" not in chinese
    assert "<td>王伟</td><td>阿尔法半导体</td>" in chinese
    assert "<td>伽马汽车、德尔塔芯片</td>" in chinese
    assert "Demo data" not in english


def test_the_competition_partial_says_when_its_results_are_demo_data(edition: Edition) -> None:
    Edition.objects.filter(pk=edition.pk).update(is_demo=True)
    figures = {"competition": contributions.competition_summary(year=2031)}

    assert "Demo data: these competition results are generated, not real." in _render("competition", figures, "en")


def test_the_conference_partial_prints_names_in_the_active_language(conference: dict[str, Any]) -> None:
    figures = {"conference": contributions.conference_summary(year=2027, as_of=AFTER)}

    english = _render("conference", figures, "en")
    chinese = _render("conference", figures, "zh-hans")

    assert "Chip to E-Town 2027" in english and "E-Town Convention Centre" in english
    assert "<td>Hot-topic panel</td><td>1</td>" in english
    assert "<td>Market outlook</td><td>5.00</td><td>3</td>" in english
    assert "<td>4</td><td>3</td><td>75.0 %</td>" in english
    assert "市场展望" not in english
    assert "芯动亦庄 2027" in chinese and "亦庄会展中心" in chinese
    assert "<td>热点圆桌</td><td>1</td>" in chinese
    assert "<td>市场展望</td>" in chinese and "Market outlook" not in chinese


def test_the_conference_partial_of_an_upcoming_event_has_no_attendance_or_feedback(
    conference: dict[str, Any],
) -> None:
    figures = {"conference": contributions.conference_summary(year=2027, as_of=DURING)}

    english = _render("conference", figures, "en")

    assert "published programme only" in english
    assert "Closed-door workshops planned: 1" in english
    assert "Attendance rate" not in english and "Best-rated sessions" not in english


def test_the_snapshot_keeps_both_summaries_as_plain_json(edition: Edition, conference: dict[str, Any]) -> None:
    from chiptown.reports.snapshots import snapshot_decode, snapshot_encode, snapshot_take

    snapshot = snapshot_take(year=2031)
    decoded = snapshot_decode(snapshot_encode(snapshot)[0])

    assert decoded["competition"] == contributions.competition_summary(year=2031)
    assert decoded["conference"] is None  # the conference was in 2027
    assert snapshot_take(year=2027)["conference"] == contributions.conference_summary(year=2027)
