"""Language helpers shared by every app."""

from collections.abc import Iterable

from django.utils.translation import gettext as _


def join_list(items: Iterable[object]) -> str:
    """A list in running text: "A, B, C" in English, "A、B、C" in Chinese."""
    # Translators: the separator between items of a list in running text.
    return _(", ").join(str(item) for item in items)
