"""The `chiptown` console script: Django's manage.py for this project."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chiptown.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(command_line(sys.argv))


def command_line(argv: list[str]) -> list[str]:
    """Our commands are spelled with dashes (`demo-data`); Django's module names cannot be, so map them."""
    argv = list(argv)
    position = 2 if len(argv) > 2 and argv[1] == "help" else 1
    if len(argv) > position and not argv[position].startswith("-"):
        argv[position] = argv[position].replace("-", "_")
    return argv


if __name__ == "__main__":
    main()
