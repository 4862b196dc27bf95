"""Reads of certificates: the public check by code, the learner's own, and staff lists in scope.

Staff reach a course's certificates through the course's owning province (onetouch.scope: the
ministry every course, a provincial admin their province's courses), and a commune's through the
commune's province. A commune's certificates are those of the learners who live there now (their
profile), the people a commune hands printed certificates to.
"""

from django.core.files.storage import default_storage
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce

from courses.models import Course, CourseRun
from learners.models import Certificate
from learners.pure.certificates import CertificateContent, certificate_pdf, certificate_verify_url
from onetouch import scope
from onetouch.models import Commune, Province, User

# Only what the public page may show: never the learner's account, contact or place.
PUBLIC_FIELDS = (
    "code",
    "learner_name",
    "course_title",
    "course_run_title",
    "issuer_name",
    "completed_on",
    "revoked_at",
    "revoked_reason",
    "completion__course__owner_province_id",
)


def certificate_content(certificate: Certificate) -> CertificateContent:
    """Return what a certificate says, from its frozen fields only."""
    return CertificateContent(
        code=certificate.code,
        learner_name=certificate.learner_name,
        course_title=certificate.course_title,
        course_run_title=certificate.course_run_title,
        issuer_name=certificate.issuer_name,
        province_name=certificate.province_name,
        commune_name=certificate.commune_name,
        completed_on=certificate.completed_on,
        verify_url=certificate_verify_url(certificate.code),
    )


def certificate_get_public(*, code: str) -> dict | None:
    """Return what the public verification page shows of the certificate with this code, if any."""
    if not code:
        return None
    return Certificate.objects.filter(code=code).values(*PUBLIC_FIELDS).first()


def certificate_get_for_learner(*, learner: User, code: str) -> Certificate | None:
    """Return the learner's own certificate with this code (None for anyone else's)."""
    if not code or not learner.is_authenticated:
        return None
    return Certificate.objects.filter(code=code, completion__learner=learner).first()


def certificates_in_scope(*, user: User) -> QuerySet[Certificate]:
    """Return the certificates of the courses the user administers."""
    return scope.filter_to_scope(Certificate.objects.all(), user, province_field="completion__course__owner_province")


def certificate_get_for_staff(*, user: User, code: str) -> Certificate | None:
    """Return the certificate with this code if its course is in the user's scope."""
    if not code:
        return None
    return certificates_in_scope(user=user).filter(code=code).select_related("completion__course").first()


def course_get_for_certificates(*, user: User, course_id: int) -> Course | None:
    """Return the course if the user administers it."""
    courses = scope.filter_to_scope(Course.objects.all(), user, province_field="owner_province")
    return courses.filter(id=course_id).select_related("owner_province").first()


def course_run_get_for_certificates(*, user: User, run_id: int) -> CourseRun | None:
    """Return the course run if the user administers its course."""
    runs = scope.filter_to_scope(CourseRun.objects.all(), user, province_field="course__owner_province")
    return runs.filter(id=run_id).select_related("course").first()


def commune_get_for_certificates(*, user: User, commune_code: str) -> Commune | None:
    """Return the commune if its province is in the user's scope."""
    communes = scope.filter_to_scope(Commune.objects.all(), user, province_field="province")
    return communes.filter(code=commune_code).select_related("province").first()


def certificate_list_for_course(*, course: Course) -> QuerySet[Certificate]:
    """Return every certificate of the course, valid or revoked, newest first."""
    return Certificate.objects.filter(completion__course=course).order_by("-issued_at", "-id")


def certificate_list_valid(*, course: Course | None = None, run: CourseRun | None = None) -> QuerySet[Certificate]:
    """Return the valid certificates of a course or of one of its runs, by learner's name, for printing."""
    certificates = Certificate.objects.filter(revoked_at__isnull=True)
    if run is not None:
        certificates = certificates.filter(completion__course_run=run)
    else:
        certificates = certificates.filter(completion__course=course)
    return certificates.order_by("learner_name", "id")


def course_run_list_with_certificate_counts(*, course: Course) -> QuerySet[CourseRun]:
    """Return the course's runs by start date, each with its count of valid certificates."""
    counts = (
        Certificate.objects.filter(revoked_at__isnull=True, completion__course_run=OuterRef("pk"))
        .order_by()
        .values("completion__course_run")
        .annotate(total=Count("id"))
        .values("total")
    )
    return (
        CourseRun.objects.filter(course=course)
        .annotate(certificate_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
        .order_by("starts_on", "id")
    )


def certificate_list_valid_for_commune(*, commune: Commune) -> QuerySet[Certificate]:
    """Return the valid certificates of the learners living in the commune, by course and name."""
    return Certificate.objects.filter(revoked_at__isnull=True, completion__learner__profile__commune=commune).order_by(
        "course_title", "learner_name", "id"
    )


def commune_list_with_certificates(*, province: Province) -> QuerySet[Commune]:
    """Return the province's communes by name, each with its count of valid certificates."""
    counts = (
        Certificate.objects.filter(revoked_at__isnull=True, completion__learner__profile__commune=OuterRef("pk"))
        .order_by()
        .values("completion__learner__profile__commune")
        .annotate(total=Count("id"))
        .values("total")
    )
    return (
        Commune.objects.filter(province=province)
        .only("code", "name")
        .annotate(certificate_count=Coalesce(Subquery(counts, output_field=IntegerField()), 0))
        .order_by("name")
    )


def certificate_pdf_read(certificate: Certificate) -> bytes:
    """Return the certificate's PDF as issued, or drawn again from its frozen text if the file is gone."""
    if certificate.pdf and default_storage.exists(certificate.pdf.name):
        with default_storage.open(certificate.pdf.name, "rb") as stored:
            return stored.read()
    return certificate_pdf(certificate_content(certificate))
