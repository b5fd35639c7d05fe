"""Settings of the bare-view baseline of the workshop_signup benchmark: the base settings (same middleware, same
persistent PostgreSQL connections) with bench.workshop_signup_bare's one extra address."""

from chiptown.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.workshop_signup_bare"
