"""Skills over the API: a project's skills, categories and popular skills."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from projects.selectors import project_get_for_user
from repotrackr.api_schema import errors, results_list
from skills.models import SkillCategory
from skills.selectors import skill_category_counts, skill_popular, skills_grouped_for_project


class EvidenceSerializer(serializers.Serializer):
    file = serializers.CharField()
    line = serializers.IntegerField(allow_null=True, required=False)
    raw = serializers.CharField(required=False, allow_blank=True)


class SkillSerializer(serializers.Serializer):
    name = serializers.CharField()
    category = serializers.CharField()
    confidence = serializers.FloatField()
    version = serializers.CharField(allow_blank=True)
    evidence = serializers.JSONField()


class LanguageSerializer(serializers.Serializer):
    name = serializers.CharField()
    bytes = serializers.IntegerField()
    share = serializers.FloatField(source="byte_share")


class ProjectSkillsApi(APIView):
    class ProjectSkillsSerializer(serializers.Serializer):
        class SkillCategoryGroupSerializer(serializers.Serializer):
            category = serializers.CharField()
            label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stubs see Field.label
            skills = SkillSerializer(many=True)

        languages = LanguageSerializer(many=True)
        categories = SkillCategoryGroupSerializer(many=True)

    @extend_schema(
        summary="A project's skills and languages",
        description=(
            "The languages found in the project's repository (by bytes) and its detected "
            "skills grouped by category, each with confidence and evidence."
        ),
        responses={200: ProjectSkillsSerializer, **errors(404)},
    )
    def get(self, request, project_id):
        project = project_get_for_user(user=request.user, project_id=project_id)
        grouped = skills_grouped_for_project(project=project)
        body = {
            "languages": grouped["languages"],
            "categories": [
                {"category": c, "label": label, "skills": skills}
                for c, label, skills in grouped["categories"]
            ],
        }
        return Response(self.ProjectSkillsSerializer(body).data)


class SkillCategoriesApi(APIView):
    class SkillCategoryCountSerializer(serializers.Serializer):
        category = serializers.CharField()
        label = serializers.CharField()  # type: ignore[assignment]  # DRF's metaclass takes declared fields off the class; the stubs see Field.label
        skills = serializers.IntegerField()
        projects = serializers.IntegerField()

    @extend_schema(
        operation_id="api_v1_skills_categories_list",
        summary="Skill categories",
        description="Each skill category with how many skills and projects of yours it covers.",
        responses={200: results_list(SkillCategoryCountSerializer), **errors()},
    )
    def get(self, request):
        rows = skill_category_counts(user=request.user)
        return Response({"results": self.SkillCategoryCountSerializer(rows, many=True).data})


class PopularSkillsApi(APIView):
    class FilterSerializer(serializers.Serializer):
        limit = serializers.IntegerField(min_value=1, max_value=100, required=False, default=20)
        category = serializers.ChoiceField(
            choices=SkillCategory.choices, required=False, default=""
        )

    class PopularSkillSerializer(serializers.Serializer):
        name = serializers.CharField()
        category = serializers.CharField()
        projects = serializers.IntegerField()

    @extend_schema(
        operation_id="api_v1_skills_popular_list",
        summary="Popular skills",
        description="The skills found in most of your projects, optionally within one category.",
        parameters=[
            OpenApiParameter("limit", int, description="How many skills (1-100, default 20)."),
            OpenApiParameter("category", enum=SkillCategory.values),
        ],
        responses={200: results_list(PopularSkillSerializer), **errors(400)},
    )
    def get(self, request):
        filters = self.FilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = skill_popular(user=request.user, **filters.validated_data)
        return Response({"results": self.PopularSkillSerializer(rows, many=True).data})
