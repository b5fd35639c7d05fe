"""Test settings: fast hashing, tasks run in-process, mail kept in memory."""

import os

os.environ.setdefault("SECURE_COOKIES", "false")

from .base import *  # noqa: F403
from .base import TASKS

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
TASKS["default"] = {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
AXES_FAILURE_LIMIT = 3
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Each test process keeps its own cache, even when REDIS_URL is set for the Redis task tests.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "chiptown-tests"}}
STATIC_ROOT = None  # type: ignore[assignment]  # nothing is collected in tests; WhiteNoise would warn about the missing folder
