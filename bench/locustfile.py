"""The campaign's mix of visitors, for Locust: browsing, watching videos, enrolling and taking quizzes.

    .venv/bin/python bench/campaign.py          # prepares the data, the server, and runs this file

Run alone against a prepared server (bench/campaign.py --keep-db writes the plan):

    BENCH_CAMPAIGN_PLAN=plan.json .venv/bin/locust -f bench/locustfile.py --host http://127.0.0.1:8000

The plan (JSON) names the accounts (all with one password), the courses to browse and to enrol in,
and the search words. Users are spawned in the weights 70 : 20 : 5 : 5:

- Browsers (anonymous): the home page, catalogue pages with filters and searches, course pages.
- Watchers: sign in once through allauth's form (CSRF and all), open My learning, follow its
  "Continue" link to a video lesson, read the heartbeat token from the page as static/js/player.js
  does, ask for the HLS playlist (an object store would serve the segments: not Django's work),
  then post a heartbeat every ~10 s of real time with the interval just played, as the player does.
  The server caps what it accepts by the time since the page was opened, so this time cannot be
  compressed. After some minutes of a lesson they go back to My learning.
- Enrollers: a new visitor each time: a search, a course page, signing in through the form (one
  password hash, part of the mix: accounts exist already, so no sign-up and no email), enrolling
  through the course page's form, the first lesson the enrolment leads to, signing out.
- Quiz takers: a new visitor each time, with an account enrolled in a quiz's course: signing in,
  the quiz's page, starting an attempt, saving each answer as it is chosen (quiz.js's autosave,
  with the form's CSRF token in X-CSRFToken), the status poll, submitting the form, the result.

Each request is named by its kind ("browse: catalogue", "watch: heartbeat"...), which is what
the per-kind table of bench/campaign.py shows. Think times scale with BENCH_THINK_SCALE (1.0).
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
import time
from html import unescape
from urllib.parse import urlencode

import gevent
from locust import FastHttpUser, between, events, task

PLAN = json.loads(open(os.environ["BENCH_CAMPAIGN_PLAN"], encoding="utf-8").read())
THINK = float(os.environ.get("BENCH_THINK_SCALE", "1"))
HEARTBEAT_SECONDS = 10  # static/js/player.js: HEARTBEAT_MS
HEADERS = {"Accept-Language": "vi", "Accept-Encoding": "gzip"}

CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
LESSON_LINK = re.compile(r'href="(/learning/courses/[^/"]+/\d+/)"')
VIDEO_DATA = re.compile(r'data-(token|heartbeat-url|hls-lowest-url|hls-url|resume)="([^"]*)"')
QUESTION = re.compile(r'<fieldset class="quiz-question" data-question="(\d+)">(.*?)</fieldset>', re.S)
CHOICE = re.compile(r'<input type="(radio|checkbox)" name="q-\d+" value="([^"]+)"')
FORM_ACTION = re.compile(
    r'<form id="quiz-form"[^>]* action="([^"]+)"[^>]* data-answer-url="([^"]+)" data-status-url="([^"]+)"'
)
START_FORM = re.compile(r'<form method="post" action="([^"]+/quiz/start/)"')

WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP_SECONDS", "0"))
MEASURE_MARK = os.environ.get("BENCH_MEASURE_MARK", "")


@events.test_start.add_listener
def measure_after_warmup(environment, **_kwargs) -> None:
    """After the warm-up (spawning, the watchers' sign-ins), start the statistics afresh and say so."""
    if WARMUP_SECONDS <= 0:
        return

    def measure() -> None:
        environment.runner.stats.reset_all()
        if MEASURE_MARK:
            with open(MEASURE_MARK, "w", encoding="utf-8") as mark:
                mark.write(f"{time.time()}\n")

    gevent.spawn_later(WARMUP_SECONDS, measure)


# Accounts handed out in turn to the users of one kind (Locust runs them as greenlets of one process).
_next_account = {kind: itertools.count() for kind in ("watchers", "enrollers", "quiz_takers")}


def account(kind: str) -> str:
    accounts = PLAN[kind]
    return accounts[next(_next_account[kind]) % len(accounts)]


def think(low: float, high: float) -> None:
    time.sleep(random.uniform(low, high) * THINK)


class Visitor(FastHttpUser):
    abstract = True

    def get(self, path: str, name: str, **kwargs):
        return self.client.get(path, name=name, headers=HEADERS, **kwargs)

    def post(self, path: str, name: str, **kwargs):
        headers = {**HEADERS, "Referer": self.host + path, **kwargs.pop("headers", {})}
        return self.client.post(path, name=name, headers=headers, allow_redirects=False, **kwargs)

    def csrf_of(self, response) -> str:
        match = CSRF_FIELD.search(response.text or "")
        return match.group(1) if match else ""

    def redirect(self, response, name: str, *, expect: str = ""):
        """Follow a 302 with a GET of its own kind, as a browser does; check where it leads."""
        with response:
            if response.status_code not in (301, 302, 303):
                response.failure(f"expected a redirect, got {response.status_code}")
                return None
            location = response.headers.get("Location", "")
            if expect and expect not in location:
                response.failure(f"redirected to {location}, expected {expect}")
                return None
            response.success()
        return self.get(location, name=name)

    def sign_in(self, email: str, kind: str) -> bool:
        """allauth's form: GET for the CSRF token and cookie, POST, then the page it leads to."""
        self.client.cookiejar.clear()
        page = self.get("/accounts/login/", name=f"{kind}: sign-in page")
        data = {"csrfmiddlewaretoken": self.csrf_of(page), "login": email, "password": PLAN["password"]}
        response = self.post("/accounts/login/", name=f"{kind}: sign in (POST)", data=data, catch_response=True)
        with response:
            signed_in = response.status_code == 302 and "/accounts/login" not in response.headers.get("Location", "")
            if not signed_in:
                response.failure(f"sign-in of {email} refused ({response.status_code})")
                return False
            response.success()
        return True

    def sign_out(self, kind: str) -> None:
        page = self.get("/learning/", name=f"{kind}: my learning")
        self.post(
            "/accounts/logout/", name=f"{kind}: sign out (POST)", data={"csrfmiddlewaretoken": self.csrf_of(page)}
        )
        self.client.cookiejar.clear()


class Browser(Visitor):
    """Anonymous: the home page, the catalogue with filters and searches, course pages."""

    weight = 70
    wait_time = between(1 * THINK, 3 * THINK)

    @task(2)
    def home(self) -> None:
        self.get("/", name="browse: home")

    @task(3)
    def catalogue(self) -> None:
        query = {"page": random.choice([1, 1, 1, 2, 3, 5])}
        if random.random() < 0.5:
            query["audience"] = random.choice(PLAN["audiences"])
        if random.random() < 0.3:
            query["sort"] = random.choice(["popular", "newest"])
        self.get(f"/courses/?{urlencode(query)}", name="browse: catalogue")

    @task(2)
    def search(self) -> None:
        query = {"q": random.choice(PLAN["searches"])}
        if random.random() < 0.5:
            query["audience"] = random.choice(PLAN["audiences"])
        self.get(f"/courses/?{urlencode(query)}", name="browse: search")

    @task(3)
    def course(self) -> None:
        self.get(f"/courses/{random.choice(PLAN['browse_courses'])}/", name="browse: course page")


class Watcher(Visitor):
    """A signed-in learner watching the videos of their courses, one after another."""

    weight = 20
    wait_time = between(1 * THINK, 3 * THINK)

    def on_start(self) -> None:
        self.signed_in = self.sign_in(account("watchers"), "watch")

    @task
    def watch_a_lesson(self) -> None:
        if not self.signed_in:
            self.signed_in = self.sign_in(account("watchers"), "watch")
            return
        links = LESSON_LINK.findall(self.get("/learning/", name="watch: my learning").text or "")
        if not links:
            return
        think(1, 3)
        page = self.get(random.choice(links), name="watch: lesson page")
        data = dict(VIDEO_DATA.findall(page.text or ""))
        token, url = unescape(data.get("token", "")), unescape(data.get("heartbeat-url", ""))
        if not token or not url:
            return  # not a video, or nothing to record
        playlist = unescape(data.get("hls-lowest-url") or data.get("hls-url") or "")
        if playlist:
            self.get(playlist, name="watch: playlist")
        lesson_id = page.url.rstrip("/").rsplit("/", 1)[-1] if page.url else ""
        duration = PLAN["video_seconds"].get(lesson_id, 0)
        position = float(data.get("resume") or 0)
        # A few minutes of the lesson, then back to My learning: the player's ~10 s heartbeats.
        for _ in range(random.randint(6, 30)):
            started = time.monotonic()
            time.sleep(HEARTBEAT_SECONDS + random.uniform(-0.5, 0.5))
            end = min(position + time.monotonic() - started, duration) if duration else position
            report = {"token": token, "intervals": [[round(position, 2), round(end, 2)]], "position": round(end, 2)}
            with self.client.post(
                url, name="watch: heartbeat", json=report, headers=HEADERS, catch_response=True
            ) as response:
                if response.status_code != 200:
                    response.failure(f"heartbeat {response.status_code}: {(response.text or '')[:120]}")
                    return
                answer = response.json()
                response.success()
            token = answer.get("token") or token  # as static/js/player.js: the next report needs no read
            position = end
            if answer.get("completed") or position >= duration:
                return  # the end of the video: back to My learning for the next lesson


class Enroller(Visitor):
    """A new visitor who finds a course, signs in, enrols, opens the first lesson and leaves."""

    weight = 5
    wait_time = between(2 * THINK, 5 * THINK)

    @task
    def enrol(self) -> None:
        self.client.cookiejar.clear()
        self.get(f"/courses/?{urlencode({'q': random.choice(PLAN['searches'])})}", name="enrol: search")
        think(1, 3)
        course = f"/courses/{random.choice(PLAN['enrol_courses'])}/"
        self.get(course, name="enrol: course page")
        think(1, 3)
        if not self.sign_in(account("enrollers"), "enrol"):
            return
        page = self.get(course, name="enrol: course page, signed in")
        slug = course.split("/")[2]
        response = self.post(
            f"/learning/enrol/{slug}/",
            name="enrol: enrol (POST)",
            data={"csrfmiddlewaretoken": self.csrf_of(page)},
            catch_response=True,
        )
        self.redirect(response, "enrol: first lesson")
        think(2, 5)
        self.sign_out("enrol")


class QuizTaker(Visitor):
    """A learner who signs in, opens a final quiz, answers as they go (autosave) and submits."""

    weight = 5
    wait_time = between(2 * THINK, 5 * THINK)

    @task
    def take_a_quiz(self) -> None:
        if not self.sign_in(account("quiz_takers"), "quiz"):
            return
        lesson = random.choice(PLAN["quiz_lessons"])
        page = self.get(lesson, name="quiz: quiz page")
        start = START_FORM.search(page.text or "")
        if not start:
            return  # no attempt left for this account
        think(1, 3)
        response = self.post(
            unescape(start.group(1)),
            name="quiz: start (POST)",
            data={"csrfmiddlewaretoken": self.csrf_of(page)},
            catch_response=True,
        )
        attempt = self.redirect(response, "quiz: attempt page", expect="/quiz/attempts/")
        if attempt is None:
            return
        html = attempt.text or ""
        form = FORM_ACTION.search(html)
        if not form:
            return
        submit_url, answer_url, status_url = (unescape(part) for part in form.groups())
        csrf = self.csrf_of(attempt)
        self.get(status_url, name="quiz: status")
        answers = {}
        for question, body in QUESTION.findall(html):
            kinds_values = CHOICE.findall(body)
            if not kinds_values:
                continue
            think(3, 8)
            count = random.randint(1, 2) if kinds_values[0][0] == "checkbox" else 1
            picked = [value for _kind, value in random.sample(kinds_values, min(count, len(kinds_values)))]
            answers[f"q-{question}"] = picked
            self.client.post(
                answer_url,
                name="quiz: autosave",
                json={"question": int(question), "choices": picked},
                headers={
                    **HEADERS,
                    "X-CSRFToken": csrf,
                    "Accept": "application/json",
                    "Referer": self.host + answer_url,
                },
            )
        think(2, 4)
        # Encoded here: FastHttpUser's client encodes a dict without doseq, which would send a list
        # of choices as one "['…']" value (refused as no choice of the attempt).
        fields = [("csrfmiddlewaretoken", csrf)] + [(key, value) for key, values in answers.items() for value in values]
        response = self.post(
            submit_url,
            name="quiz: submit (POST)",
            data=urlencode(fields),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            catch_response=True,
        )
        self.redirect(response, "quiz: result page", expect="/result/")
        think(2, 5)
        self.sign_out("quiz")
