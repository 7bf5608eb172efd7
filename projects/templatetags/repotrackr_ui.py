"""Small display filters for RepoTrackr pages. Each formats one value; none marks text safe."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def pct(value) -> str:
    """A percentage for people: ``42.46`` → ``"42.5 %"``, ``100.0`` → ``"100 %"``; bad input → ``"–"``."""
    try:
        number = round(float(value), 1)
    except (TypeError, ValueError):
        return "–"
    text = f"{number:.1f}".removesuffix(".0")
    return f"{text} %"


@register.filter
def bar_width(value) -> str:
    """A CSS width for a progress bar, clamped to 0..100 and always a plain number."""
    try:
        number = min(max(float(value), 0.0), 100.0)
    except (TypeError, ValueError):
        number = 0.0
    return f"{number:.1f}%"


@register.filter
def confidence(value) -> str:
    """A 0..1 confidence as words and a percentage: ``0.92`` → ``"high (92 %)"``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return "unknown"
    word = "high" if number >= 0.8 else "medium" if number >= 0.5 else "low"
    return f"{word} ({round(number * 100)} %)"


@register.filter
def evidence_label(item) -> str:
    """One piece of skill evidence as ``file:line``, whether stored as a dict or a string."""
    if isinstance(item, dict):
        path = str(item.get("file") or item.get("path") or "")
        line = item.get("line")
        detail = item.get("detail") or item.get("reason") or ""
        label = f"{path}:{line}" if path and line else path
        return f"{label} ({detail})" if detail and label else (label or str(detail))
    return str(item)


@register.filter
def duration(seconds) -> str:
    """Seconds as a short duration: ``0.42`` → ``"0.4 s"``, ``75`` → ``"1 min 15 s"``."""
    if seconds is None or seconds == "":
        return "–"
    try:
        value = float(seconds)
    except (TypeError, ValueError):
        return "–"
    if value < 60:
        return f"{value:.1f} s"
    minutes, secs = divmod(round(value), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min"


@register.filter
def short_sha(value) -> str:
    """The first 8 characters of a commit id."""
    return str(value or "")[:8]


@register.filter
def indent(depth) -> str:
    """A CSS left padding for a task at ``depth`` (capped so deep nesting stays readable)."""
    try:
        level = min(max(int(depth), 0), 8)
    except (TypeError, ValueError):
        level = 0
    return f"{level * 1.25:.2f}rem"


@register.filter
def ago(when) -> str:
    """How long ago, for people: "just now" under a minute, else ``timesince`` and "ago".

    One filter for every time shown on a page, so none says "0 minutes ago".
    """
    if not when:
        return "never"
    from django.utils import timezone
    from django.utils.timesince import timesince

    if (timezone.now() - when).total_seconds() < 60:
        return "just now"
    return f"{timesince(when)} ago"


@register.filter
def any_active(jobs) -> bool:
    """Whether any of ``jobs`` is queued or running (a list on the page keeps polling while so)."""
    return any(getattr(job, "is_active", False) for job in jobs)


@register.filter
def countdown(seconds) -> str:
    """Seconds left as a countdown shows them: ``42`` → ``"42 s"``, ``250`` → ``"4:10"``."""
    try:
        seconds = max(int(seconds), 0)
    except (TypeError, ValueError):
        return ""
    if seconds >= 60:
        return f"{seconds // 60}:{seconds % 60:02d}"
    return f"{seconds} s"


@register.filter
def busiest_minute(bars) -> int:
    """The tallest bar's total (completed + failed): the top of the chart's value axis."""
    return max((bar.completed + bar.failed for bar in bars), default=0)
