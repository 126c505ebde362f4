"""Messages of the notifications pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.notifications": ("Thông báo", "Notifications"),
}
