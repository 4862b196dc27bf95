"""What the API answers: courses and their runs, as the catalogue and course pages show them."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from courses.models import Course, CourseRun


class ProvinceSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()


class CourseRefSerializer(serializers.Serializer):
    """A course named in another answer: its slug and title."""

    slug = serializers.CharField()
    title = serializers.CharField()


class CourseRunSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseRun
        fields = ["id", "title", "starts_on", "ends_on"]


class CourseSerializer(serializers.ModelSerializer):
    """A course as a catalogue card shows it, with its runs."""

    owner_province = ProvinceSerializer(allow_null=True, help_text=_("None for a national course."))
    audiences = serializers.SerializerMethodField()
    runs = CourseRunSerializer(many=True)
    url = serializers.SerializerMethodField(help_text=_("The course's page on the site."))

    class Meta:
        model = Course
        fields = [
            "slug",
            "title",
            "summary",
            "topic",
            "level",
            "format",
            "owner_province",
            "audiences",
            "enrolment_count",
            "is_published",
            "created_at",
            "runs",
            "url",
        ]

    def get_audiences(self, course: Course) -> list[str]:
        return [audience.code for audience in course.audiences.all()]

    def get_url(self, course: Course) -> str:
        request = self.context.get("request")
        path = course.get_absolute_url()
        return request.build_absolute_uri(path) if request else path


class CourseDetailSerializer(CourseSerializer):
    """A course as its page shows it: the card's fields, its description and partner organisations."""

    partners = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "description", "partners"]

    def get_partners(self, course: Course) -> list[str]:
        return [partner.name for partner in course.partners.all()]
