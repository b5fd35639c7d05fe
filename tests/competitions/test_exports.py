"""Operators' exports: every score as XLSX (one row per review, a second sheet with the ranking), PDF summary."""

import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from chiptown.accounts.models import User
from chiptown.competitions import exports
from chiptown.competitions.models import AwardKind, Edition, ReviewStatus
from chiptown.competitions.services import results
from chiptown.competitions.views import results as views
from tests.competitions.factories import AssignmentFactory, JudgeFactory, ReviewFactory
from tests.competitions.results_support import judged_category, judged_edition, ranking_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def rankings(monkeypatch: pytest.MonkeyPatch) -> dict[int, list[Any]]:
    chosen: dict[int, list[Any]] = {}
    monkeypatch.setattr(views, "ranking_for", lambda category: chosen.get(category.pk, []))
    return chosen


@pytest.fixture
def scored(operator: User, rankings: dict[int, list[Any]]) -> Edition:
    """Three Top 50 entries, two judges each (one review still a draft); decided and published."""
    edition = judged_edition(year=2033, name_en="Automotive Chip Competition 2033", name_zh="2033年度汽车芯片大赛")
    category, entries = judged_category(edition, kind=AwardKind.TOP50, entries=3, winners=1)
    judges = [
        JudgeFactory(edition=edition, person__name_en="Judge Wang", person__name_zh="王评委"),
        JudgeFactory(edition=edition, person__name_en="Judge Chen", person__name_zh="陈评委"),
    ]
    for index, entry in enumerate(entries):
        for judge in judges:
            draft = index == 2 and judge is judges[1]
            ReviewFactory(
                assignment=AssignmentFactory(entry=entry, judge=judge),
                scores={"innovation": 8 - index, "market": 7, "quality": 6 + index} if not draft else {"innovation": 5},
                status=ReviewStatus.DRAFT if draft else ReviewStatus.SUBMITTED,
                submitted_at=None if draft else timezone.now(),
            )
    rankings[category.pk] = ranking_of(entries)
    results.decisions_save(
        category=category, ranking=rankings[category.pk], winner_ranks={entries[0].pk: 1}, by=operator
    )
    results.results_publish(edition=edition, by=operator)
    edition.refresh_from_db()
    return edition


def test_the_weighted_total_is_the_judging_pages_weighted_score(scored: Edition) -> None:
    category = scored.categories.get(kind=AwardKind.TOP50)

    assert exports.weighted_total(category, {"innovation": 8, "market": 4, "quality": 4}) == pytest.approx(5.6)
    assert exports.weighted_total(category, {"innovation": 8}) is None


def test_the_scores_workbook_has_one_row_per_review_and_the_ranking(
    operator_client: Client, scored: Edition, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(20):
        response = operator_client.get(f"/competition/{scored.year}/export/scores.xlsx")

    assert response.status_code == 200
    assert response["Content-Type"] == exports.XLSX_CONTENT_TYPE
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Scores", "Ranking"]
    scores = list(workbook["Scores"].iter_rows(values_only=True))
    assert scores[0] == (
        "Category",
        "Entry",
        "Title",
        "Applicant",
        "Judge",
        "Innovation",
        "Market impact",
        "Automotive quality",
        "Weighted total",
        "Status",
        "Submitted at",
    )
    assert len(scores) == 1 + 6
    first = scores[1]
    assert first[3:8] == ("Winner Candidate top50 1", "Judge Wang", 8, 7, 6)
    assert first[8] == pytest.approx(0.4 * 8 + 0.3 * 7 + 0.3 * 6)
    assert first[9] == "Submitted"
    draft = [row for row in scores[1:] if row[9] == "Draft"]
    assert len(draft) == 1 and draft[0][4] == "Judge Chen" and draft[0][5:9] == (5, None, None, None)
    assert draft[0][10] is None
    ranking = list(workbook["Ranking"].iter_rows(values_only=True))
    assert ranking[0][:4] == ("Category", "Rank", "Rank interval", "Entry")
    assert [row[1] for row in ranking[1:]] == [1, 2, 3]
    assert ranking[1][11] == "Winner" and ranking[2][11] == "Not a winner"
    assert ranking[2][10] == "Straddles the cut-off"


def test_the_scores_workbook_labels_follow_the_viewers_language(operator: User, scored: Edition) -> None:
    operator.language = "zh-hans"
    operator.save()
    client = Client()
    client.force_login(operator)

    response = client.get(f"/competition/{scored.year}/export/scores.xlsx")

    workbook = load_workbook(io.BytesIO(response.content))
    header = next(workbook.worksheets[0].iter_rows(values_only=True))
    assert header[5:8] == ("创新性", "市场影响", "车规质量")
    first = next(workbook.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert first[3] == "候选企业top501"


def test_the_summary_pdf_names_the_winners(operator_client: Client, scored: Edition, tmp_path: Path) -> None:
    response = operator_client.get(f"/competition/{scored.year}/export/summary.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext (poppler-utils) is not installed: run `make system-packages`")
    source = Path(os.environ.get("CHIPTOWN_KEEP_SUMMARY", tmp_path / "summary.pdf"))
    source.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(source), "-"], capture_output=True, check=True).stdout.decode()
    assert "Results of Automotive Chip Competition 2033" in text
    assert "Winner Candidate top50 1" in text
    assert "Reviews submitted: 5 of 6" in text
    assert "Straddles the cut-off" in text


@pytest.mark.parametrize("path", ["export/scores.xlsx", "export/summary.pdf"])
def test_exports_are_for_operators_only(rep_client: Client, client: Client, scored: Edition, path: str) -> None:
    assert rep_client.get(f"/competition/{scored.year}/{path}").status_code == 403
    anonymous = client.get(f"/competition/{scored.year}/{path}")
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
