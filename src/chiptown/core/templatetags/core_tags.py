"""Template helpers shared by every app."""

from typing import Any

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with some parameters replaced (for pagination and sort links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            query.pop(key, None)
        else:
            query[key] = value
    return str(query.urlencode())


@register.filter
def job_result_label(key: str) -> str:
    """A job result key as a person reads it (see core.services.job_result_labels_register)."""
    from chiptown.core.services import JOB_RESULT_LABELS

    return str(JOB_RESULT_LABELS.get(key, key))
