"""Reads for skills: one project's, and aggregates over a user's projects."""

from __future__ import annotations

from django.db.models import Count, QuerySet

from projects.selectors import project_list_for_user
from skills.models import Skill, SkillCategory


def skill_list_for_project(*, project) -> QuerySet[Skill]:
    return Skill.objects.filter(project=project).order_by("category", "-confidence", "name")


def skills_grouped_for_project(*, project) -> dict:
    """Languages by byte share, and the other skills grouped by category in catalogue order."""
    languages, groups = [], {}
    for skill in skill_list_for_project(project=project):
        if skill.category == SkillCategory.LANGUAGE and skill.bytes is not None:
            languages.append(skill)
        else:
            groups.setdefault(skill.category, []).append(skill)
    languages.sort(key=lambda s: -(s.bytes or 0))
    ordered = [(c, SkillCategory(c).label, groups[c]) for c in SkillCategory.values if c in groups]
    return {"languages": languages, "categories": ordered}


def _skills_of_users_projects(*, user) -> QuerySet[Skill]:
    return Skill.objects.filter(project__in=project_list_for_user(user=user).values("pk"))


def skill_category_counts(*, user) -> list[dict]:
    """Per category: how many distinct skills and how many projects use one."""
    rows = (
        _skills_of_users_projects(user=user)
        .values("category")
        .annotate(skills=Count("name", distinct=True), projects=Count("project", distinct=True))
        .order_by("category")
    )
    labels = dict(SkillCategory.choices)
    return [{**row, "label": labels.get(row["category"], row["category"])} for row in rows]


def skill_popular(*, user, limit: int = 20, category: str = "") -> list[dict]:
    """The skills used by the most of the user's projects, most used first."""
    qs = _skills_of_users_projects(user=user)
    if category:
        qs = qs.filter(category=category)
    return list(
        qs.values("name", "category")
        .annotate(projects=Count("project", distinct=True))
        .order_by("-projects", "name")[:limit]
    )
