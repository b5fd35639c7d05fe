"""Reads of the competition (each part adds its own; querysets and dataclasses, owning select_related)."""
