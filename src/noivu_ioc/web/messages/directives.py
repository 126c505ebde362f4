"""Messages of the directives pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.directives": ("Chỉ đạo", "Directives"),
}
