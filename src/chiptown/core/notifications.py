"""Email to people in their own language: every notification goes through notify()."""

from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


def notify(
    *,
    users: Iterable[Any],
    subject: str,
    template: str,
    context: dict[str, Any] | None = None,
    attachments: Callable[[Any], list[tuple[str, bytes, str]]] | None = None,
) -> int:
    """Send one email per user with an address, rendered in the user's language.

    `subject` is an English msgid (translated per recipient); `template` names a plain-text template
    (e.g. "competitions/email/submitted.txt") rendered with `context` plus `user`. `attachments`, if given, is
    called per user (in the user's language) and returns (filename, content, mimetype) triples, e.g. a badge and
    an .ics file. Returns how many were sent.
    """
    sent = 0
    for user in users:
        if not getattr(user, "email", ""):
            continue
        language = getattr(user, "language", "") or settings.LANGUAGE_CODE
        with translation.override(language):
            body = render_to_string(template, {**(context or {}), "user": user})
            message = EmailMultiAlternatives(
                subject=f"[ChipTown] {translation.gettext(subject)}",
                body=body,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=[user.email],
            )
            for filename, content, mimetype in attachments(user) if attachments else []:
                message.attach(filename, content, mimetype)
        sent += message.send()
    return sent


def notify_on_commit(users: list[Any], subject: str, template: str, context: dict[str, Any]) -> None:
    """notify() once the current transaction commits: no email for a refused or rolled-back change, and no call to
    the mail server while the service still holds its row locks. The context gains `site_url`."""
    from django.db import transaction

    from chiptown.core.addresses import absolute_url

    if users:
        full = {**context, "site_url": absolute_url()}
        transaction.on_commit(lambda: notify(users=users, subject=subject, template=template, context=full))
