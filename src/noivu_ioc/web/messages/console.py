"""The indicator console (library, drill-down, new indicator) and the leader's phone."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.indicators": ("Chỉ tiêu", "Indicators"),
    "nav.mobile": ("Điện thoại", "Phone"),
}
