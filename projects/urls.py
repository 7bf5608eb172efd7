from django.urls import path

from projects import views

app_name = "projects"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("projects/add/", views.project_add, name="add"),
    path("projects/validate/", views.project_validate_field, name="validate_field"),
    path("projects/<uuid:project_id>/", views.project_detail, name="detail"),
    path("projects/<uuid:project_id>/edit/", views.project_edit, name="edit"),
    path("projects/<uuid:project_id>/delete/", views.project_delete_view, name="delete"),
    path("projects/<uuid:project_id>/plan-path/", views.project_use_plan, name="use_plan"),
    path("projects/<uuid:project_id>/phase-tasks/", views.project_phase_tasks, name="phase_tasks"),
]
