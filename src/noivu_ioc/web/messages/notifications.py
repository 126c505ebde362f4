"""Messages of the notifications pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.notifications": ("Thông báo", "Notifications"),
    "notifications.title": ("Thông báo của tôi", "My notifications"),
    "notifications.subtitle": (
        "Cảnh báo, nhiệm vụ và chỉ đạo gửi đến bạn; bản sao qua thư điện tử và tin nhắn "
        "được gửi khi hệ thống đã cấu hình.",
        "Alerts, tasks and directives sent to you; e-mail and SMS copies go out where the "
        "IOC is configured for them.",
    ),
    "notifications.all": ("Tất cả", "All"),
    "notifications.read_all": ("Đánh dấu tất cả đã đọc", "Mark all as read"),
    "notifications.mark_read": ("Đánh dấu đã đọc", "Mark as read"),
    "notifications.read_at": ("Đã đọc lúc", "Read at"),
    "notifications.unread": ("Chưa đọc", "Unread"),
    "notifications.open": ("Xem chi tiết", "Open"),
    "notifications.none": ("Bạn chưa có thông báo nào.", "You have no notifications."),
    "notifications.none_unread": (
        "Không còn thông báo chưa đọc.",
        "No unread notifications left.",
    ),
    "notifications.latest": (
        "Hiển thị {n} thông báo mới nhất.",
        "Showing the latest {n} notifications.",
    ),
    "notifications.filter": ("Lọc thông báo", "Filter notifications"),
    "event.notification.failed": (
        "Không gửi được bản sao thông báo",
        "A notification copy could not be sent",
    ),
}
