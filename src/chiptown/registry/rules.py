"""Who may change what in the registry: operators everything, representatives only their own organisation."""

from typing import Any

import rules

from chiptown.core.rules import is_operator


def _organisation_of(target: Any) -> Any:
    """The organisation a registry object belongs to, for representative checks."""
    from chiptown.registry.models import Organisation, Person, Product, Qualification, SupplyLink

    if isinstance(target, Organisation):
        return target
    if isinstance(target, Product):
        return target.organisation
    if isinstance(target, Person):
        return target.organisation  # None for a person at no organisation: operators only
    if isinstance(target, Qualification):
        return target.organisation if target.organisation_id else target.product.organisation  # type: ignore[union-attr]
    if isinstance(target, SupplyLink):
        return target.buyer  # shares are a share of the buyer's volume: the buyer vouches for them
    return None


@rules.predicate
def represents(user: Any, target: Any) -> bool:
    if not user.is_authenticated or user.role != "company_rep" or not user.organisation_id:
        return False
    organisation = _organisation_of(target)
    return organisation is not None and organisation.pk == user.organisation_id


can_edit = is_operator | represents

rules.add_perm("registry.add_organisation", is_operator)
rules.add_perm("registry.delete_organisation", is_operator)
rules.add_perm("registry.change_organisation", can_edit)
rules.add_perm("registry.import_registry", is_operator)
# For adds, the target passed is the organisation that will own the new row.
rules.add_perm("registry.add_product", can_edit)
rules.add_perm("registry.change_product", can_edit)
rules.add_perm("registry.delete_product", can_edit)
rules.add_perm("registry.add_qualification", can_edit)
rules.add_perm("registry.change_qualification", can_edit)
rules.add_perm("registry.delete_qualification", can_edit)
rules.add_perm("registry.add_person", can_edit)
rules.add_perm("registry.change_person", can_edit)
rules.add_perm("registry.delete_person", can_edit)
rules.add_perm("registry.add_supplylink", can_edit)
rules.add_perm("registry.change_supplylink", can_edit)
rules.add_perm("registry.delete_supplylink", can_edit)
