"""Forms of the question bank and of quiz settings. Each hands its cleaned data to one service of
courses.services.questions (the spreadsheet upload's form is with the studio's other uploads)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from courses.models import Course, Lesson, Question, QuestionTag, Quiz
from courses.pure.question_rules import (
    CHOICE_LETTERS,
    CHOICE_MAX_LENGTH,
    TEXT_MAX_LENGTH,
    ChoiceRow,
    choices_problem,
    tag_names_split,
)


class QuestionForm(forms.Form):
    """A question with up to six answer choices in fixed rows; empty rows are left out."""

    kind = forms.ChoiceField(label=_("Kind of question"), choices=Question.Kind.choices, initial=Question.Kind.SINGLE)
    text = forms.CharField(label=_("Question"), max_length=TEXT_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 3}))
    explanation = forms.CharField(
        label=_("Explanation"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown to learners with the corrections after they submit, if the quiz allows it."),
    )
    tags = forms.CharField(
        label=_("Tags"),
        required=False,
        max_length=500,
        help_text=_("Separate tags with commas. A quiz can draw only the questions of one tag."),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for letter in CHOICE_LETTERS:
            self.fields[f"choice_{letter}"] = forms.CharField(
                label=_("Answer %(letter)s") % {"letter": letter}, max_length=CHOICE_MAX_LENGTH, required=False
            )
            self.fields[f"correct_{letter}"] = forms.BooleanField(
                label=_("Answer %(letter)s is correct") % {"letter": letter}, required=False
            )

    @classmethod
    def initial_for(cls, question: Question) -> dict:
        initial = {
            "kind": question.kind,
            "text": question.text,
            "explanation": question.explanation,
            "tags": ", ".join(tag.name for tag in question.tags.all()),
        }
        for letter, choice in zip(CHOICE_LETTERS, question.choices.all(), strict=False):
            initial[f"choice_{letter}"] = choice.text
            initial[f"correct_{letter}"] = choice.is_correct
        return initial

    def choice_rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        """Return each row's letter, answer field and correct box, for the template."""
        return [(letter, self[f"choice_{letter}"], self[f"correct_{letter}"]) for letter in CHOICE_LETTERS]

    def other_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("kind", "text", "explanation", "tags")]

    def clean(self) -> dict:
        data = super().clean()
        choices = []
        for letter in CHOICE_LETTERS:
            text = (data.get(f"choice_{letter}") or "").strip()
            if text:
                choices.append(ChoiceRow(text, bool(data.get(f"correct_{letter}"))))
            elif data.get(f"correct_{letter}"):
                self.add_error(f"choice_{letter}", _("This answer is marked correct but is empty."))
        data["choices"] = choices
        if data.get("kind") and not self.errors:
            problem = choices_problem(data["kind"], choices)
            if problem:
                raise ValidationError(problem)
        return data

    def service_fields(self) -> dict:
        """Return the keyword arguments of question_create and question_update."""
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"],
            "choices": data["choices"],
            "explanation": data["explanation"],
            "tag_names": tag_names_split(data["tags"]),
        }


class QuestionFilterForm(forms.Form):
    """The question bank's filters: one tag, and whether the questions are in use."""

    ACTIVE, INACTIVE = "active", "inactive"

    tag = forms.ModelChoiceField(
        label=_("Tag"), queryset=QuestionTag.objects.none(), required=False, empty_label=_("All tags")
    )
    state = forms.ChoiceField(
        label=_("State"),
        required=False,
        choices=[("", _("In use and deactivated")), (ACTIVE, _("In use")), (INACTIVE, _("Deactivated"))],
    )

    def __init__(self, *args, course: Course, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["tag"].queryset = QuestionTag.objects.filter(course=course)

    def filters(self) -> dict:
        """Return the keyword arguments of the bank's list: a tag and an active state, or None for all."""
        if not self.is_bound or not self.is_valid():
            return {"tag": None, "is_active": None}
        state = self.cleaned_data["state"]
        return {
            "tag": self.cleaned_data["tag"],
            "is_active": {self.ACTIVE: True, self.INACTIVE: False}.get(state),
        }


class QuizSettingsForm(forms.Form):
    """The rules of a quiz lesson; the tag is one of its course's."""

    questions_drawn = forms.IntegerField(
        label=_("Questions drawn"),
        min_value=1,
        max_value=200,
        help_text=_("Each attempt draws this many questions at random from the bank."),
    )
    draw_tag = forms.ModelChoiceField(
        label=_("Draw from"),
        queryset=QuestionTag.objects.none(),
        required=False,
        empty_label=_("The whole question bank"),
    )
    pass_mark_percent = forms.IntegerField(label=_("Pass mark (%)"), min_value=1, max_value=100)
    attempts_limit = forms.IntegerField(
        label=_("Attempts allowed"), min_value=0, max_value=100, help_text=_("0 for no limit.")
    )
    time_limit_minutes = forms.IntegerField(
        label=_("Time limit (minutes)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Empty for no limit. The server ends the attempt when the time is up."),
    )
    shuffle_choices = forms.BooleanField(label=_("Shuffle the answer choices"), required=False)
    review_allowed = forms.BooleanField(
        label=_("Show the corrections after submitting"),
        required=False,
        help_text=_("Learners see which answers were correct, with the explanations, once they submit."),
    )
    is_final_exam = forms.BooleanField(
        label=_("Final exam of the course"),
        required=False,
        help_text=_("A learner completes the course by passing it after the required lessons."),
    )

    def __init__(self, *args, lesson: Lesson, quiz: Quiz | None, **kwargs) -> None:
        quiz = quiz or Quiz()
        kwargs.setdefault(
            "initial",
            {
                "questions_drawn": quiz.questions_drawn,
                "draw_tag": quiz.draw_tag_id,
                "pass_mark_percent": quiz.pass_mark_percent,
                "attempts_limit": quiz.attempts_limit,
                "time_limit_minutes": quiz.time_limit_minutes,
                "shuffle_choices": quiz.shuffle_choices,
                "review_allowed": quiz.review_allowed,
                "is_final_exam": quiz.is_final_exam,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["draw_tag"].queryset = QuestionTag.objects.filter(course_id=lesson.course_id)

    def service_fields(self) -> dict:
        """Return the keyword arguments of quiz_settings_save."""
        return dict(self.cleaned_data)
