"""Conflicts of interest, derived from the registry (not only from declarations).

A judge conflicts with an entry when any organisation of the entry (applicant, partners, the nominee's
employer) is: the judge's own organisation, one of its suppliers or customers (supply links, one hop), one of
its investors or investees, one of the judge's former employers, or an organisation the judge declared; or when
the judge declared the entry itself.
"""

from typing import Any


def judge_conflicts_with_entry(*, judge: Any, entry: Any) -> bool:
    """Placeholder until the conflict rules land: refuses everything, so nothing is ever shown by mistake."""
    return True
