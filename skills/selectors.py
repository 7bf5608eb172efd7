"""Reads for skills: one project's, and aggregates over a user's projects."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from projects.selectors import project_list_for_user
from skills.models import Skill, SkillCategory


def skill_list_for_project(*, project) -> QuerySet[Skill]:
    return Skill.objects.filter(project=project).order_by("category", "-confidence", "name")


def skills_grouped_for_project(*, project) -> dict:
    """Languages by byte share, and every skill (languages too) grouped by category in catalogue order."""
    languages: list[Skill] = []
    groups: dict[str, list[Skill]] = {}
    for skill in skill_list_for_project(project=project):
        if skill.category == SkillCategory.LANGUAGE and skill.bytes is not None:
            languages.append(skill)
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


# --- Page shapes: the dashboard's overview panel and the project page -------------

TOP_SKILLS_IN_OVERVIEW = 12
_CATEGORY_LABELS = dict(SkillCategory.choices)
_CATEGORY_ORDER = {value: i for i, value in enumerate(SkillCategory.values)}


@dataclass(frozen=True, slots=True)
class SkillUsage:
    name: str
    category: str
    projects: int

    @property
    def category_label(self) -> str:
        return _CATEGORY_LABELS.get(self.category, self.category)


@dataclass(frozen=True, slots=True)
class CategoryBar:
    category: str
    label: str
    count: int
    percentage: float  # of the largest category, for the bar's length


@dataclass(frozen=True, slots=True)
class SkillsOverview:
    top: list[SkillUsage]
    categories: list[CategoryBar]
    names: list[str]  # every skill name, for the dashboard's skill filter

    @property
    def is_empty(self) -> bool:
        return not self.names


def skills_overview_for(*, user) -> SkillsOverview:
    """Most used skills across the user's projects (staff: all) and usage per category, in one query.

    A skill counts once per project that uses it; the category bars add those
    counts up, so they read "how many project-skill pairs are databases".
    """
    # A join on the owner is cheaper here than an IN over the user's project ids.
    skills = Skill.objects.all() if user.is_staff else Skill.objects.filter(project__owner=user)
    # COUNT(*) (a skill row is one project's) lets PostgreSQL answer from the
    # (name, category) index without reading the table.
    rows = (
        skills.values("name", "category")
        .annotate(projects=Count("*"))
        .order_by("-projects", "name")
    )
    usages = [SkillUsage(r["name"], r["category"], r["projects"]) for r in rows]
    per_category: dict[str, int] = defaultdict(int)
    for usage in usages:
        per_category[usage.category] += usage.projects
    largest = max(per_category.values(), default=0)
    categories = [
        CategoryBar(cat, _CATEGORY_LABELS.get(cat, cat), n, round(100 * n / largest, 1))
        for cat, n in sorted(
            per_category.items(), key=lambda kv: (-kv[1], _CATEGORY_ORDER.get(kv[0], 99))
        )
    ]
    return SkillsOverview(
        top=usages[:TOP_SKILLS_IN_OVERVIEW],
        categories=categories,
        names=sorted({u.name for u in usages}, key=str.lower),
    )


@dataclass(frozen=True, slots=True)
class SkillGroup:
    category: str
    label: str
    skills: list[Skill]


@dataclass(frozen=True, slots=True)
class LanguageShare:
    name: str
    share: float  # percent of the repository's code, 0..100
    index: int  # picks the bar colour; the name and share are always shown as text


@dataclass(frozen=True, slots=True)
class ProjectSkills:
    groups: list[SkillGroup]
    languages: list[LanguageShare]


def project_skills_for(*, project) -> ProjectSkills:
    """The project's skills grouped by category, and its languages by byte share (one query)."""
    grouped: dict[str, list[Skill]] = defaultdict(list)
    languages: list[tuple[float, Skill]] = []  # (byte share, skill)
    for skill in Skill.objects.filter(project=project).order_by("-confidence", "name"):
        grouped[skill.category].append(skill)
        # Every share of the code's bytes, whatever its category (Less and Sass are "styling"):
        # the bar then adds up to what the scan measured.
        if skill.byte_share:
            languages.append((skill.byte_share, skill))
    languages.sort(key=lambda pair: -pair[0])
    groups = [
        SkillGroup(cat, _CATEGORY_LABELS.get(cat, cat), grouped[cat])
        for cat in sorted(grouped, key=lambda c: _CATEGORY_ORDER.get(c, 99))
    ]
    shares = [
        LanguageShare(s.name, round(100 * share, 1), i % 8)
        for i, (share, s) in enumerate(languages)
    ]
    return ProjectSkills(groups=groups, languages=shares)
