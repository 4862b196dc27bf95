"""Browser journey: the commune list follows the province selected now, whatever order the
answers of the commune refills come back in.

Moving through the province list with the arrow keys fires one refill per province. Here the
answer for the first province is held back until the second province's list is shown, then let
go: it must not replace the list, and sign-up with a commune of the second province succeeds.
"""

import pytest
from playwright.sync_api import Page, Route, expect

from learners.models import LearnerProfile
from onetouch.models import Commune, User

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("platform_data")]

PASSWORD = "Hoc-so-cung-xa-2025!"
HANOI, HUE = "01", "46"


def test_late_commune_answer_for_an_earlier_province_does_not_replace_the_list(page: Page, live_server) -> None:
    held: list[Route] = []

    def hold_hanoi(route: Route) -> None:
        if route.request.url.endswith(f"province={HANOI}"):
            held.append(route)  # answered below, after Huế's list is shown
        else:
            route.continue_()

    page.route("**/learning/communes/?province=*", hold_hanoi)
    cancelled = []  # requests the page gave up (aborted) itself
    page.on("requestfailed", lambda request: cancelled.append(request))
    page.goto(live_server.url + "/accounts/signup/")
    email = "le.thi.mai@example.vn"
    page.locator("#id_email").fill(email)
    page.locator("#id_full_name").fill("Lê Thị Mai")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.locator("#id_audience_group").select_option("public")

    # Two provinces in a row, as the arrow keys do: Hà Nội's answer is late, Huế's comes at once.
    page.locator("#id_province").select_option(HANOI)
    page.locator("#id_province").select_option(HUE)
    commune_options = page.locator("#id_commune option")
    hue_codes = set(Commune.objects.filter(province__code=HUE).values_list("code", flat=True))
    expect(commune_options).to_have_count(1 + len(hue_codes))
    expect(page.locator("#id_commune")).to_be_enabled()

    # Now Hà Nội's answer arrives (if the page still wants it) and has its chance to fill the list.
    assert len(held) == 1, "the page never asked for Hà Nội's communes"
    if held[0].request not in cancelled:
        with page.expect_event("requestfinished", lambda request: request.url == held[0].request.url):
            held[0].continue_()
        page.wait_for_timeout(300)  # the answer's JSON is read and handled after the request finishes

    option_codes = set(commune_options.evaluate_all("options => options.map(o => o.value).filter(Boolean)"))
    assert option_codes == hue_codes, "a late answer for Hà Nội replaced Huế's communes"
    expect(page.locator("#id_province")).to_have_value(HUE)
    page.locator("#id_commune").select_option(label="Phường Thuận Hóa")

    with page.expect_navigation():
        page.locator("main form[action^='/accounts/signup/'] button[type=submit]:not([name])").click()
    assert "/accounts/signup/" not in page.url, "the sign-up form was refused"
    assert page.js_errors == []

    profile = LearnerProfile.objects.select_related("province", "commune").get(user=User.objects.get(email=email))
    assert (profile.province.code, profile.commune.code) == (HUE, "19786")
