"""The add/edit project form; field rules are the ones the API uses."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError

from projects import validation
from projects.core.plan_discovery import LOOKED_FOR
from projects.models import Project

PLAN_DISCOVERY_HELP = (
    "A file, or a folder whose Markdown files are each one phase. Leave blank to let "
    "RepoTrackr find it: the plan_paths listed in repotrackr.yml, else the best of "
    + LOOKED_FOR
    + "."
)


LOCAL_PATH_HELP = (
    " This server also accepts the path of a git repository on its own disk"
    " (REPOTRACKR_ALLOW_LOCAL_REPOS is on, as under make run): a working copy such as"
    " /home/you/code/app, or a bare repository such as /srv/git/app.git."
)
# Checked as the user types, through the validation endpoint (projects:validate_field).
LIVE_FIELDS = ("repo_url", "name", "branch", "plan_path")


class ProjectForm(forms.Form):
    field_order = ["repo_url", "name"]  # the URL first: the name is derived from it

    name = forms.CharField(
        max_length=200, help_text="Taken from the repository URL until you change it."
    )
    repo_url = forms.CharField(
        label="Repository URL",
        max_length=500,
        help_text="https://, ssh://, git:// or git@host:owner/repo.git",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    branch = forms.CharField(
        max_length=255, required=False, help_text="Blank: the repository's default branch."
    )
    plan_path = forms.CharField(
        label="Plan path", max_length=500, required=False, help_text=PLAN_DISCOVERY_HELP
    )
    access_token = forms.CharField(
        label="Access token",
        max_length=500,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Only for a private repository. Write-only: it is stored encrypted and never shown again.",
    )
    remove_access_token = forms.BooleanField(label="Remove the stored access token", required=False)
    refresh_interval_hours = forms.IntegerField(
        label="Refresh every (hours)", min_value=1, max_value=24 * 30, initial=6
    )
    archived = forms.BooleanField(
        required=False,
        help_text="Archived projects keep their data but are not refreshed on schedule.",
    )

    def __init__(
        self,
        *args,
        owner,
        instance: Project | None = None,
        validate_url: str = "",
        **kwargs,
    ):
        self.owner = owner
        self.instance = instance
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                f: getattr(instance, f)
                for f in (
                    "name",
                    "repo_url",
                    "branch",
                    "plan_path",
                    "refresh_interval_hours",
                    "archived",
                )
            }
        super().__init__(*args, **kwargs)
        if instance is None or not instance.has_access_token:
            del self.fields["remove_access_token"]
        if instance is None:
            del self.fields["archived"]  # a new project is never archived
            self.fields["name"].widget.attrs["data-derive-from"] = "id_repo_url"
        else:
            self.fields["name"].help_text = ""
        if settings.REPOTRACKR_ALLOW_LOCAL_REPOS:
            self.fields["repo_url"].help_text += "." + LOCAL_PATH_HELP
        if validate_url:
            for name in LIVE_FIELDS:
                self.fields[name].widget.attrs.update(
                    {
                        "hx-post": validate_url,
                        "hx-trigger": "input changed delay:400ms, blur",
                        "hx-target": f"#id_{name}_feedback",
                        "hx-swap": "innerHTML",
                        "hx-include": "closest form",
                        "hx-vals": f'{{"_field": "{name}"}}',
                        "hx-sync": "this:replace",
                    }
                )
        for name, field in self.fields.items():
            if field.help_text:
                field.widget.attrs.setdefault("aria-describedby", f"id_{name}_help")

    def clean_name(self) -> str:
        name = validation.clean_name(self.cleaned_data["name"])
        clash = Project.objects.filter(owner=self.owner, name=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise ValidationError("You already have a project with this name.")
        return name

    def clean_repo_url(self) -> str:
        return validation.clean_repo_url(self.cleaned_data["repo_url"])

    def clean_branch(self) -> str:
        return validation.clean_branch(self.cleaned_data["branch"])

    def clean_plan_path(self) -> str:
        return validation.clean_plan_path(self.cleaned_data["plan_path"])

    def service_data(self) -> dict:
        """The cleaned values as the project services take them.

        ``access_token`` is ``None`` (keep) when left blank, ``""`` (remove)
        when removal was ticked, else the new token.
        """
        data = {k: v for k, v in self.cleaned_data.items() if k != "remove_access_token"}
        if self.cleaned_data.get("remove_access_token"):
            data["access_token"] = ""
        elif not data.get("access_token"):
            data["access_token"] = None
        return data
