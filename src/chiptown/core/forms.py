"""Form helpers shared by every app's pages."""

from django import forms

from chiptown.core.errors import ChipTownError


def show_problems(
    form: forms.Form, error: ChipTownError, aliases: dict[str, str] | None = None, prefix: str = ""
) -> None:
    """Put a service's problems next to the fields they are about; the rest go above the form.

    `aliases` maps a problem's column to a form field's name; `prefix` finds fields named prefix + column
    (e.g. a competition form's answers to the category's own questions)."""
    aliases = aliases or {}
    if not error.problems:
        form.add_error(None, error.message)
        return
    for problem in error.problems:
        column = problem.column or ""
        name = aliases.get(column, column)
        if name not in form.fields and prefix and prefix + name in form.fields:
            name = prefix + name
        form.add_error(name if name in form.fields else None, problem.reason)
