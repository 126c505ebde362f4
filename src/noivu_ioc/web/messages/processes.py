"""Messages of the process tracking pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.processes": ("Quy trình", "Processes"),
}
