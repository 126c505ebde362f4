"""Messages of the incidents and tasks pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.incidents": ("Sự cố", "Incidents"),
    "nav.tasks": ("Nhiệm vụ của đơn vị", "My unit's tasks"),
}
