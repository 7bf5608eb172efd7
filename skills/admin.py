from django.contrib import admin

from skills.models import Skill


@admin.register(Skill)
class SkillAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "project", "confidence", "version", "byte_share")
    list_filter = ("category",)
    list_select_related = ("project",)
    search_fields = ("name", "project__name")
    raw_id_fields = ("project",)
