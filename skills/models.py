"""Skills detected in a project's repository, with the evidence for each."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class SkillCategory(models.TextChoices):
    LANGUAGE = "language", "Language"
    FRAMEWORK = "framework", "Framework"
    RUNTIME = "runtime", "Runtime"
    LIBRARY = "library", "Library"
    DATABASE = "database", "Database"
    TESTING = "testing", "Testing"
    BUILD = "build", "Build"
    CI_CD = "ci_cd", "CI/CD"
    CLOUD = "cloud", "Cloud"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    PACKAGE_MANAGER = "package_manager", "Package manager"
    TOOL = "tool", "Tool"


class Skill(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    project = models.ForeignKey("projects.Project", on_delete=models.CASCADE, related_name="skills")
    name = models.CharField(max_length=120)
    category = models.CharField(max_length=20, choices=SkillCategory.choices)
    confidence = models.FloatField(default=1.0)
    version = models.CharField(max_length=120, blank=True)
    evidence = models.JSONField(default=list, blank=True)
    # Languages only: bytes of code and their share of the repository's code.
    bytes = models.BigIntegerField(null=True, blank=True)
    byte_share = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["category", "-confidence", "name"]
        indexes = [
            # The skill filter (name), and the overview's GROUP BY name, category read
            # from the index alone.
            models.Index(fields=["name", "category"], name="skill_name_category_idx"),
            models.Index(fields=["project", "category"]),
        ]
        constraints = [
            models.UniqueConstraint(fields=["project", "name"], name="skill_unique_per_project"),
            models.CheckConstraint(
                condition=Q(category__in=SkillCategory.values), name="skill_category_valid"
            ),
            models.CheckConstraint(
                condition=Q(confidence__gte=0) & Q(confidence__lte=1), name="skill_confidence_0_1"
            ),
            models.CheckConstraint(
                condition=Q(byte_share__isnull=True)
                | (Q(byte_share__gte=0) & Q(byte_share__lte=1)),
                name="skill_byte_share_0_1",
            ),
        ]

    def __str__(self) -> str:
        return self.name
