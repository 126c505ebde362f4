"""Messages of the emergency plans pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.plans": ("Phương án", "Plans"),
    "plans.title": ("Phương án ứng phó", "Emergency plans"),
    "plans.subtitle": (
        "Phương án chuẩn bị sẵn cho từng tình huống; một lần bấm giao mọi nhiệm vụ cho các đơn "
        "vị và mở màn hình chỉ huy theo dõi tiến độ.",
        "Plans prepared for each kind of emergency; one click gives every unit its tasks and "
        "opens a command view of their progress.",
    ),
    "plans.library": ("Các phương án đã chuẩn bị", "Prepared plans"),
    "plans.no_plans": ("Chưa có phương án nào.", "No plan yet."),
    "plans.active_runs": ("Phương án đang kích hoạt", "Plans in progress"),
    "plans.no_runs": ("Không có phương án nào đang kích hoạt.", "No plan is active."),
    "plans.tasks_count": ("{n} nhiệm vụ", "{n} tasks"),
    "plans.view": ("Xem phương án", "View the plan"),
    "plans.activate": ("Kích hoạt", "Activate"),
    "plans.needs_area": ("Kích hoạt cho một tỉnh", "Activated for one province"),
    "plans.hazard": ("Loại tình huống", "Hazard"),
    "plans.hazard.storm_flood": ("Bão, lũ", "Storm and flood"),
    "plans.hazard.system_outage": ("Sự cố hệ thống thông tin", "Information system outage"),
    "plans.hazard.mass_gathering": ("Sự kiện đông người", "Mass gathering"),
    "plans.hazard.epidemic": ("Dịch bệnh", "Epidemic"),
    "plans.hazard.other": ("Tình huống khác", "Other emergency"),
    "plans.severity": ("Mức độ", "Severity"),
    "plans.description": ("Mô tả", "Description"),
    "plans.back": ("Tất cả phương án", "All plans"),
    # the plan's tasks
    "plans.tasks": ("Nhiệm vụ của các đơn vị", "The units' tasks"),
    "plans.unit": ("Đơn vị", "Unit"),
    "plans.task": ("Nhiệm vụ", "Task"),
    "plans.hours": ("Hạn (giờ sau khi kích hoạt)", "Deadline (hours after activation)"),
    "plans.resources": ("Nguồn lực", "Resources"),
    "plans.group.provinces": (
        "Sở Nội vụ các tỉnh, thành phố (khi kích hoạt cho một tỉnh: Sở Nội vụ của tỉnh đó)",
        "Every province's Department of Home Affairs (for one province: that province's)",
    ),
    "plans.group.communes": (
        "Ủy ban nhân dân các xã, phường của tỉnh được kích hoạt",
        "The People's Committees of the activated province's communes",
    ),
    # the activation dialog
    "plans.confirm_title": ("Kích hoạt phương án", "Activate the plan"),
    "plans.confirm_text": (
        "Mọi nhiệm vụ được giao ngay cho các đơn vị, có hạn tính từ lúc kích hoạt; các đơn vị "
        "nhận thông báo.",
        "Every task goes to its unit at once, due counted from now; the units are notified.",
    ),
    "plans.drill_check": ("Diễn tập (không phải tình huống thật)", "Drill (not a real emergency)"),
    "plans.area": ("Địa bàn", "Area"),
    "plans.nationwide": ("Toàn quốc", "Nationwide"),
    "plans.note": ("Ghi chú", "Note"),
    "plans.confirm_real": ("Kích hoạt ngay", "Activate now"),
    "plans.confirm_drill": ("Bắt đầu diễn tập", "Start the drill"),
    "plans.cancel": ("Hủy", "Cancel"),
    "plans.failed": ("Không thực hiện được: ", "Could not do it: "),
    # the command view
    "plans.drill": ("Diễn tập", "Drill"),
    "plans.drill_banner": (
        "DIỄN TẬP / DRILL — không phải tình huống thật",
        "DRILL / DIỄN TẬP — not a real emergency",
    ),
    "plans.command": ("Màn hình chỉ huy", "Command view"),
    "plans.activated_at": ("Kích hoạt lúc", "Activated at"),
    "plans.by": ("bởi", "by"),
    "plans.elapsed": ("Đã trôi qua", "Elapsed"),
    "plans.total": ("Tổng số nhiệm vụ", "Tasks"),
    "plans.progress": ("Tiến độ chung", "Overall progress"),
    "plans.state.done": ("Hoàn thành", "Done"),
    "plans.state.in_progress": ("Đang thực hiện", "In progress"),
    "plans.state.not_started": ("Chưa bắt đầu", "Not started"),
    "plans.state.cancelled": ("Đã hủy", "Cancelled"),
    "plans.state.overdue": ("Quá hạn", "Overdue"),
    "plans.run.active": ("Đang kích hoạt", "Active"),
    "plans.run.closed": ("Đã kết thúc", "Closed"),
    "plans.due": ("Hạn", "Due"),
    "plans.latest_comments": ("Ý kiến mới nhất của các đơn vị", "Latest comments from the units"),
    "plans.no_comments": ("Chưa có ý kiến nào.", "No comment yet."),
    "plans.left_out": (
        "Đơn vị không được giao nhiệm vụ trong lần kích hoạt này",
        "Units given no task in this activation",
    ),
    "plans.reason.outside_area": ("ngoài địa bàn được kích hoạt", "outside the activated area"),
    "plans.reason.outside_scope": (
        "ngoài phạm vi của người kích hoạt: Bộ giao khi cần",
        "outside the activator's scope: the ministry assigns it if needed",
    ),
    "plans.partial": (
        "Bạn chỉ thấy nhiệm vụ của các đơn vị thuộc phạm vi của mình.",
        "You see only the tasks of the units in your scope.",
    ),
    "plans.filter.all": ("Tất cả", "All"),
    "plans.filter.open": ("Chưa hoàn thành", "Not done"),
    "plans.filter.overdue": ("Quá hạn", "Overdue"),
    "plans.live.open": ("Đang cập nhật trực tiếp", "Live"),
    "plans.live.lost": ("Mất kết nối, đang thử lại", "Connection lost, retrying"),
    "plans.updated": ("Cập nhật lúc", "Updated at"),
    "plans.incident": ("Sự cố kèm theo", "The incident"),
    "plans.close": ("Kết thúc phương án", "Close the run"),
    "plans.close_text": (
        "Kết thúc lượt kích hoạt và đóng sự cố kèm theo; ghi lại đánh giá nếu có.",
        "End the run and close its incident; write down the evaluation if any.",
    ),
    "plans.evaluation": ("Đánh giá", "Evaluation"),
    "plans.time.d": ("ngày", "d"),
    "plans.time.h": ("giờ", "h"),
}

# What plans.js needs to draw the dialog and the command view in the page's language.
CLIENT_KEYS: tuple[str, ...] = tuple(
    k for k in MESSAGES if k.startswith("plans.") and not k.startswith("plans.hazard.")
)
