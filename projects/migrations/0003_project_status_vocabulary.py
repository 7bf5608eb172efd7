"""One status vocabulary: ``stale`` and ``no_plan`` become statuses of their own.

Stored statuses move to the new words: a project flagged stale (which the
old rules showed as ``red`` with a separate flag) becomes ``stale``, and a
project whose last successful refresh found no tasks (which was ``unknown``)
becomes ``no_plan``; snapshots without tasks follow. The flag goes away.
Going back restores the old words and the flag.
"""

from django.db import migrations, models

STATUS_CHOICES = [
    ("complete", "Complete"),
    ("green", "On track"),
    ("yellow", "At risk"),
    ("red", "Off track"),
    ("stale", "Stale"),
    ("no_plan", "No plan"),
    ("unknown", "Unknown"),
    ("archived", "Archived"),
]
OLD_VALUES = ["unknown", "complete", "green", "yellow", "red", "archived"]
NEW_VALUES = [value for value, _ in STATUS_CHOICES]


def to_new_words(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Snapshot = apps.get_model("projects", "ProgressSnapshot")
    Project.objects.filter(is_stale=True, status__in=["green", "yellow", "red"]).update(
        status="stale"
    )
    Project.objects.filter(
        status="unknown", last_refreshed_at__isnull=False, total_tasks=0
    ).update(status="no_plan")
    Snapshot.objects.filter(status="unknown", total=0).update(status="no_plan")


def to_old_words(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Snapshot = apps.get_model("projects", "ProgressSnapshot")
    Project.objects.filter(status="stale").update(status="red", is_stale=True)
    Project.objects.filter(status="no_plan").update(status="unknown")
    Snapshot.objects.filter(status="stale").update(status="red")
    Snapshot.objects.filter(status="no_plan").update(status="unknown")


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_status_settings_and_phase_index"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="project", name="project_status_valid"),
        migrations.AlterField(
            model_name="project",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, default="unknown", max_length=16),
        ),
        migrations.AlterField(
            model_name="progresssnapshot",
            name="status",
            field=models.CharField(choices=STATUS_CHOICES, max_length=16),
        ),
        migrations.AddField(
            model_name="project",
            name="plan_searched",
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.RunPython(to_new_words, to_old_words),
        migrations.RemoveField(model_name="project", name="is_stale"),
        migrations.AddConstraint(
            model_name="project",
            constraint=models.CheckConstraint(
                condition=models.Q(status__in=NEW_VALUES), name="project_status_valid"
            ),
        ),
    ]
