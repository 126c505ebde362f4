"""Messages of the alerts and alert rules pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.alerts": ("Cảnh báo", "Alerts"),
}
