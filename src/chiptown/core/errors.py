"""The one error type for expected failures; handlers in middleware.py and api.py turn it into 4xx answers."""

from dataclasses import asdict, dataclass
from typing import Any

from django.utils.functional import Promise


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where (row, column) and why, in the user's language."""

    reason: str
    row: int | None = None
    column: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: (str(v) if isinstance(v, Promise) else v) for k, v in asdict(self).items()}


class ChipTownError(Exception):
    """An expected failure: bad input, a refused permission, a conflict. Never a 500."""

    status = 400

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str = "invalid",
        status: int | None = None,
        problems: list[Problem] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.code = code
        if status is not None:
            self.status = status
        self.problems = problems or []

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "problems": [p.as_dict() for p in self.problems],
        }


class NotFound(ChipTownError):
    status = 404

    def __init__(self, message: str | Promise, *, code: str = "not_found") -> None:
        super().__init__(message, code=code)


class PermissionDenied(ChipTownError):
    status = 403

    def __init__(self, message: str | Promise, *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


class Conflict(ChipTownError):
    status = 409

    def __init__(self, message: str | Promise, *, code: str = "conflict") -> None:
        super().__init__(message, code=code)
