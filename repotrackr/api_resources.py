"""The API's resources, named once: the browsable root, Swagger's groups, and page titles.

``/api/v1/`` lists the resources with their URLs; the OpenAPI schema groups operations by
the same names (tagged by path); the browsable API titles each page in words ("Refresh a
project") instead of its class name ("Project Refresh Api").
"""

from __future__ import annotations

import re

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

# Path patterns (after /api/v1/) to their group; the first match wins.
GROUP_OF_PATH = [
    (re.compile(r"^$"), "Overview"),
    (re.compile(r"^projects/\{[^}]+\}/(refresh|refresh-status|refresh-history|extract-skills)$"), "Refreshes"),
    (re.compile(r"^projects/\{[^}]+\}/skills$"), "Skills"),
    (re.compile(r"^projects"), "Projects"),
    (re.compile(r"^jobs/(queue-status|metrics|failed|queues/)"), "Queues"),
    (re.compile(r"^jobs"), "Jobs"),
    (re.compile(r"^skills"), "Skills"),
    (re.compile(r"^channels"), "Notifications"),
    (re.compile(r"^tokens"), "API tokens"),
]  # fmt: skip

# URL name (in the ``api`` namespace) to the title of its browsable page.
TITLES = {
    "root": "RepoTrackr API",
    "project-list": "Projects",
    "project-detail": "Project",
    "project-tasks": "Project tasks",
    "project-progress": "Project progress history",
    "project-refresh": "Refresh a project",
    "project-refresh-status": "Refresh status",
    "project-refresh-history": "Refresh history",
    "project-extract-skills": "Extract a project's skills",
    "project-skills": "Project skills",
    "job-list": "Jobs",
    "job-detail": "Job",
    "job-status": "Job status",
    "job-retry": "Retry a job",
    "job-queue-status": "Queue status",
    "job-metrics": "Job metrics",
    "job-failed": "Failed jobs",
    "queue-pause": "Pause a queue",
    "queue-resume": "Resume a queue",
    "skill-categories": "Skill categories",
    "skill-popular": "Popular skills",
    "channel-list": "Notification channels",
    "channel-detail": "Notification channel",
    "channel-test": "Send a test notification",
    "channel-deliveries": "Deliveries",
    "token-list": "API tokens",
    "token-detail": "API token",
}

# What the root lists: (key, URL name), each a list a client can start from.
ROOT_LINKS = [
    ("projects", "api:project-list"),
    ("jobs", "api:job-list"),
    ("skill_categories", "api:skill-categories"),
    ("popular_skills", "api:skill-popular"),
    ("tokens", "api:token-list"),
]


def group_of(path: str) -> str:
    """The Swagger group of an API path such as ``/api/v1/projects/{project_id}/refresh``."""
    tail = path.removeprefix("/api/v1/")
    return next((group for pattern, group in GROUP_OF_PATH if pattern.match(tail)), "Other")


class GroupedAutoSchema(AutoSchema):
    def get_tags(self) -> list[str]:
        return [group_of(self.path)]


def view_name(view) -> str:
    """A browsable page's title: its resource in words, else its class name in words."""
    request = getattr(view, "request", None)
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in TITLES:
        return TITLES[match.url_name]
    words = re.sub(r"(Api|View)$", "", view.__class__.__name__)
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", words).capitalize()


class ApiRootApi(APIView):
    """The API's resources. Each link is a list; the schema and the docs describe them all."""

    @extend_schema(
        summary="List the API's resources",
        description="Links to each resource list, the OpenAPI schema and its docs page.",
        responses=inline_serializer(
            "ApiRoot",
            {key: serializers.URLField() for key, _ in ROOT_LINKS + [("schema", ""), ("docs", "")]},
        ),
    )
    def get(self, request):
        links = {key: reverse(name, request=request) for key, name in ROOT_LINKS}
        links["schema"] = reverse("api-schema", request=request)
        links["docs"] = reverse("api-docs", request=request)
        return Response(links)
