"""Read a repository's ``repotrackr.yml`` (or ``.repotrackr.yml``).

Every key is optional::

    plan_paths: [planning/, docs/extra.md]   # or one string
    status_markers:
      checkboxes: {"?": blocked, "~": doing}  # the character inside [ ]
      emoji: {"🟢": done}
      "[>]": doing                            # flat form works too: "[c]" or an emoji
    stale_after_days: 30
    thresholds: {green: 80, yellow: 40}       # percentages

The file comes from an untrusted repository: it is capped in size and read
with the shared safe YAML loader (aliases within an expansion budget, so a
"billion laughs" bomb is refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from projects.core.plan_model import DEFAULT_MARKERS, MARKER_STATUSES, StatusMarkers
from repotrackr.core import safe_yaml

CONFIG_NAMES = ("repotrackr.yml", ".repotrackr.yml", "repotrackr.yaml", ".repotrackr.yaml")
MAX_CONFIG_BYTES = 64 * 1024
_KNOWN_KEYS = frozenset(
    {"plan_paths", "plan_path", "status_markers", "stale_after_days", "thresholds"}
)


class PlanConfigError(ValueError):
    """The configuration file is unusable; the message says which key and why."""


@dataclass(frozen=True)
class PlanConfig:
    """Settings a repository may give itself. ``None`` means "use the site default"."""

    plan_paths: tuple[str, ...] = ()
    markers: StatusMarkers = field(default_factory=lambda: DEFAULT_MARKERS)
    stale_after_days: int | None = None
    green_at: float | None = None
    yellow_at: float | None = None
    source_path: str = ""
    warnings: tuple[str, ...] = ()


DEFAULT_CONFIG = PlanConfig()


def parse_plan_config(text: str, *, source_path: str = "repotrackr.yml") -> PlanConfig:
    """Parse and validate a ``repotrackr.yml`` text into a :class:`PlanConfig`.

    Raises :class:`PlanConfigError` (message prefixed by ``source_path``) for
    oversized files, YAML syntax errors, aliases, nesting deep enough to
    exhaust the parser's stack, and keys with values of the
    wrong type or range. An empty file is a valid empty config; unknown keys
    are reported as warnings, not errors, so newer files still load.
    """
    try:
        return _parse(text, source_path)
    except PlanConfigError as exc:
        raise PlanConfigError(f"{source_path}: {exc}") from None


def _parse(text: str, source_path: str) -> PlanConfig:
    if len(text.encode("utf-8", "replace")) > MAX_CONFIG_BYTES:
        raise PlanConfigError(f"larger than {MAX_CONFIG_BYTES // 1024} KiB")
    try:
        data = safe_yaml.load(text)
    except safe_yaml.YamlError as exc:
        raise PlanConfigError(str(exc)) from None
    if data is None:
        return PlanConfig(source_path=source_path)
    if not isinstance(data, dict):
        raise PlanConfigError("the top level must be a mapping of keys to values")
    warnings = tuple(
        f"{source_path}: unknown key {key!r} ignored" for key in data if key not in _KNOWN_KEYS
    )
    green, yellow = _thresholds(data.get("thresholds"))
    return PlanConfig(
        plan_paths=_plan_paths(data.get("plan_paths", data.get("plan_path"))),
        markers=_markers(data.get("status_markers")),
        stale_after_days=_stale_days(data.get("stale_after_days")),
        green_at=green,
        yellow_at=yellow,
        source_path=source_path,
        warnings=warnings,
    )


def _plan_paths(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PlanConfigError("plan_paths must be a path or a list of paths")
    if len(value) > 50:
        raise PlanConfigError("plan_paths may list at most 50 paths")
    return tuple(v.strip() for v in value)


def _status(key: str, value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in MARKER_STATUSES:
        raise PlanConfigError(
            f"status_markers: {key!r} must map to one of {', '.join(MARKER_STATUSES)}, "
            f"not {value!r}"
        )
    return value.strip().lower()


def _markers(value: object) -> StatusMarkers:
    if value is None:
        return DEFAULT_MARKERS
    if not isinstance(value, dict):
        raise PlanConfigError("status_markers must be a mapping")
    boxes: dict[str, str] = {}
    emoji: dict[str, str] = {}
    for key, status in value.items():
        if key in ("checkboxes", "emoji"):
            if not isinstance(status, dict):
                raise PlanConfigError(f"status_markers.{key} must be a mapping")
            target = boxes if key == "checkboxes" else emoji
            for sub_key, sub_status in status.items():
                target[str(sub_key)] = _status(str(sub_key), sub_status)
            continue
        key = str(key)
        if len(key) == 3 and key[0] == "[" and key[2] == "]":
            boxes[key[1]] = _status(key, status)
        else:
            emoji[key] = _status(key, status)
    try:
        return DEFAULT_MARKERS.with_overrides(checkboxes=boxes, emoji=emoji)
    except ValueError as exc:
        raise PlanConfigError(f"status_markers: {exc}") from None


def _stale_days(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 3650:
        raise PlanConfigError("stale_after_days must be a whole number of days from 1 to 3650")
    return value


def _percentage(name: str, value: object) -> float | None:
    if value is None:
        return None
    if isinstance(value, str) and value.strip().endswith("%"):
        value = value.strip()[:-1]
        try:
            value = float(value)
        except ValueError:
            pass
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 100:
        raise PlanConfigError(f"thresholds.{name} must be a percentage from 0 to 100")
    return float(value)


def _thresholds(value: object) -> tuple[float | None, float | None]:
    if value is None:
        return None, None
    if not isinstance(value, Mapping):
        raise PlanConfigError("thresholds must be a mapping with green and/or yellow")
    unknown = set(value) - {"green", "yellow"}
    if unknown:
        raise PlanConfigError(f"thresholds: unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    green = _percentage("green", value.get("green"))
    yellow = _percentage("yellow", value.get("yellow"))
    if green is not None and yellow is not None and yellow > green:
        raise PlanConfigError("thresholds.yellow may not be above thresholds.green")
    return green, yellow
