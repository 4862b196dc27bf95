"""The figures every dashboard table shows, computed from the summary's counts keyed by event kind."""

from collections import defaultdict
from dataclasses import dataclass

from learners.models import LearningEvent

Kind = LearningEvent.Kind

# The figures every table shows, in order; the names are the Figures attributes.
MEASURES = (
    "learners",
    "enrolments",
    "completions",
    "completion_rate",
    "certificates",
    "attendances",
    "completions_in_person",
)


@dataclass(frozen=True)
class Figures:
    learners: int = 0
    enrolments: int = 0
    unenrolments: int = 0
    completions: int = 0
    certificates: int = 0  # issued less revoked
    attendances: int = 0  # in person, attended less withdrawn
    completions_in_person: int = 0  # attended and completed online, less withdrawn
    completion_rate: float | None = None  # online completions per enrolment (None without enrolments)

    @classmethod
    def from_counts(cls, counts: dict[str, int]) -> "Figures":
        """Build the figures from event counts keyed by kind."""
        enrolments, completions = counts.get(Kind.ENROLLED, 0), counts.get(Kind.COURSE_COMPLETED, 0)
        return cls(
            learners=counts.get(Kind.LEARNER_JOINED, 0),
            enrolments=counts.get(Kind.ENROLLED, 0),
            unenrolments=counts.get(Kind.UNENROLLED, 0),
            completions=counts.get(Kind.COURSE_COMPLETED, 0),
            certificates=counts.get(Kind.CERTIFICATE_ISSUED, 0) - counts.get(Kind.CERTIFICATE_REVOKED, 0),
            # Net, as certificates: an attendance corrected to absent takes back what it counted.
            attendances=counts.get(Kind.ATTENDED_IN_PERSON, 0) - counts.get(Kind.ATTENDANCE_WITHDRAWN, 0),
            completions_in_person=(
                counts.get(Kind.COMPLETED_IN_PERSON, 0) - counts.get(Kind.COMPLETED_IN_PERSON_WITHDRAWN, 0)
            ),
            completion_rate=completions / enrolments if enrolments else None,
        )


def counts_sum(many) -> dict[str, int]:
    """Add up several dictionaries of counts keyed by kind."""
    total = defaultdict(int)
    for counts in many:
        for kind, n in counts.items():
            total[kind] += n
    return total
