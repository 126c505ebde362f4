"""Domain errors shared by every stage.

Services raise these; only the web layer maps them to HTTP status codes (see
``noivu_ioc.web.errors``) and the CLI to exit messages. The message is English (the API, the
CLI and the logs speak it); one that a user meets on a page may carry its Vietnamese too.
"""

from __future__ import annotations


class IOCError(Exception):
    """Base of every error the IOC raises on purpose."""

    code = "error"

    def __init__(self, message: str, *, vi: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.vi = vi

    def text(self, lang: str) -> str:
        """The message for a page in ``lang``: its Vietnamese where it has one."""
        return self.vi if lang == "vi" and self.vi else self.message


class ConfigurationError(IOCError):
    """A setting is missing, unknown or invalid; the message names it and the fix."""

    code = "configuration"


class StoreUnavailableError(IOCError):
    """A database cannot be reached; the message names the URL (without password)."""

    code = "store_unavailable"


class NotFoundError(IOCError):
    code = "not_found"


class NotAuthenticatedError(IOCError):
    code = "not_authenticated"


class NotAllowedError(IOCError):
    """The user is known but may not do this, or not for this unit."""

    code = "not_allowed"


class InvalidInputError(IOCError):
    code = "invalid_input"


class ConflictError(IOCError):
    code = "conflict"
