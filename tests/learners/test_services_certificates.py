"""Issuing and revoking certificates: frozen text, one certificate per completion, events, the email, a real worker."""

import io
import time
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from pypdf import PdfReader

from courses.services.catalogue import course_run_create, course_update
from learners.models import Certificate, CourseCompletion, LearningEvent
from learners.pure.certificates import code_normalise
from learners.services.certificates import certificate_issue, certificate_revoke
from learners.services.enrolments import enrolment_create, profile_save
from learners.tasks import certificate_issue as certificate_issue_task
from onetouch.models import Commune
from onetouch.tasks import email_send as email_send_task
from tests.factories import course_make
from tests.learners.test_certificates import qr_codes_on_first_page

NAME = "Nguyễn Thị Hồng Nhung"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    """Certificates are written to a storage folder of this test only."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course_hue(province_hue):
    course = course_make(title="Chuyển đổi số cho cán bộ xã", province=province_hue)
    course_run_create(course=course, title="Đợt 1 năm 2025", starts_on=date(2025, 1, 1), ends_on=date(2099, 12, 31))
    return course


@pytest.fixture
def completion(learner_hue, course_hue, commune_hue):
    """Huế's learner, named with Vietnamese diacritics of every kind, completed Huế's course early one morning."""
    profile_save(
        user=learner_hue, full_name=NAME, audience_group="public", province=commune_hue.province, commune=commune_hue
    )
    enrolment = enrolment_create(learner=learner_hue, course=course_hue)
    return CourseCompletion.objects.create(
        enrolment=enrolment,
        learner=learner_hue,
        course=course_hue,
        course_run=enrolment.course_run,
        # 06:00 on the 4th in Vietnam is still the 3rd in UTC: the certificate must say the 4th.
        completed_at=datetime(2025, 11, 4, 6, 0, tzinfo=VIETNAM),
    )


def pdf_text(certificate: Certificate) -> str:
    with default_storage.open(certificate.pdf.name, "rb") as stored:
        pages = PdfReader(io.BytesIO(stored.read())).pages
    return unicodedata.normalize("NFC", " ".join(page.extract_text() for page in pages))


def wait_for(condition, *, timeout: float = 30):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("The worker did not get there in time.")


# --- Issuing ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_issue_freezes_what_the_certificate_says(completion, province_hue, commune_hue):
    """The certificate copies name, course, run, issuer, province, commune and the local completion date."""
    certificate = certificate_issue(completion_id=completion.id)

    assert certificate.learner_name == NAME
    assert certificate.course_title == "Chuyển đổi số cho cán bộ xã"
    assert certificate.course_run_title == "Đợt 1 năm 2025"
    assert certificate.issuer_name == f"Sở Khoa học và Công nghệ {province_hue.name}"
    assert (certificate.province_name, certificate.commune_name) == (province_hue.name, commune_hue.name)
    assert certificate.completed_on == date(2025, 11, 4)
    assert certificate.is_valid
    assert code_normalise(certificate.code) == certificate.code


@pytest.mark.django_db
def test_national_course_certificate_is_issued_by_the_ministry(learner_hanoi, settings):
    """A national course's certificate names the ministry configured in settings as its issuer."""
    settings.CERTIFICATE_NATIONAL_ISSUER = "Bộ Khoa học và Công nghệ"
    enrolment = enrolment_create(learner=learner_hanoi, course=course_make(province=None))
    completion = CourseCompletion.objects.create(
        enrolment=enrolment, learner=learner_hanoi, course=enrolment.course, completed_at=datetime.now(VIETNAM)
    )
    certificate = certificate_issue(completion_id=completion.id)
    assert certificate.issuer_name == "Bộ Khoa học và Công nghệ"
    assert certificate.course_run_title == ""
    assert "BỘ KHOA HỌC VÀ CÔNG NGHỆ" in pdf_text(certificate)


@pytest.mark.django_db
def test_issue_stores_the_pdf_under_a_name_that_is_not_the_code(completion):
    """The PDF is in storage under certificates/, named at random rather than by the public code."""
    certificate = certificate_issue(completion_id=completion.id)

    assert certificate.pdf.name.startswith("certificates/")
    assert certificate.code not in certificate.pdf.name
    assert default_storage.exists(certificate.pdf.name)
    text = pdf_text(certificate)
    assert NAME in text and "Chuyển đổi số cho cán bộ xã" in text and certificate.code in text


@pytest.mark.django_db
def test_issued_qr_code_leads_to_the_public_page_of_the_certificate(completion, settings, tmp_path, client):
    """The stored PDF's QR code, decoded for real, is the site's absolute verification URL, which says valid."""
    settings.SITE_URL = "https://onetouch.example.vn"
    certificate = certificate_issue(completion_id=completion.id)
    with default_storage.open(certificate.pdf.name, "rb") as stored:
        [url] = qr_codes_on_first_page(stored.read(), tmp_path)

    assert url == f"https://onetouch.example.vn/certificates/{certificate.code}/"
    response = client.get(url.removeprefix(settings.SITE_URL))
    assert response.status_code == 200 and NAME in response.content.decode()


@pytest.mark.django_db
def test_issue_records_the_event_with_the_learner_place(completion, commune_hue):
    """One CERTIFICATE_ISSUED event carries the course, run and the learner's province and commune."""
    certificate_issue(completion_id=completion.id)

    event = LearningEvent.objects.get(kind=LearningEvent.Kind.CERTIFICATE_ISSUED)
    assert (event.learner_id, event.course_id, event.course_run_id) == (
        completion.learner_id,
        completion.course_id,
        completion.course_run_id,
    )
    assert (event.province_id, event.commune_id, event.course_owner_province_id) == (
        commune_hue.province_id,
        commune_hue.id,
        commune_hue.province_id,
    )


@pytest.mark.django_db
def test_issue_queues_the_email_only_after_the_commit(completion, django_capture_on_commit_callbacks):
    """The email is queued for the worker once the certificate is committed, not before."""
    with django_capture_on_commit_callbacks() as callbacks:
        certificate_issue(completion_id=completion.id)
        assert mail.outbox == []
    assert len(callbacks) == 1


@pytest.mark.django_db
def test_a_phone_only_learner_gets_the_certificate_and_no_email(
    completion, learner_hue, django_capture_on_commit_callbacks
):
    """A learner with no email address (onetouch.User) finds the certificate in My learning; nothing is mailed."""
    learner_hue.email, learner_hue.phone = None, "+84912345678"
    learner_hue.save(update_fields=["email", "phone"])

    with django_capture_on_commit_callbacks() as callbacks:
        certificate = certificate_issue(completion_id=completion.id)

    assert certificate.learner_name == NAME
    assert callbacks == []


@pytest.mark.django_db
def test_second_issue_changes_nothing(completion, django_capture_on_commit_callbacks):
    """Issuing again for the same completion returns the same certificate, with no new event, file or email."""
    first = certificate_issue(completion_id=completion.id)
    files = default_storage.listdir("certificates")[1]

    with django_capture_on_commit_callbacks() as callbacks:
        second = certificate_issue(completion_id=completion.id)

    assert (second.id, second.code, second.pdf.name) == (first.id, first.code, first.pdf.name)
    assert Certificate.objects.count() == 1
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_ISSUED).count() == 1
    assert default_storage.listdir("certificates")[1] == files
    assert callbacks == []


@pytest.mark.django_db
def test_learner_without_a_name_gets_no_certificate(completion, learner_hue):
    """A certificate must name someone: without a full name nothing is issued, stored or recorded."""
    learner_hue.full_name = "  "
    learner_hue.save(update_fields=["full_name"])

    with pytest.raises(ValidationError):
        certificate_issue(completion_id=completion.id)
    assert not Certificate.objects.exists()
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_ISSUED).exists()


@pytest.mark.django_db
def test_later_changes_to_profile_and_course_leave_the_certificate_as_issued(
    completion, course_hue, admin_hue, learner_hue, province_hanoi
):
    """Renaming the learner, moving them and retitling the course rewrite neither the row nor the PDF."""
    certificate = certificate_issue(completion_id=completion.id)
    before = Certificate.objects.filter(id=certificate.id).values().get()
    with default_storage.open(certificate.pdf.name, "rb") as stored:
        pdf_before = stored.read()

    profile_save(
        user=learner_hue,
        full_name="Tên Đã Đổi",
        audience_group="public",
        province=province_hanoi,
        commune=Commune.objects.get(name="Phường Hoàn Kiếm"),
    )
    course_update(
        author=admin_hue,
        course=course_hue,
        title="Tên khóa học mới",
        slug=course_hue.slug,
        summary=course_hue.summary,
        topic=course_hue.topic,
        audience_codes=["public"],
    )
    course_hue.runs.update(title="Đợt đã đổi tên")

    assert Certificate.objects.filter(id=certificate.id).values().get() == before
    with default_storage.open(certificate.pdf.name, "rb") as stored:
        assert stored.read() == pdf_before
    assert NAME in pdf_text(certificate) and "Tên Đã Đổi" not in pdf_text(certificate)


# --- Revoking -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_revoke_records_who_when_why_and_the_event(completion, admin_hue):
    """Revoking stores the time, the admin and the reason, and appends one CERTIFICATE_REVOKED event."""
    certificate = certificate_issue(completion_id=completion.id)

    certificate_revoke(certificate=certificate, by=admin_hue, reason="  Cấp nhầm   người ")

    certificate.refresh_from_db()
    assert not certificate.is_valid
    assert (certificate.revoked_by, certificate.revoked_reason) == (admin_hue, "Cấp nhầm người")
    event = LearningEvent.objects.get(kind=LearningEvent.Kind.CERTIFICATE_REVOKED)
    assert (event.learner_id, event.course_id) == (completion.learner_id, completion.course_id)


@pytest.mark.django_db
def test_revoking_twice_changes_nothing(completion, admin_hue, ministry_staff):
    """A second revoke keeps the first time, admin and reason, and records no second event."""
    certificate = certificate_issue(completion_id=completion.id)
    certificate_revoke(certificate=certificate, by=admin_hue, reason="Cấp nhầm")
    before = Certificate.objects.filter(id=certificate.id).values().get()

    certificate_revoke(certificate=certificate, by=ministry_staff, reason="Lý do khác")

    assert Certificate.objects.filter(id=certificate.id).values().get() == before
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_REVOKED).count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_revoke_without_a_valid_reason_changes_nothing(completion, admin_hue, reason):
    """No reason, only spaces or an over-long reason: refused, and the certificate stays valid with no event."""
    certificate = certificate_issue(completion_id=completion.id)

    with pytest.raises(ValidationError):
        certificate_revoke(certificate=certificate, by=admin_hue, reason=reason)

    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.revoked_by is None and certificate.revoked_reason == ""
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_REVOKED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("person", ["admin_hanoi", "partner_trainer", "learner_hue"])
def test_revoke_by_someone_outside_the_course_scope_is_refused(completion, request, person):
    """Another province's admin, a partner trainer or the learner cannot revoke; nothing changes."""
    certificate = certificate_issue(completion_id=completion.id)

    with pytest.raises(PermissionDenied):
        certificate_revoke(certificate=certificate, by=request.getfixturevalue(person), reason="Không hợp lệ")

    certificate.refresh_from_db()
    assert certificate.is_valid
    assert not LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_REVOKED).exists()


@pytest.mark.django_db
def test_ministry_staff_revoke_a_province_course_certificate(completion, ministry_staff):
    """Ministry staff may revoke any course's certificate."""
    certificate = certificate_issue(completion_id=completion.id)
    certificate_revoke(certificate=certificate, by=ministry_staff, reason="Gian lận khi thi")
    certificate.refresh_from_db()
    assert certificate.revoked_by == ministry_staff


# --- The task, on a real worker -----------------------------------------------------------------


def test_worker_issues_certificate_with_pdf_and_email(celery_worker_running, completion, settings):
    """The queued task, run by a real worker, stores the certificate and its PDF and emails the learner."""
    settings.SITE_URL = "https://onetouch.example.vn"

    certificate_issue_task.delay(completion.id)

    certificate = wait_for(lambda: Certificate.objects.filter(completion=completion).first())
    assert default_storage.exists(certificate.pdf.name)
    assert NAME in pdf_text(certificate)
    wait_for(lambda: mail.outbox)
    [message] = mail.outbox
    assert message.to == [completion.learner.email]
    assert "Chuyển đổi số cho cán bộ xã" in message.subject
    assert f"https://onetouch.example.vn/certificates/{certificate.code}/download/" in message.body
    assert f"https://onetouch.example.vn/certificates/{certificate.code}/" in message.body
    assert NAME in message.body
    # Like every account email, it names who sends it and warns that nobody asks for a password.
    assert f"gửi thay mặt {certificate.issuer_name}." in message.body, message.body


def test_task_delivered_twice_gives_one_certificate_one_event_one_email(celery_worker_running, completion):
    """A redelivered task (the same completion queued twice) leaves one certificate, one event and one email."""
    certificate_issue_task.delay(completion.id)
    certificate_issue_task.delay(completion.id)

    # The solo worker takes tasks in order: the first issue queues its email behind the second issue,
    # so when that email has arrived the second issue has run; a second email would come next.
    wait_for(lambda: mail.outbox)
    email_send_task.delay(subject="marker", body="", from_email="test@example.vn", to=["test@example.vn"], html=None)
    wait_for(lambda: any(message.subject == "marker" for message in mail.outbox))

    assert Certificate.objects.filter(completion=completion).count() == 1
    assert LearningEvent.objects.filter(kind=LearningEvent.Kind.CERTIFICATE_ISSUED).count() == 1
    assert [message.to for message in mail.outbox if message.subject != "marker"] == [[completion.learner.email]]
    assert len(default_storage.listdir("certificates")[1]) == 1
