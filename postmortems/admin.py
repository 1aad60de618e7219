from django.contrib import admin

from postmortems.models import (
    ContributingFactor,
    ExportRun,
    ImpactField,
    Postmortem,
    Revision,
    Section,
    SignOff,
    Why,
)


class SectionInline(admin.StackedInline):
    model = Section
    extra = 0
    fields = ["key", "title", "position", "body", "version"]
    readonly_fields = ["version"]


class ImpactFieldInline(admin.TabularInline):
    model = ImpactField
    extra = 0


class ContributingFactorInline(admin.TabularInline):
    model = ContributingFactor
    extra = 0
    fields = ["position", "layer", "status", "description"]


class WhyInline(admin.TabularInline):
    model = Why
    extra = 0


class SignOffInline(admin.TabularInline):
    model = SignOff
    extra = 0


@admin.register(Postmortem)
class PostmortemAdmin(admin.ModelAdmin):
    list_display = ["incident", "kind", "state", "facilitator", "created_at"]
    list_filter = ["kind", "state"]
    search_fields = ["incident__ref", "incident__title"]
    list_select_related = ["incident", "facilitator"]
    inlines = [SectionInline, ImpactFieldInline, ContributingFactorInline, WhyInline, SignOffInline]


@admin.register(Revision)
class RevisionAdmin(admin.ModelAdmin):
    list_display = ["postmortem", "target", "version", "author", "created_at"]
    list_select_related = ["postmortem__incident", "author"]


@admin.register(ExportRun)
class ExportRunAdmin(admin.ModelAdmin):
    list_display = ["postmortem", "status", "attempts", "created_at", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["postmortem__incident"]
