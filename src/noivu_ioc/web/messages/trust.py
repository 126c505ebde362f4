"""Messages of the access-rules, records and audit pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {}
