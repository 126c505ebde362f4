"""Messages of the ledger pages (record history, verification): key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {}
