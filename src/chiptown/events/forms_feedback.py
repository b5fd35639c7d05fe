"""The session feedback form: rendering and parsing only; the rules live in services.feedback."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from chiptown.events.models import Feedback
from chiptown.events.services.feedback import COMMENT_MAX

RATING_CHOICES = [(str(n), str(n)) for n in range(1, 6)]


class RatingField(forms.TypedChoiceField):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=RATING_CHOICES,
            coerce=int,
            widget=forms.RadioSelect(attrs={"class": "rating"}),
            help_text=_("1 is poor, 5 is excellent."),
            **kwargs,
        )


class FeedbackForm(forms.Form):
    rating = RatingField(label=_("Overall, how was this session?"))
    content_rating = RatingField(label=_("How useful was the content?"))
    speaker_rating = RatingField(label=_("How good were the speakers?"))
    comment = forms.CharField(
        label=_("Anything else you want to tell the organisers or the speakers?"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    @classmethod
    def for_answer(cls, answer: Feedback | None, data: Any = None) -> "FeedbackForm":
        initial = (
            {
                "rating": str(answer.rating),
                "content_rating": str(answer.content_rating),
                "speaker_rating": str(answer.speaker_rating),
                "comment": answer.comment,
            }
            if answer is not None
            else None
        )
        return cls(data, initial=initial)
