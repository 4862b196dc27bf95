"""Certificate pages: the public check, the learner's download, revoking and printing, each within its scope."""

import io
import unicodedata
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from pypdf import PdfReader

from courses.services.catalogue import course_run_create
from learners.models import Certificate, CourseCompletion, LearningEvent
from learners.services.certificates import certificate_issue, certificate_revoke
from learners.services.enrolments import enrolment_create, profile_save
from onetouch.models import User
from tests.factories import course_make, learner_make

pytestmark = pytest.mark.django_db

NAME = "Nguyễn Thị Hồng Nhung"
VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
UNKNOWN_CODE = "K7QF-3MZP-W2HD-9XAC"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def course_hue(province_hue):
    course = course_make(title="Chuyển đổi số cho cán bộ xã", province=province_hue)
    course_run_create(course=course, title="Đợt 1 năm 2025", starts_on=date(2025, 1, 1), ends_on=date(2099, 12, 31))
    return course


def certificate_make(*, learner: User, course, full_name: str = NAME) -> Certificate:
    """Enrol the learner, record the course complete (as the completion service would) and issue."""
    profile = learner.profile
    profile_save(
        user=learner,
        full_name=full_name,
        audience_group=profile.audience_group,
        province=profile.province,
        commune=profile.commune,
    )
    enrolment = enrolment_create(learner=learner, course=course)
    completion = CourseCompletion.objects.create(
        enrolment=enrolment,
        learner=learner,
        course=course,
        course_run=enrolment.course_run,
        completed_at=datetime(2025, 11, 3, 10, 0, tzinfo=VIETNAM),
    )
    return certificate_issue(completion_id=completion.id)


@pytest.fixture
def certificate(learner_hue, course_hue):
    learner_hue.phone = "+84912345678"
    learner_hue.save(update_fields=["phone"])
    return certificate_make(learner=learner_hue, course=course_hue)


def verify_url(code: str) -> str:
    return reverse("certificates:verify", args=[code])


def pdf_pages(response) -> list[str]:
    pages = PdfReader(io.BytesIO(response.content)).pages
    return [unicodedata.normalize("NFC", page.extract_text()) for page in pages]


def state() -> tuple:
    return (
        list(Certificate.objects.order_by("id").values()),
        LearningEvent.objects.count(),
    )


# --- The public check ---------------------------------------------------------------------------


def test_visitor_sees_a_valid_certificate_with_name_course_date_and_issuer(client, certificate, province_hue):
    """Anyone, signed in or not, sees the name, course, run, date, issuer and "Valid"."""
    response = client.get(verify_url(certificate.code))
    html = response.content.decode()

    assert response.status_code == 200
    assert NAME in html
    assert "Chuyển đổi số cho cán bộ xã" in html and "Đợt 1 năm 2025" in html
    assert "03/11/2025" in html
    assert f"Sở Khoa học và Công nghệ {province_hue.name}" in html
    assert 'class="message success"' in html
    assert "noindex" in response["X-Robots-Tag"]


def test_public_page_shows_nothing_else_about_the_learner(client, certificate, learner_hue, commune_hue):
    """Neither the email, the phone, the commune, the province nor the profile's audience appears."""
    html = client.get(verify_url(certificate.code)).content.decode()

    for private in (learner_hue.email, "0912345678", "+84912345678", "912345678", commune_hue.name):
        assert private not in html
    assert learner_hue.profile.get_audience_group_display() not in html


def test_revoked_certificate_shows_revoked_with_date_and_reason(client, certificate, admin_hue, in_english):
    """After an admin revokes it, the public page says revoked, on which day and why, and not valid."""
    certificate_revoke(certificate=certificate, by=admin_hue, reason="Cấp nhầm người")

    html = in_english.get(verify_url(certificate.code)).content.decode()

    certificate.refresh_from_db()
    revoked_on = certificate.revoked_at.astimezone(VIETNAM)
    assert f"Revoked on {revoked_on.day} {revoked_on:%b %Y}" in html  # English dates: 4 Dec 2026
    assert "Cấp nhầm người" in html
    assert 'class="message error"' in html and 'class="message success"' not in html
    assert admin_hue.full_name not in html


TYPINGS = {
    "lower case": str.lower,
    "spaces for dashes": lambda code: " ".join(code.lower().split("-")),
    "no dashes": lambda code: code.replace("-", ""),
    "surrounding spaces": lambda code: f"  {code.lower()}  ",
}


@pytest.mark.parametrize("typing", TYPINGS.values(), ids=TYPINGS.keys())
def test_typed_code_is_normalised_and_leads_to_the_certificate(client, certificate, typing):
    """A code typed in lower case, with spaces or without dashes finds the certificate's page."""
    response = client.get(reverse("certificates:lookup"), {"code": typing(certificate.code)}, follow=True)

    assert response.redirect_chain[-1][0] == verify_url(certificate.code)
    assert response.status_code == 200 and NAME in response.content.decode()


def test_lookup_page_offers_a_form(client):
    """The verification page without a code offers a labelled field to type one."""
    response = client.get(reverse("certificates:lookup"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<label for="certificate-code">' in html and 'name="code"' in html


@pytest.mark.parametrize("typed", [UNKNOWN_CODE, "k7qf-3mzp-w2hd-9xad"])
def test_unknown_or_guessed_code_gets_a_clear_message_and_404(client, certificate, in_english, typed):
    """A well-formed code that no certificate has: 404, a clear message, no certificate shown, nothing changed."""
    before = state()

    response = in_english.get(reverse("certificates:lookup"), {"code": typed}, follow=True)

    html = response.content.decode()
    assert response.status_code == 404
    assert "No certificate has this code" in html
    assert NAME not in html
    assert state() == before


@pytest.mark.parametrize("typed", ["ABC", "<script>alert(1)</script>", "O" * 16, "x" * 300])
def test_malformed_code_gets_a_clear_message_and_404(client, certificate, in_english, typed):
    """Something that cannot be a code: 404, a clear message, the typed text escaped and nothing changed."""
    before = state()

    response = in_english.get(reverse("certificates:lookup"), {"code": typed})

    html = response.content.decode()
    assert response.status_code == 404
    assert "This is not a certificate code" in html
    assert "<script>alert(1)</script>" not in html
    assert state() == before


def test_malformed_code_in_the_address_is_404(client, certificate, in_english):
    """A verification address holding no possible code answers 404 with the message."""
    response = in_english.get(verify_url("not-a-code"))
    assert response.status_code == 404
    assert "No certificate has this code" in response.content.decode()


def test_lookups_that_find_nothing_are_limited_per_address(client, certificate):
    """Thirty unknown codes a minute from one address, then 429 with the translated page; others go on."""
    for number in range(30):
        assert client.get(verify_url(f"K7QF-3MZP-W2HD-{number:04d}"), REMOTE_ADDR="203.0.113.5").status_code == 404

    refused = client.get(verify_url(certificate.code), REMOTE_ADDR="203.0.113.5")
    other_address = client.get(verify_url(certificate.code), REMOTE_ADDR="203.0.113.6")

    assert refused.status_code == 429
    assert "Quá nhiều yêu cầu" in refused.content.decode()
    assert other_address.status_code == 200


def test_guesses_typed_in_the_lookup_form_count_too(client, certificate):
    """Guesses sent through the form are counted like those sent to the page's address."""
    for number in range(30):
        client.get(reverse("certificates:lookup"), {"code": f"k7qf 3mzp w2hd {number:04d}"}, follow=True)

    assert client.get(reverse("certificates:lookup"), {"code": certificate.code}).status_code == 429


def test_checking_real_certificates_is_never_limited(client, certificate):
    """An employer or a hall checking real certificates from one address is never refused."""
    statuses = {client.get(verify_url(certificate.code)).status_code for _ in range(40)}
    assert statuses == {200}


def test_verification_page_is_one_query(client, certificate, django_assert_num_queries):
    """The public page reads the certificate in a single query."""
    client.get(verify_url(certificate.code))  # warm the session and language machinery
    with django_assert_num_queries(1):
        assert client.get(verify_url(certificate.code)).status_code == 200


# --- The learner's download ---------------------------------------------------------------------


def test_learner_downloads_own_certificate_as_a_pdf_attachment(client, certificate, learner_hue):
    """The learner gets the issued PDF as an attachment that browsers must not sniff or cache for others."""
    client.force_login(learner_hue)
    response = client.get(reverse("certificates:download", args=[certificate.code]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    with certificate.pdf.open("rb") as stored:
        assert response.content == stored.read()
    [text] = pdf_pages(response)
    assert NAME in text


@pytest.mark.parametrize("person", ["learner_hanoi", "admin_hue", "ministry_staff"])
def test_nobody_else_downloads_a_learner_s_certificate(client, certificate, request, person):
    """Another learner, and even staff in scope, get 404 for the learner's download."""
    client.force_login(request.getfixturevalue(person))
    assert client.get(reverse("certificates:download", args=[certificate.code])).status_code == 404


def test_visitor_is_asked_to_sign_in_to_download(client, certificate):
    """A visitor is sent to sign in before any download."""
    response = client.get(reverse("certificates:download", args=[certificate.code]))
    assert response.status_code == 302 and response.url.startswith(reverse("account_login"))


def test_revoked_certificate_is_not_downloaded(client, certificate, learner_hue, admin_hue):
    """After revoking, the download sends the learner to the public page that says why."""
    certificate_revoke(certificate=certificate, by=admin_hue, reason="Cấp nhầm")
    client.force_login(learner_hue)
    response = client.get(reverse("certificates:download", args=[certificate.code]))
    assert response.status_code == 302 and response.url == verify_url(certificate.code)


def test_my_learning_shows_the_certificate_link_and_code(client, certificate, learner_hue, course_hue):
    """My learning offers the download and shows the code of a completed course's certificate."""
    client.force_login(learner_hue)
    html = client.get(reverse("learners:my_learning")).content.decode()
    assert reverse("certificates:download", args=[certificate.code]) in html
    assert certificate.code in html


def test_my_learning_query_count_does_not_grow_with_certificates(client, learner_hue, django_assert_max_num_queries):
    """My learning with many completed courses and certificates stays within a fixed number of queries."""
    for number in range(8):
        certificate_make(learner=learner_hue, course=course_make(title=f"Khóa {number}"))
    client.force_login(learner_hue)
    with django_assert_max_num_queries(5):
        html = client.get(reverse("learners:my_learning")).content.decode()
    assert html.count("/download/") == 8


# --- Revoking -----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
def test_staff_in_scope_revoke_with_a_reason(client, certificate, request, person):
    """Huế's admin and ministry staff revoke a Huế course's certificate; the public page then says so."""
    staff = request.getfixturevalue(person)
    client.force_login(staff)
    url = reverse("certificates:revoke", args=[certificate.code])
    assert client.get(url).status_code == 200

    response = client.post(url, {"reason": "Gian lận khi thi"})

    assert response.status_code == 302 and response.url == verify_url(certificate.code)
    certificate.refresh_from_db()
    assert (certificate.revoked_by, certificate.revoked_reason) == (staff, "Gian lận khi thi")


@pytest.mark.parametrize("person", ["admin_hanoi", "learner_hue", "partner_trainer"])
def test_revoke_page_is_404_outside_the_course_scope(client, certificate, request, person):
    """Another province's admin, the learner and a partner trainer get 404 and change nothing."""
    client.force_login(request.getfixturevalue(person))
    url = reverse("certificates:revoke", args=[certificate.code])
    before = state()

    assert client.get(url).status_code == 404
    assert client.post(url, {"reason": "Không hợp lệ"}).status_code == 404
    assert state() == before


def test_revoke_without_reason_says_so_and_changes_nothing(client, certificate, admin_hue, in_english):
    """Posting no reason shows a clear message and leaves the certificate valid."""
    in_english.force_login(admin_hue)
    before = state()

    response = in_english.post(reverse("certificates:revoke", args=[certificate.code]), {"reason": "  "})

    assert response.status_code == 400
    assert "Say why the certificate is revoked." in response.content.decode()
    assert state() == before


def test_course_certificate_list_is_for_staff_in_scope(client, certificate, admin_hue, admin_hanoi, course_hue):
    """Huế's admin lists the Huế course's certificates with print links; Hà Nội's admin gets 404."""
    url = reverse("certificates:course", args=[course_hue.id])
    client.force_login(admin_hanoi)
    assert client.get(url).status_code == 404

    client.force_login(admin_hue)
    html = client.get(url).content.decode()
    assert certificate.code in html and NAME in html
    assert reverse("certificates:print_run", args=[certificate.completion.course_run_id]) in html


# --- Printing -----------------------------------------------------------------------------------


@pytest.fixture
def printed_run(course_hue, commune_hue, admin_hue):
    """Four learners of one Huế commune completed the run; one certificate was revoked."""
    learners = [learner_make(commune=commune_hue) for _ in range(4)]
    names = ["Trần Văn Bình", "Lê Thị Cúc", "Phạm Đức Dũng", "Hoàng Thị Ánh"]
    certificates = [
        certificate_make(learner=learner, course=course_hue, full_name=name)
        for learner, name in zip(learners, names, strict=True)
    ]
    certificate_revoke(certificate=certificates[1], by=admin_hue, reason="Cấp nhầm")
    return certificates


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
def test_run_prints_every_valid_certificate_and_no_revoked_one(client, printed_run, request, person):
    """One PDF page per valid certificate of the run, by name, and none for the revoked one."""
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("certificates:print_run", args=[printed_run[0].completion.course_run_id]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf" and response["X-Content-Type-Options"] == "nosniff"
    pages = pdf_pages(response)
    assert len(pages) == 3
    assert [name for name in ("Hoàng Thị Ánh", "Phạm Đức Dũng", "Trần Văn Bình") if any(name in p for p in pages)] == [
        "Hoàng Thị Ánh",
        "Phạm Đức Dũng",
        "Trần Văn Bình",
    ]
    assert not any("Lê Thị Cúc" in page for page in pages)


@pytest.mark.parametrize("person", ["admin_hue", "ministry_staff"])
def test_commune_prints_every_valid_certificate_of_its_learners(client, printed_run, commune_hue, request, person):
    """The commune's PDF has a page per valid certificate of the learners living there, none revoked."""
    client.force_login(request.getfixturevalue(person))
    response = client.get(reverse("certificates:print_commune", args=[commune_hue.code]))

    assert response.status_code == 200
    pages = pdf_pages(response)
    assert len(pages) == 3
    assert not any("Lê Thị Cúc" in page for page in pages)


@pytest.mark.parametrize("person", ["admin_hanoi", "learner_hue", "partner_trainer"])
def test_printing_is_404_outside_scope(client, printed_run, commune_hue, course_hue, request, person):
    """Another province's admin, a learner and a partner trainer get 404 for run, course and commune prints."""
    client.force_login(request.getfixturevalue(person))
    for url in (
        reverse("certificates:print_run", args=[printed_run[0].completion.course_run_id]),
        reverse("certificates:print_course", args=[course_hue.id]),
        reverse("certificates:print_commune", args=[commune_hue.code]),
        reverse("certificates:province", args=[commune_hue.province.code]),
    ):
        assert client.get(url).status_code == 404, url


def test_province_page_counts_valid_certificates_by_commune(client, printed_run, commune_hue, admin_hue):
    """The province's page shows each commune's count of valid certificates with a print link."""
    client.force_login(admin_hue)
    html = client.get(reverse("certificates:province", args=[commune_hue.province.code])).content.decode()
    assert f"<td>{commune_hue.name}</td>\n      <td>3</td>" in html
    assert reverse("certificates:print_commune", args=[commune_hue.code]) in html


def test_printing_a_part_past_the_end_is_404(client, printed_run, admin_hue):
    """Asking for a part beyond the certificates there are, or a malformed part, is 404."""
    client.force_login(admin_hue)
    url = reverse("certificates:print_run", args=[printed_run[0].completion.course_run_id])
    assert client.get(url, {"part": "2"}).status_code == 404
    assert client.get(url, {"part": "zero"}).status_code == 404
