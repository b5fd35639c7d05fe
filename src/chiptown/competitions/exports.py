"""Operators' exports of an edition: every score as XLSX (one row per review, and the rankings), and a PDF
summary of the results. Labels are in the viewer's language (the active translation).

The rankings come in as arguments (selectors.category_ranking per category), so these functions only shape
rows and never recompute a ranking.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from chiptown.competitions import selectors
from chiptown.competitions.models import Category, Edition, Review
from chiptown.competitions.services.reviews import rubric_criteria, weighted_score
from chiptown.core.i18n import join_list
from chiptown.core.spreadsheets import xlsx_bytes
from chiptown.registry.models import pick_language

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# The ranking's flag codes (ranking.FLAG_*) in words.
FLAG_LABELS = {
    "disagreement": gettext_lazy("Judges disagree"),
    "cutoff": gettext_lazy("Straddles the cut-off"),
}


def flag_labels(flags: Sequence[str]) -> list[str]:
    return [str(FLAG_LABELS.get(flag, flag)) for flag in flags]


def weighted_total(category: Category, scores: dict[str, Any]) -> float | None:
    """The review's weighted score as the judging pages compute it (None until every criterion is scored)."""
    return weighted_score(rubric_criteria(category), scores)


def _local(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _round(value: Any, places: int = 3) -> Any:
    return round(float(value), places) if value is not None else None


def _criteria(categories: Sequence[Category]) -> list[tuple[str, str]]:
    """Every criterion code of the edition's rubrics, in rubric order, with its label in the viewer's language."""
    seen: dict[str, str] = {}
    for category in categories:
        for criterion in category.rubric:
            code = str(criterion.get("code", ""))
            if code and code not in seen:
                label = pick_language(str(criterion.get("label_zh", "")), str(criterion.get("label_en", "")))
                seen[code] = label or code
    return list(seen.items())


def _judge_name(review: Review) -> str:
    judge = review.assignment.judge
    if judge.person is not None:
        return judge.person.display_name
    return str(judge.user.get_full_name() or judge.user.get_username())


def _entry_name(entry: Any) -> str:
    return " / ".join(applicant.display_name for applicant in selectors.entry_applicants(entry))


def score_rows(*, edition: Edition) -> tuple[list[str], list[list[Any]]]:
    """The reviews sheet: header and rows (one per review)."""
    categories = selectors.in_award_order(edition.categories.all())
    criteria = _criteria(categories)
    header = [
        _("Category"),
        _("Entry"),
        _("Title"),
        _("Applicant"),
        _("Judge"),
        *[label for _code, label in criteria],
        _("Weighted total"),
        _("Status"),
        _("Submitted at"),
    ]
    rows: list[list[Any]] = []
    for review in selectors.edition_reviews(edition=edition):
        entry = review.assignment.entry
        scores = review.scores or {}
        rows.append(
            [
                entry.category.display_name,
                entry.pk,
                entry.title,
                _entry_name(entry),
                _judge_name(review),
                *[_round(scores.get(code), 2) if scores.get(code) is not None else None for code, _label in criteria],
                _round(weighted_total(entry.category, scores)),
                review.get_status_display(),
                _local(review.submitted_at),
            ]
        )
    return header, rows


def ranking_rows(*, edition: Edition, rankings: Mapping[int, Sequence[Any]]) -> tuple[list[str], list[list[Any]]]:
    """The rankings sheet: each category's calibrated ranking with intervals, flags and the decision."""
    header = [
        _("Category"),
        _("Rank"),
        _("Rank interval"),
        _("Entry"),
        _("Applicant"),
        _("Raw mean"),
        _("Leniency-corrected"),
        _("Calibrated"),
        _("Interval low"),
        _("Interval high"),
        _("Flags"),
        _("Decision"),
        _("Decided rank"),
    ]
    rows: list[list[Any]] = []
    for category in selectors.in_award_order(edition.categories.all()):
        decisions = selectors.category_decisions(category=category)
        for ranked in sorted(rankings.get(category.pk, []), key=lambda r: r.rank):
            decision = decisions.get(ranked.entry.pk)
            verdict = ""
            if decision is not None:
                verdict = _("Winner") if decision.is_winner else _("Not a winner")
            rows.append(
                [
                    category.display_name,
                    ranked.rank,
                    f"{ranked.rank_low}–{ranked.rank_high}",
                    ranked.entry.pk,
                    _entry_name(ranked.entry),
                    _round(ranked.raw_mean),
                    _round(ranked.leniency_score),
                    _round(ranked.calibrated),
                    _round(ranked.ci_low),
                    _round(ranked.ci_high),
                    join_list(flag_labels(ranked.flags)),
                    verdict,
                    decision.rank if decision is not None else None,
                ]
            )
    return header, rows


def scores_xlsx(*, edition: Edition, rankings: Mapping[int, Sequence[Any]]) -> bytes:
    """Two sheets: every review, and every category's ranking."""
    return xlsx_bytes(
        [
            (_("Scores"), *score_rows(edition=edition)),
            (_("Ranking"), *ranking_rows(edition=edition, rankings=rankings)),
        ],
        min_width=10,
    )


def summary_context(*, edition: Edition, rankings: Mapping[int, Sequence[Any]]) -> dict[str, Any]:
    """The figures and winners of an edition for the PDF summary."""
    results = selectors.edition_results(edition=edition)
    progress = selectors.edition_decision_counts(edition=edition)
    review_counts = selectors.edition_review_counts(edition=edition)
    sections = []
    for category_results in results:
        category = category_results.category
        ranking = sorted(rankings.get(category.pk, []), key=lambda r: r.rank)
        by_entry = {ranked.entry.pk: ranked for ranked in ranking}
        sections.append(
            {
                "category": category,
                "winners": [
                    {"winner": winner, "ranked": by_entry.get(winner.entry.pk), "name": _entry_name(winner.entry)}
                    for winner in category_results.winners
                ],
                "eligible": progress[category.pk].eligible if category.pk in progress else 0,
                "reviews": review_counts.get(category.pk, {}),
                "flagged": [
                    {"ranked": ranked, "name": _entry_name(ranked.entry), "flags": flag_labels(ranked.flags)}
                    for ranked in ranking
                    if ranked.flags
                ][:20],
            }
        )
    return {"edition": edition, "sections": sections, "generated_at": timezone.localtime()}


def summary_pdf(*, edition: Edition, rankings: Mapping[int, Sequence[Any]]) -> bytes:
    from weasyprint import HTML

    html = render_to_string("competitions/summary_pdf.html", summary_context(edition=edition, rankings=rankings))
    return bytes(HTML(string=html).write_pdf())
