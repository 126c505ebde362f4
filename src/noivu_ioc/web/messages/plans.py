"""Messages of the emergency plans and directives pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.plans": ("Phương án", "Plans"),
    "nav.directives": ("Chỉ đạo", "Directives"),
}
