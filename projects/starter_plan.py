"""The starter plan offered to projects without one (``docs/starter-plan.md``)."""

from __future__ import annotations

import functools

from django.conf import settings

STARTER_PLAN_PATH = settings.BASE_DIR / "docs" / "starter-plan.md"


@functools.lru_cache(maxsize=1)
def starter_plan_text() -> str:
    """The starter plan's Markdown, read once per process."""
    return STARTER_PLAN_PATH.read_text(encoding="utf-8")
