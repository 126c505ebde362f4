"""Messages of the process tracking pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.processes": ("Quy trình", "Processes"),
    "processes.title": ("Theo dõi quy trình", "Process tracking"),
    "processes.subtitle": (
        "Các quy trình nhiều bước có thời hạn và vai trò chịu trách nhiệm: bước nào trễ hạn và "
        "đơn vị nào đang giữ.",
        "Step-by-step processes with deadlines and responsible roles: which step is late and "
        "who holds it.",
    ),
    "processes.filter": ("Lọc", "Filter"),
    "processes.state": ("Tình trạng", "State"),
    "processes.state.running": ("Đang thực hiện", "Running"),
    "processes.state.done": ("Đã hoàn thành", "Done"),
    "processes.state.all": ("Tất cả", "All"),
    "processes.template": ("Quy trình mẫu", "Template"),
    "processes.any_template": ("Mọi quy trình mẫu", "Every template"),
    "processes.late_only": ("Chỉ bước trễ hạn", "Late steps only"),
    "processes.none": ("Không có quy trình nào.", "No process."),
    "processes.count": ("{n} quy trình", "{n} processes"),
    "processes.subject": ("Đơn vị được thanh tra", "Unit concerned"),
    "processes.inspector": ("Đơn vị thanh tra", "Inspecting unit"),
    "processes.current": ("Bước hiện tại", "Current step"),
    "processes.progress": ("Tiến độ", "Progress"),
    "processes.steps_done": ("{done}/{total} bước", "{done} of {total} steps"),
    "processes.due": ("Hạn", "Due"),
    "processes.late_days": ("Trễ {n} ngày", "{n} days late"),
    "processes.on_time": ("Trong hạn", "On time"),
    "processes.held_by": ("Đơn vị giữ", "Held by"),
    "processes.role": ("Vai trò", "Role"),
    "processes.days": ("{n} ngày", "{n} days"),
    "processes.finished_at": ("Hoàn thành lúc", "Finished at"),
    "processes.start": ("Bắt đầu một quy trình", "Start a process"),
    "processes.start_hint": (
        "Các bước được giao cho đơn vị thanh tra và đơn vị được thanh tra theo quy trình mẫu; "
        "bước đầu tiên bắt đầu tính hạn ngay.",
        "The steps go to the inspecting unit and the unit concerned as the template says; the "
        "first step's deadline starts now.",
    ),
    "processes.subject_hint": (
        "Mã đơn vị, ví dụ SNV.15 (Sở Nội vụ tỉnh Lào Cai)",
        "Unit code, e.g. SNV.15 (Lào Cai's Department of Home Affairs)",
    ),
    "processes.inspector_hint": (
        "Để trống: Thanh tra Bộ (BNV.TTr)",
        "Empty: the Ministry Inspectorate (BNV.TTr)",
    ),
    "processes.run_title": ("Tên cuộc thanh tra, quy trình", "Title of the run"),
    "processes.run_title_hint": (
        "Để trống: tên quy trình mẫu và đơn vị",
        "Empty: the template's title and the unit",
    ),
    "processes.begin": ("Bắt đầu", "Start"),
    "processes.started_by": ("Người khởi tạo", "Started by"),
    "processes.started_at": ("Bắt đầu lúc", "Started at"),
    "processes.steps": ("Các bước", "Steps"),
    "processes.step": ("Bước {n}", "Step {n}"),
    "processes.step.done": ("Đã xong", "Done"),
    "processes.step.active": ("Đang thực hiện", "Active"),
    "processes.step.pending": ("Chưa đến lượt", "Pending"),
    "processes.done_by": ("Hoàn thành bởi {who} lúc {at}", "Done by {who} at {at}"),
    "processes.done_late": ("xong trễ {n} ngày", "finished {n} days late"),
    "processes.note": ("Ghi chú, kết quả", "Note, outcome"),
    "processes.note_hint": (
        "Ví dụ: số, ngày văn bản đã ban hành",
        "E.g. the number and date of the document issued",
    ),
    "processes.complete": ("Hoàn thành bước này", "Complete this step"),
    "processes.waiting": (
        "Chờ {unit} ({role}) thực hiện.",
        "Waiting for {unit} ({role}).",
    ),
    "processes.completed": ("Đã hoàn thành bước {n}.", "Step {n} completed."),
    "processes.back": ("Danh sách quy trình", "All processes"),
    "processes.live": ("Tự động cập nhật khi có thay đổi", "Updates itself on every change"),
}
