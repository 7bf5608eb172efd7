"""Writes for skills. Only this module writes Skill rows."""

from __future__ import annotations

from django.db import transaction

from skills.core.extract import SkillsResult
from skills.core.languages import headline
from skills.models import Skill, SkillCategory

LANGUAGE = SkillCategory.LANGUAGE


def _evidence(skill) -> list[dict]:
    return [
        {"file": e.file, "line": e.line, "raw": e.raw, "version": e.version, "kind": e.kind}
        for e in skill.evidence
    ]


def skills_store(*, project, result: SkillsResult) -> list[Skill]:
    """Replace the project's skills with ``result`` (languages carry bytes and share).

    Catalogued skills come with their evidence; every headline language
    (≥ 1 % of the code) is stored too, catalogued or not, so the language
    breakdown is complete. Call it inside the refresh's transaction: on any
    error the previous skills stay.
    """
    shares = {share.name: share for share in result.languages}
    rows: dict[str, Skill] = {}
    for found in result.skills:
        share = shares.get(found.name)  # Less or Sass may be catalogued as tools: keep their share
        rows[found.name.lower()] = Skill(
            project=project,
            name=found.name[:120],
            category=found.category,
            confidence=min(max(found.confidence, 0.0), 1.0),
            version=(found.version or "")[:120],
            evidence=_evidence(found),
            bytes=share.bytes if share else None,
            byte_share=min(max(share.share, 0.0), 1.0) if share else None,
        )
    for share in headline(result.languages):
        if share.name.lower() in rows:
            continue
        rows[share.name.lower()] = Skill(
            project=project,
            name=share.name[:120],
            category=LANGUAGE,
            confidence=round(min(0.5 + share.share, 0.95), 2),
            evidence=[],
            bytes=share.bytes,
            byte_share=min(max(share.share, 0.0), 1.0),
        )
    with transaction.atomic():
        Skill.objects.filter(project=project).delete()
        return Skill.objects.bulk_create(rows.values(), batch_size=500)
