"""The demo competition: every stage present, built through the real services, deterministic for a seed."""

from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from chiptown.accounts.models import User
from chiptown.competitions import demo
from chiptown.competitions.models import (
    Assignment,
    AwardKind,
    Certificate,
    Decision,
    Edition,
    Entry,
    EntryStatus,
    Judge,
    PartnershipMember,
    Review,
    ReviewStatus,
)
from chiptown.competitions.selectors import category_ranking  # type: ignore[attr-defined,unused-ignore]
from chiptown.registry import demo as registry_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def registry() -> None:
    registry_demo.write(registry_demo.generate(1, registry_demo.DEFAULT_SEED))
    registry_demo.demo_users_ensure()


@pytest.fixture
def built(registry: None) -> demo.DemoSummary:
    return demo.build(seed=7)


def _editions() -> tuple[Edition, Edition, Edition]:
    past, current, upcoming = Edition.objects.filter(is_demo=True).order_by("year")
    return past, current, upcoming


def _check_last_years_edition_is_complete_and_published(built: demo.DemoSummary, client: Client) -> None:
    past, _current, _upcoming = _editions()

    assert past.is_published
    for kind in AwardKind:
        assert Entry.objects.filter(category__edition=past, category__kind=kind, status=EntryStatus.ELIGIBLE).exists()
    partnerships = Entry.objects.filter(category__edition=past, category__kind=AwardKind.BEST_PARTNER)
    assert all(
        entry.partners.count() >= 2 and not entry.partners.filter(confirmed_at__isnull=True).exists()
        for entry in partnerships
    )
    assert not Entry.objects.filter(
        category__edition=past, category__kind=AwardKind.INFLUENCE_FIGURE, nominee_confirmed_at__isnull=True
    ).exists()
    assignments = Assignment.objects.filter(entry__category__edition=past)
    judges_per_entry = {category.pk: category.judges_per_entry for category in past.categories.all()}
    for entry in Entry.objects.filter(category__edition=past):
        assert assignments.filter(entry=entry).count() == judges_per_entry[entry.category_id]
    assert (
        Review.objects.filter(assignment__in=assignments, status=ReviewStatus.SUBMITTED).count() == assignments.count()
    )
    eligible = Entry.objects.filter(category__edition=past, status=EntryStatus.ELIGIBLE).count()
    assert Decision.objects.filter(entry__category__edition=past).count() == eligible
    winners = Decision.objects.filter(entry__category__edition=past, is_winner=True)
    assert Certificate.objects.filter(entry__category__edition=past).count() == winners.count() > 0
    assert sorted(built.certificate_codes) == sorted(
        Certificate.objects.filter(entry__category__edition=past).values_list("code", flat=True)
    )
    departed = Decision.objects.filter(entry__category__edition=past).exclude(reason="")
    assert departed.exists() and {d.entry.category.kind for d in departed} == {AwardKind.MOST_PROMISING}
    code = built.certificate_codes[0]
    page = client.get(f"/competition/verify/{code}/")
    assert page.status_code == 200 and "Valid" in page.content.decode()
    assert client.get(f"/competition/{past.year}/results/").status_code == 200


def _check_the_ranking_has_intervals(built: demo.DemoSummary) -> None:
    past, _current, _upcoming = _editions()
    ranking = category_ranking(category=past.categories.get(kind=AwardKind.TOP50))

    assert len(ranking) == Entry.objects.filter(category__edition=past, category__kind=AwardKind.TOP50).count()
    assert all(r.ci_low <= r.calibrated <= r.ci_high and r.rank_low <= r.rank <= r.rank_high for r in ranking)
    assert any(r.ci_high > r.ci_low for r in ranking)


def _check_the_judge_login_has_open_reviews_this_year(built: demo.DemoSummary) -> None:
    _past, current, _upcoming = _editions()
    judge = Judge.objects.get(edition=current, user__username="judge")

    open_reviews = Assignment.objects.filter(judge=judge).exclude(review__status=ReviewStatus.SUBMITTED)
    assert open_reviews.count() >= demo.JUDGE_OPEN_REVIEWS
    assert built.judge_open_reviews == open_reviews.count()
    assert not current.is_published
    assert Review.objects.filter(assignment__entry__category__edition=current, status=ReviewStatus.SUBMITTED).exists()
    assert judge.person is not None and judge.person.user == judge.user
    assert User.objects.get(username="judge").check_password(registry_demo.DEMO_PASSWORD)


def _check_the_rep_has_a_draft_in_the_open_edition(built: demo.DemoSummary) -> None:
    _past, _current, upcoming = _editions()
    rep = User.objects.get(username="rep")

    assert upcoming.accepts_applications()
    draft = built.rep_draft
    assert draft is not None
    assert (draft.status, draft.category.edition, draft.organisation) == (EntryStatus.DRAFT, upcoming, rep.organisation)
    assert draft.created_by == rep
    assert Judge.objects.filter(edition=upcoming, user__username="judge").exists()


def _check_everything_is_marked_demo(built: demo.DemoSummary) -> None:
    assert not Edition.objects.filter(is_demo=False).exists()
    assert not Entry.objects.filter(is_demo=False).exists()
    assert not Judge.objects.filter(is_demo=False).exists()


def test_the_demo_shows_every_stage(built: demo.DemoSummary, client: Client) -> None:
    """One build (a few seconds) checked from every side."""
    _check_last_years_edition_is_complete_and_published(built, client)
    _check_the_ranking_has_intervals(built)
    _check_the_judge_login_has_open_reviews_this_year(built)
    _check_the_rep_has_a_draft_in_the_open_edition(built)
    _check_everything_is_marked_demo(built)


def _signature() -> list[Any]:
    entries = sorted(
        Entry.objects.filter(category__edition__is_demo=True).values_list(
            "category__edition__year", "category__kind", "organisation_id", "person_id", "status"
        ),
        key=str,
    )
    scores = sorted(
        Review.objects.values_list(
            "assignment__entry__organisation_id",
            "assignment__entry__person_id",
            "assignment__judge__user__username",
            "scores",
        ),
        key=str,
    )
    partners = sorted(PartnershipMember.objects.values_list("organisation_id", flat=True))
    winners = sorted(
        Decision.objects.filter(is_winner=True).values_list("entry__organisation_id", "entry__person_id", "rank"),
        key=str,
    )
    return [entries, scores, partners, winners]


def test_a_seed_gives_the_same_demo(built: demo.DemoSummary) -> None:
    first = _signature()

    assert demo.delete_demo() == 3
    assert not Entry.objects.exists() and not Certificate.objects.exists()
    demo.build(seed=7)

    assert _signature() == first


def test_the_command_leaves_an_existing_demo_alone(built: demo.DemoSummary, capsys: Any) -> None:
    before = Entry.objects.count()

    call_command("competition_demo", "--if-missing")
    call_command("competition_demo")

    assert Entry.objects.count() == before
    assert "exists already" in capsys.readouterr().out


def test_the_command_without_a_registry_demo_says_what_to_do(db: Any) -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="demo-data"):
        call_command("competition_demo", verbosity=0)
    assert not Edition.objects.exists()
