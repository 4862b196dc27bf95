"""What GET /api/v1/statistics/ answers: the figures of a dashboard page, as numbers."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from api.serializers import ProvinceSerializer


class FiguresSerializer(serializers.Serializer):
    learners = serializers.IntegerField(help_text=_("New learners (first enrolment)."))
    enrolments = serializers.IntegerField()
    unenrolments = serializers.IntegerField()
    completions = serializers.IntegerField(help_text=_("Completions online."))
    completion_rate = serializers.FloatField(allow_null=True, help_text=_("Completions per enrolment, 0 to 1."))
    certificates = serializers.IntegerField(help_text=_("Issued less revoked."))
    attendances = serializers.IntegerField(help_text=_("In-person attendances, less withdrawn."))
    completions_in_person = serializers.IntegerField()


class PlaceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    figures = FiguresSerializer()


class TrendPointSerializer(serializers.Serializer):
    start = serializers.DateField(help_text=_("The first day of the day, week or month."))
    figures = FiguresSerializer()


class AudienceFiguresSerializer(serializers.Serializer):
    audience_group = serializers.CharField(allow_blank=True, help_text=_('"" for learners whose group was not known.'))
    figures = FiguresSerializer()


class TopCourseSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    enrolments = serializers.IntegerField()
    completions = serializers.IntegerField()


class StatisticsSerializer(serializers.Serializer):
    province = ProvinceSerializer(allow_null=True, help_text=_("null: the national figures."))
    as_of = serializers.DateTimeField(
        allow_null=True, help_text=_("Events up to this moment are counted (null: never counted yet).")
    )
    start = serializers.DateField()
    end = serializers.DateField()
    audience = serializers.CharField(allow_null=True)
    course = serializers.CharField(
        allow_null=True, help_text=_("The course's slug, when the figures are of one course.")
    )
    units = serializers.ChoiceField(choices=["then", "now"])
    trend_grain = serializers.ChoiceField(choices=["day", "week", "month"])
    totals = FiguresSerializer()
    places = PlaceSerializer(many=True, help_text=_("Provinces (national) or communes (a province)."))
    unplaced = FiguresSerializer(allow_null=True, help_text=_("Learners whose place was not known."))
    trend = TrendPointSerializer(many=True)
    by_audience = AudienceFiguresSerializer(many=True)
    top_courses = TopCourseSerializer(many=True)


def statistics_data(dashboard) -> dict:
    filters = dashboard.filters
    province = dashboard.province
    return {
        "province": {"code": province.code, "name": province.name} if province else None,
        "as_of": dashboard.refreshed_at,
        "start": filters.start,
        "end": filters.end,
        "audience": filters.audience_group,
        "course": dashboard.course.slug if dashboard.course else None,
        "units": filters.units,
        "trend_grain": dashboard.trend_grain,
        "totals": dashboard.totals,
        "places": dashboard.places,
        "unplaced": dashboard.unplaced,
        "trend": [{"start": start, "figures": figures} for start, figures in dashboard.trend],
        "by_audience": dashboard.by_audience,
        "top_courses": dashboard.top_courses,
    }
