from django.db import migrations, models


def number_existing_phases(apps, schema_editor):
    """Give stored tasks a phase index by first appearance of their phase title.

    This keeps today's grouping for data stored before the index existed;
    the next full refresh stores the real one.
    """
    Task = apps.get_model("projects", "Task")
    project_ids = list(Task.objects.values_list("project_id", flat=True).distinct())
    for project_id in project_ids:
        seen: dict[str, int] = {}
        titles = Task.objects.filter(project_id=project_id).order_by("order")
        for title in titles.values_list("phase", flat=True):
            seen.setdefault(title, len(seen))
        for title, index in seen.items():
            if index:
                Task.objects.filter(project_id=project_id, phase=title).update(phase_index=index)


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="project",
            name="status_settings",
            field=models.JSONField(blank=True, default=dict),
        ),
        migrations.AddField(
            model_name="task",
            name="phase_index",
            field=models.PositiveSmallIntegerField(default=0),
        ),
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                fields=["project", "phase_index"], name="projects_ta_project_ddbd49_idx"
            ),
        ),
        migrations.RunPython(number_existing_phases, migrations.RunPython.noop),
    ]
