"""``manage.py plan PATH_OR_URL``: the phases, progress and tasks of a plan."""

from __future__ import annotations

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from projects.core.git_remote import GitFetchError
from projects.core.plan_discovery import PlanError, load_plan
from projects.core.progress import compute_progress, format_plan_text, plan_report
from projects.core.repo_url import InvalidRepoUrlError
from projects.core.source import SourceError
from projects.plan_store import status_and_staleness, status_settings
from projects.repository import open_repository


class Command(BaseCommand):
    help = (
        "Read the plan of a local file, folder, checkout or repository URL and print its progress."
    )

    def add_arguments(self, parser):
        parser.add_argument("target", help="A plan file, a folder, a checkout or a repository URL.")
        parser.add_argument("--branch", default="", help="Branch to clone (URLs only).")
        parser.add_argument(
            "--plan-path", default="", help="Plan file or folder inside the repository."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")
        parser.add_argument("--no-tasks", action="store_true", help="Phases only, not every task.")

    def handle(self, *args, **options):
        try:
            with open_repository(options["target"], branch=options["branch"]) as repo:
                loaded = load_plan(
                    repo.source,
                    plan_path=options["plan_path"] or repo.single_file,
                    max_bytes=settings.REPOTRACKR_MAX_PLAN_BYTES,
                )
        except (InvalidRepoUrlError, GitFetchError, PlanError, SourceError) as exc:
            raise CommandError(str(exc)) from None
        progress = compute_progress(loaded.plan)
        status, _ = status_and_staleness(
            progress,
            limits=status_settings(loaded),
            commit_at=None,
            now=timezone.now(),
            archived=False,
        )
        report = plan_report(loaded, progress, status)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_plan_text(report, show_tasks=not options["no_tasks"]))
