"""Who may do what with the analytics and reports: operators run them; published editions are public."""

from typing import Any

import rules

from chiptown.core.rules import is_operator

# The analyses name every organisation's dependencies and weak points: programme staff only.
rules.add_perm("reports.view_analytics", is_operator)
rules.add_perm("reports.run_scenario", is_operator)
rules.add_perm("reports.change_billofmaterials", is_operator)
rules.add_perm("reports.change_reportedition", is_operator)


@rules.predicate
def is_published_edition(user: Any, edition: Any) -> bool:
    return bool(edition is not None and edition.is_published)


# A published edition is the park's public report; drafts are for operators.
rules.add_perm("reports.view_reportedition", is_operator | is_published_edition)
