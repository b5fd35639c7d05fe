"""The awards' eligibility rules, checked on an entry at submission (confirmations may still be pending) and
again at screening (everything, confirmations included). Reads only: services refuse with these problems,
the screening list shows them next to each entry."""

import datetime
from collections import defaultdict
from collections.abc import Iterable, Sequence

from django.db.models import Q
from django.utils.translation import gettext as _

from chiptown.competitions import defaults
from chiptown.competitions.models import AwardKind, Category, Entry
from chiptown.core.errors import Problem
from chiptown.core.i18n import join_list
from chiptown.registry.models import Person, Qualification

# Organisation id -> ids of its products holding a valid automotive qualification.
QualifiedProducts = dict[int, set[int]]


def valid_qualifications_query(*, standards: Sequence[str], day: datetime.date) -> "Q":
    """Unexpired product qualifications among `standards`; ISO 26262 at QM level is no functional-safety
    qualification and does not count."""
    return (
        Q(product__isnull=False, standard__in=list(standards))
        & (Q(expires_on__isnull=True) | Q(expires_on__gte=day))
        & ~Q(standard="ISO 26262", level="QM")
    )


def qualified_products(
    *, organisation_ids: Iterable[int], standards: Sequence[str], day: datetime.date
) -> QualifiedProducts:
    """For many organisations at once (one query): which of their products hold a valid qualification."""
    found: QualifiedProducts = defaultdict(set)
    rows = Qualification.objects.filter(
        valid_qualifications_query(standards=standards, day=day), product__organisation_id__in=list(organisation_ids)
    ).values_list("product__organisation_id", "product_id")
    for organisation_id, product_id in rows:
        found[organisation_id].add(product_id)
    return found


def standards_of(category: Category) -> list[str]:
    """The qualifications that count for a category (Top 50: the AEC-Q100 family and ISO 26262 by default)."""
    return list((category.eligibility or {}).get("qualification_standards") or defaults.AUTOMOTIVE_QUALIFICATIONS)


def no_account_reason(person: Person) -> str:
    return _(
        "%(name)s has no ChipTown account, so they could not confirm the nomination; ask an operator to link "
        "their account first."
    ) % {"name": person.display_name}


def rule_problems(
    entry: Entry, *, final: bool, today: datetime.date, qualified: QualifiedProducts | None = None
) -> list[Problem]:
    """The award's rules for one entry, each broken rule with a reason the applicant can act on.

    `final` false (submission): the nominee's and partners' confirmations may still be pending. `final` true
    (screening): they must be in. `qualified` is the result of qualified_products() when checking many entries;
    without it one query is made for a Top 50 entry."""
    category = entry.category
    rules = category.eligibility or {}
    kind = category.kind
    problems: list[Problem] = []
    if kind != AwardKind.INFLUENCE_FIGURE and entry.organisation is None:
        return [Problem(reason=_("Choose the organisation that applies."), column="organisation")]
    organisation = entry.organisation
    if kind == AwardKind.MOST_PROMISING and rules.get("max_age_years") and organisation is not None:
        limit = int(rules["max_age_years"])
        founded = organisation.founded_year
        if founded is None:
            problems.append(
                Problem(
                    reason=_(
                        "The registry has no founding year for %(name)s; record it on the organisation's page first."
                    )
                    % {"name": organisation.display_name},
                    column="organisation",
                )
            )
        elif category.edition.year - founded > limit:
            problems.append(
                Problem(
                    reason=_(
                        "%(name)s was founded in %(founded)d, %(age)d years before this edition; this award takes "
                        "companies founded at most %(limit)d years before."
                    )
                    % {
                        "name": organisation.display_name,
                        "founded": founded,
                        "age": category.edition.year - founded,
                        "limit": limit,
                    },
                    column="organisation",
                )
            )
    if kind == AwardKind.TOP50 and rules.get("requires_valid_qualification") and organisation is not None:
        standards = standards_of(category)
        if qualified is None:
            qualified = qualified_products(organisation_ids=[organisation.pk], standards=standards, day=today)
        products = qualified.get(organisation.pk, set())
        if entry.product_id is not None and entry.product_id not in products:
            reason = _(
                "Product %(product)s has no valid (unexpired) automotive qualification in the registry "
                "(%(standards)s; ISO 26262 at ASIL A-D)."
            ) % {"product": entry.product.part_number if entry.product else "", "standards": join_list(standards)}
            problems.append(Problem(reason=reason, column="product"))
        elif entry.product_id is None and not products:
            reason = _(
                "None of %(name)s's products has a valid (unexpired) automotive qualification in the registry "
                "(%(standards)s; ISO 26262 at ASIL A-D). Record one first."
            ) % {"name": organisation.display_name, "standards": join_list(standards)}
            problems.append(Problem(reason=reason, column="organisation"))
    if kind == AwardKind.BEST_PARTNER:
        members = sorted(entry.partners.all(), key=lambda m: m.pk)
        least = int(rules.get("min_partners") or 2)
        if len(members) < least:
            problems.append(
                Problem(
                    reason=_("Name at least %(n)d organisations, your own included.") % {"n": least}, column="partners"
                )
            )
        pending = [m.organisation.display_name for m in members if m.confirmed_at is None]
        if final and pending:
            problems.append(
                Problem(reason=_("Not yet confirmed by: %(names)s.") % {"names": join_list(pending)}, column="partners")
            )
    if kind == AwardKind.INFLUENCE_FIGURE:
        person = entry.person
        if person is None:
            problems.append(Problem(reason=_("Choose the person you nominate."), column="person"))
        elif person.user_id is None:
            problems.append(Problem(reason=no_account_reason(person), column="person"))
        elif final and rules.get("requires_nominee_confirmation", True) and entry.nominee_confirmed_at is None:
            problems.append(Problem(reason=_("The nominee has not confirmed the nomination yet."), column="person"))
    return problems


def describe(category: Category) -> list[str]:
    """The category's rules in plain words, for its page and the application form."""
    rules = category.eligibility or {}
    described: list[str] = []
    if category.kind == AwardKind.INFLUENCE_FIGURE:
        described.append(_("A person in the registry, nominated by someone else."))
        if rules.get("requires_nominee_confirmation", True):
            described.append(_("The nominee confirms the nomination with their own account."))
    if category.kind == AwardKind.TOP50 and rules.get("requires_valid_qualification"):
        described.append(
            _("At least one product with a valid (unexpired) automotive qualification in the registry: %(standards)s.")
            % {"standards": join_list(standards_of(category))}
        )
    if category.kind == AwardKind.MOST_PROMISING and rules.get("max_age_years"):
        described.append(
            _("Founded at most %(n)d years before the edition (founding year as recorded in the registry).")
            % {"n": int(rules["max_age_years"])}
        )
    if category.kind == AwardKind.BEST_PARTNER:
        described.append(
            _("At least %(n)d organisations, the applicant's first; each named organisation confirms.")
            % {"n": int(rules.get("min_partners") or 2)}
        )
    return described
