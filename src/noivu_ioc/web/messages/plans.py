"""Messages of the emergency plans pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.plans": ("Phương án", "Plans"),
}
