"""The rows a competition URL names, or a 404: shared by every view module."""

from django.http import Http404
from django.utils.translation import gettext as _

from chiptown.competitions import selectors
from chiptown.competitions.models import Category, Edition


def edition_or_404(year: int) -> Edition:
    edition = selectors.edition_by_year(year=year)
    if edition is None:
        raise Http404(_("No such edition."))
    return edition


def category_or_404(pk: int) -> Category:
    category = Category.objects.select_related("edition").filter(pk=pk).first()
    if category is None:
        raise Http404(_("No such category."))
    return category
