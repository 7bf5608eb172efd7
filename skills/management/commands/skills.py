"""``manage.py skills PATH_OR_URL``: the languages and skills a repository shows."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from projects.core.git_remote import GitFetchError
from projects.core.repo_url import InvalidRepoUrlError
from projects.core.source import SourceError
from projects.repository import open_repository
from skills.core.catalogue import cached_catalogue
from skills.core.extract import extract_skills, skills_report


def format_skills_text(report: dict) -> str:
    lines = ["Languages:"]
    for lang in report["languages"]:
        lines.append(f"  {lang['name']:<20} {lang['share'] * 100:5.1f} %  ({lang['bytes']} bytes)")
    lines.append("Skills:")
    for skill in report["skills"]:
        version = f" {skill['version']}" if skill["version"] else ""
        files = ", ".join(sorted({e["file"] for e in skill["evidence"]}))
        lines.append(
            f"  {skill['name']}{version} [{skill['category']}] "
            f"confidence {skill['confidence']:.2f} — {files}"
        )
    manifests = report["manifests"]
    lines.append(f"Manifests read: {len(manifests['read'])}")
    for skipped in manifests["skipped"]:
        lines.append(f"  skipped {skipped['file']}: {skipped['reason']}")
    return "\n".join(lines)


class Command(BaseCommand):
    help = "Detect the languages and skills of a local folder, checkout or repository URL."

    def add_arguments(self, parser):
        parser.add_argument("target", help="A folder, a checkout or a repository URL.")
        parser.add_argument("--branch", default="", help="Branch to clone (URLs only).")
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, **options):
        catalogue = cached_catalogue()
        try:
            with open_repository(options["target"], branch=options["branch"]) as repo:
                if repo.single_file:
                    raise CommandError("give a folder, a checkout or a repository URL, not a file")
                result = extract_skills(repo.source, catalogue=catalogue)
                for warning in getattr(repo.source, "warnings", ()):
                    self.stderr.write(f"warning: {warning}")
        except (InvalidRepoUrlError, GitFetchError, SourceError) as exc:
            raise CommandError(str(exc)) from None
        report = skills_report(result)
        if options["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(format_skills_text(report))
