"""Messages of the account pages (sign-in, second factor, sessions, password): key →
(Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {}
