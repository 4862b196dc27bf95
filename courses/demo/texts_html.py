"""The shape of a demo text lesson: what it is about, the steps, and the one thing to remember."""


def lesson_html(intro: str, points: list[str], remember: str) -> str:
    """Return a lesson's HTML; the texts are the demo's own and may carry <strong>, so they are not escaped."""
    items = "".join(f"<li>{point}</li>" for point in points)
    return f"<p>{intro}</p><ul>{items}</ul><p><strong>Ghi nhớ:</strong> {remember}</p>"
