"""Conflicts of interest, derived from the registry (not only from declarations).

A judge conflicts with an entry when any organisation of the entry (the applicant, the partners of a Best
Partner entry, the nominee's employer) is tied to the judge: the judge's own organisation, one of its suppliers or
customers (supply links, one hop), one of its investors or investees, one of the judge's former employers, or an
organisation the judge declared; or when the judge declared the entry itself.

Everything is computed in bulk with a fixed number of queries (whatever the number of judges and entries) and
joined in memory with a sparse matrix product, so a whole category's conflicts cost the same few queries as one
pair's.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from chiptown.registry.models import Investment, Organisation, SupplyLink

__all__ = [
    "category_conflicts",
    "conflict_pairs",
    "conflict_reasons",
    "conflicting_pairs",
    "entry_organisations",
    "judge_conflicts_with_entry",
    "judge_ties",
    "pairs_between",
]


class Tie:
    """Why a judge is tied to an organisation (codes stored in the judge's tie map)."""

    OWN = "own"
    SUPPLIER = "supplier"
    CUSTOMER = "customer"
    INVESTOR = "investor"
    INVESTEE = "investee"
    FORMER = "former"
    DECLARED = "declared"


def tie_label(code: str) -> str:
    return {
        Tie.OWN: _("the judge's own organisation"),
        Tie.SUPPLIER: _("a supplier of the judge's organisation"),
        Tie.CUSTOMER: _("a customer of the judge's organisation"),
        Tie.INVESTOR: _("an investor in the judge's organisation"),
        Tie.INVESTEE: _("a company the judge's organisation invests in"),
        Tie.FORMER: _("a former employer of the judge"),
        Tie.DECLARED: _("declared by the judge"),
    }.get(code, code)


@dataclass
class JudgeTies:
    """Per judge: the organisations they are tied to (with why) and the entries they declared."""

    organisations: dict[int, dict[int, str]] = field(default_factory=dict)  # judge -> {organisation: tie}
    entries: dict[int, set[int]] = field(default_factory=dict)  # judge -> declared entries


def judge_ties(judges: QuerySet[Any]) -> JudgeTies:
    """Every tie of the given judges, in five queries (judges, former employers, declarations, supply links,
    investments)."""
    from chiptown.competitions.models import ConflictDeclaration, Judge

    ties = JudgeTies()
    own: dict[int, int] = {}
    for judge_id, organisation_id in judges.values_list("pk", "person__organisation_id"):
        ties.organisations.setdefault(judge_id, {})
        ties.entries.setdefault(judge_id, set())
        if organisation_id is not None:
            own[judge_id] = organisation_id

    def tie(judge_id: int, organisation_id: int | None, code: str) -> None:
        # The strongest reason wins when there are several: the judge's own organisation first.
        if organisation_id is not None:
            ties.organisations.setdefault(judge_id, {}).setdefault(organisation_id, code)

    for judge_id, organisation_id in own.items():
        tie(judge_id, organisation_id, Tie.OWN)
    former = Judge.former_employers.through.objects.filter(judge__in=judges).values_list("judge_id", "organisation_id")
    for judge_id, organisation_id in former:
        tie(judge_id, organisation_id, Tie.FORMER)
    declared = ConflictDeclaration.objects.filter(judge__in=judges).values_list(
        "judge_id", "organisation_id", "entry_id"
    )
    for judge_id, organisation_id, entry_id in declared:
        tie(judge_id, organisation_id, Tie.DECLARED)
        if entry_id is not None:
            ties.entries.setdefault(judge_id, set()).add(entry_id)

    if own:
        judges_of: dict[int, list[int]] = defaultdict(list)
        for judge_id, organisation_id in own.items():
            judges_of[organisation_id].append(judge_id)
        organisations = list(judges_of)
        links = (
            SupplyLink.objects.filter(Q(supplier_id__in=organisations) | Q(buyer_id__in=organisations))
            .values_list("supplier_id", "buyer_id")
            .distinct()
        )
        for supplier_id, buyer_id in links:
            for judge_id in judges_of.get(buyer_id, ()):
                tie(judge_id, supplier_id, Tie.SUPPLIER)
            for judge_id in judges_of.get(supplier_id, ()):
                tie(judge_id, buyer_id, Tie.CUSTOMER)
        investments = Investment.objects.filter(
            Q(investor_id__in=organisations) | Q(company_id__in=organisations)
        ).values_list("investor_id", "company_id")
        for investor_id, company_id in investments:
            for judge_id in judges_of.get(company_id, ()):
                tie(judge_id, investor_id, Tie.INVESTOR)
            for judge_id in judges_of.get(investor_id, ()):
                tie(judge_id, company_id, Tie.INVESTEE)
    return ties


def entry_organisations(entries: QuerySet[Any]) -> dict[int, set[int]]:
    """Per entry, its organisations: the applicant (or lead partner), every named partner and the nominee's
    organisation. Two queries."""
    from chiptown.competitions.models import PartnershipMember

    found: dict[int, set[int]] = {}
    for entry_id, organisation_id, nominee_organisation_id in entries.values_list(
        "pk", "organisation_id", "person__organisation_id"
    ):
        found[entry_id] = {o for o in (organisation_id, nominee_organisation_id) if o is not None}
    partners = PartnershipMember.objects.filter(entry__in=entries).values_list("entry_id", "organisation_id")
    for entry_id, organisation_id in partners:
        found.setdefault(entry_id, set()).add(organisation_id)
    return found


def pairs_between(ties: JudgeTies, organisations_of: dict[int, set[int]]) -> set[tuple[int, int]]:
    """(entry_id, judge_id) for every conflicting pair: a sparse product of entries x organisations and
    organisations x judges, plus declared entries."""
    from scipy import sparse

    judge_ids = list(ties.organisations)
    entry_ids = list(organisations_of)
    index: dict[int, int] = {}
    judge_rows: list[int] = []
    judge_cols: list[int] = []
    for row, judge_id in enumerate(judge_ids):
        for organisation_id in ties.organisations[judge_id]:
            judge_rows.append(row)
            judge_cols.append(index.setdefault(organisation_id, len(index)))
    entry_rows: list[int] = []
    entry_cols: list[int] = []
    for row, entry_id in enumerate(entry_ids):
        for organisation_id in organisations_of[entry_id]:
            column = index.get(organisation_id)
            if column is not None:  # an organisation no judge is tied to cannot make a conflict
                entry_rows.append(row)
                entry_cols.append(column)
    found: set[tuple[int, int]] = set()
    if judge_rows and entry_rows:
        shape = len(index)
        by_judge = sparse.csr_matrix(
            (np.ones(len(judge_rows), dtype=np.int32), (judge_rows, judge_cols)), shape=(len(judge_ids), shape)
        )
        by_entry = sparse.csr_matrix(
            (np.ones(len(entry_rows), dtype=np.int32), (entry_rows, entry_cols)), shape=(len(entry_ids), shape)
        )
        rows, cols = (by_entry @ by_judge.T).nonzero()
        entry_array, judge_array = np.asarray(entry_ids), np.asarray(judge_ids)
        found = set(zip(entry_array[rows].tolist(), judge_array[cols].tolist(), strict=True))
    known_entries = set(entry_ids)
    for judge_id, declared in ties.entries.items():
        for entry_id in declared & known_entries:
            found.add((entry_id, judge_id))
    return found


def conflict_pairs(*, judges: QuerySet[Any], entries: QuerySet[Any]) -> set[tuple[int, int]]:
    """Every conflicting (entry_id, judge_id) among the given judges and entries, in seven queries."""
    return pairs_between(judge_ties(judges), entry_organisations(entries))


def category_conflicts(
    *, category: Any, judges: QuerySet[Any] | None = None, entries: QuerySet[Any] | None = None
) -> set[tuple[int, int]]:
    """The conflicting (entry_id, judge_id) pairs of a category: by default its panel's judges and every entry
    of the category (any status)."""
    from chiptown.competitions.models import Entry, Judge

    if judges is None:
        judges = Judge.objects.filter(panels__category=category)
    if entries is None:
        entries = Entry.objects.filter(category=category)
    return conflict_pairs(judges=judges, entries=entries)


def conflicting_pairs(*, pairs: Iterable[tuple[Any, Any]]) -> set[tuple[int, int]]:
    """For (judge, entry) pairs, the (judge_id, entry_id) of those that conflict: for pages that list many
    assignments (a constant number of queries however many pairs)."""
    from chiptown.competitions.models import Entry, Judge

    wanted = {(judge.pk, entry.pk) for judge, entry in pairs}
    if not wanted:
        return set()
    judge_ids = {judge_id for judge_id, _entry_id in wanted}
    entry_ids = {entry_id for _judge_id, entry_id in wanted}
    found = conflict_pairs(
        judges=Judge.objects.filter(pk__in=judge_ids), entries=Entry.objects.filter(pk__in=entry_ids)
    )
    return {(judge_id, entry_id) for entry_id, judge_id in found if (judge_id, entry_id) in wanted}


def judge_conflicts_with_entry(*, judge: Any, entry: Any) -> bool:
    """Does the judge conflict with the entry? (Checked on every request that shows or scores an entry.)"""
    return bool(conflict_reasons(judge=judge, entry=entry))


def conflict_reasons(*, judge: Any, entry: Any) -> list[str]:
    """Why the judge conflicts with the entry, one sentence per tie (empty when there is none): what an
    operator sees when a pin is refused."""
    from chiptown.competitions.models import Entry, Judge

    ties = judge_ties(Judge.objects.filter(pk=judge.pk))
    reasons: list[str] = []
    if entry.pk in ties.entries.get(judge.pk, set()):
        reasons.append(_("The judge declared a conflict with this entry."))
    organisations = entry_organisations(Entry.objects.filter(pk=entry.pk)).get(entry.pk, set())
    tied = ties.organisations.get(judge.pk, {})
    shared = sorted(organisations & set(tied))
    if shared:
        names = {o.pk: o.display_name for o in Organisation.objects.filter(pk__in=shared).only("name_zh", "name_en")}
        for organisation_id in shared:
            reasons.append(
                _("%(organisation)s is %(tie)s.")
                % {
                    "organisation": names.get(organisation_id, f"#{organisation_id}"),
                    "tie": tie_label(tied[organisation_id]),
                }
            )
    return reasons
