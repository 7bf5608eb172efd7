"""``manage.py plan PATH_OR_URL``: the status, phases, progress and tasks of a plan."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.utils import termcolors, timezone

from projects.core.git_remote import GitFetchError
from projects.core.plan_discovery import PlanError
from projects.core.progress import format_plan_text, plan_report
from projects.core.repo_url import InvalidRepoUrlError
from projects.core.source import SourceError
from projects.plan_reading import plan_read
from projects.repository import open_repository


class Command(BaseCommand):
    help = (
        "Read the plan of a local file, folder, checkout or repository URL and print its "
        "status and progress, judged as a refresh would judge it now."
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
                reading = plan_read(
                    repo.source,
                    plan_path=options["plan_path"] or repo.single_file,
                    now=timezone.now(),
                    commit_at=repo.commit_at,
                )
        except (InvalidRepoUrlError, GitFetchError, PlanError, SourceError) as exc:
            raise CommandError(str(exc)) from None
        report = plan_report(
            reading.loaded_plan,
            reading.progress,
            reading.status,
            message=reading.message,
            last_commit_at=reading.commit_at,
            searched=reading.searched,
        )
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            text = format_plan_text(report, show_tasks=not options["no_tasks"], paint=self._paint)
            self.stdout.write(text)

    def _paint(self, text: str, tone: str) -> str:
        # Django's styles are off for --no-color and when the output is not a terminal.
        if self.style.SUCCESS("x") == "x":
            return text
        return termcolors.colorize(text, fg=tone, opts=("bold",))
