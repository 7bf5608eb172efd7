from django.urls import path

from skills import api

urlpatterns = [
    path(
        "projects/<uuid:project_id>/skills", api.ProjectSkillsApi.as_view(), name="project-skills"
    ),
    path("skills/categories", api.SkillCategoriesApi.as_view(), name="skill-categories"),
    path("skills/popular", api.PopularSkillsApi.as_view(), name="skill-popular"),
]
