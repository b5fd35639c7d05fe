"""Settings of the checkin_scan benchmark's second pass: the base settings with persistent SQLite connections
(each gunicorn thread keeps its connection) instead of a new connection per request, to measure what that costs."""

from chiptown.settings.base import *  # noqa: F403
from chiptown.settings.base import DATABASES

DATABASES["default"]["CONN_MAX_AGE"] = 600
