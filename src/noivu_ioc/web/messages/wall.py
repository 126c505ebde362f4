"""The video wall and its scene editor."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.wall": ("Màn hình điều hành", "Video wall"),
}
