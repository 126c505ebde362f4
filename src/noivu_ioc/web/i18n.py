"""Vietnamese by default, English on request (``?lang=en``, remembered in a cookie).

Messages live in one table so that a test can prove every key has both languages."""

from __future__ import annotations

from starlette.requests import Request

from noivu_ioc.web.messages.accounts import MESSAGES as accounts_messages
from noivu_ioc.web.messages.alerts import MESSAGES as alerts_messages
from noivu_ioc.web.messages.console import MESSAGES as console_messages
from noivu_ioc.web.messages.directives import MESSAGES as directives_messages
from noivu_ioc.web.messages.incidents import MESSAGES as incidents_messages
from noivu_ioc.web.messages.ledger import MESSAGES as ledger_messages
from noivu_ioc.web.messages.notifications import MESSAGES as notifications_messages
from noivu_ioc.web.messages.plans import MESSAGES as plans_messages
from noivu_ioc.web.messages.processes import MESSAGES as processes_messages
from noivu_ioc.web.messages.trust import MESSAGES as trust_messages
from noivu_ioc.web.messages.wall import MESSAGES as wall_messages

LANGUAGES = ("vi", "en")
LANG_COOKIE = "ioc_lang"

MESSAGES: dict[str, tuple[str, str]] = {
    # key: (Vietnamese, English)
    "app.title": ("Trung tâm điều hành thông minh", "Intelligent Operations Center"),
    "app.ministry": ("Bộ Nội vụ", "Ministry of Home Affairs"),
    "nav.home": ("Tổng quan", "Overview"),
    "nav.catalog": ("Từ điển dữ liệu", "Data dictionary"),
    "nav.units": ("Đơn vị hành chính", "Administrative units"),
    "nav.api": ("API", "API"),
    "nav.logout": ("Đăng xuất", "Log out"),
    "login.title": ("Đăng nhập", "Log in"),
    "login.username": ("Tên đăng nhập", "Username"),
    "login.password": ("Mật khẩu", "Password"),
    "login.submit": ("Đăng nhập", "Log in"),
    "login.failed": (
        "Sai tên đăng nhập hoặc mật khẩu, hoặc tài khoản đã bị khóa.",
        "Wrong username or password, or the account is disabled.",
    ),
    "login.hint": (
        "Hệ thống dành cho cán bộ được cấp tài khoản. Mọi truy cập đều được ghi nhật ký.",
        "For officials with an account. Every access is logged.",
    ),
    "user.scope": ("Phạm vi", "Scope"),
    "user.roles": ("Vai trò", "Roles"),
    "scope.national": ("Toàn quốc", "Nationwide"),
    "home.my_scope": ("Phạm vi của tôi", "My scope"),
    "home.title": ("Tình hình tổng thể", "Overall situation"),
    "home.subtitle": (
        "Số liệu tích hợp từ chín cơ sở dữ liệu chuyên ngành và CSDL quốc gia về CBCCVC",
        "Integrated figures from the nine sector databases and the national personnel database",
    ),
    "home.persons": ("Cán bộ, công chức, viên chức", "Cadres, civil servants, public employees"),
    "home.women": ("Tỷ lệ nữ", "Share of women"),
    "home.minorities": ("Tỷ lệ người dân tộc thiểu số", "Share of ethnic minorities"),
    "home.by_province": ("CBCCVC theo tỉnh, thành phố", "Personnel by province"),
    "home.by_level": ("CBCCVC theo cấp", "Personnel by level"),
    "home.sectors": ("Chín cơ sở dữ liệu chuyên ngành", "The nine sector databases"),
    "home.loaded": ("Dữ liệu nạp lúc", "Data loaded at"),
    "home.no_data": (
        "Kho dữ liệu chưa có dữ liệu. Chạy `ioc generate` hoặc kết nối nguồn dữ liệu.",
        "The warehouse holds no data yet. Run `ioc generate` or connect a source.",
    ),
    "home.records": ("bản ghi", "records"),
    "home.entities": ("thực thể", "entities"),
    "home.refresh": ("Tự động cập nhật mỗi phút", "Refreshes every minute"),
    "catalog.title": ("Từ điển dữ liệu", "Data dictionary"),
    "catalog.subtitle": (
        "Mô tả các cơ sở dữ liệu theo Quyết định 708/QĐ-BNV: thực thể, trường, kiểu, "
        "danh mục mã và mức độ nhạy cảm theo Nghị định 13/2023/NĐ-CP",
        "The databases of Decision 708/QĐ-BNV: entities, fields, types, code lists and "
        "sensitivity under Decree 13/2023/NĐ-CP",
    ),
    "catalog.field": ("Trường", "Field"),
    "catalog.label": ("Tên", "Label"),
    "catalog.type": ("Kiểu", "Type"),
    "catalog.required": ("Bắt buộc", "Required"),
    "catalog.sensitivity": ("Mức độ nhạy cảm", "Sensitivity"),
    "catalog.codelist": ("Danh mục", "Code list"),
    "catalog.key": ("Khóa", "Key"),
    "catalog.codelists": ("Danh mục mã dùng chung", "Code lists"),
    "catalog.json": ("Tải dạng JSON", "Download as JSON"),
    "catalog.codes": ("mã", "codes"),
    "catalog.source": ("Nguồn", "Source"),
    "sensitivity.public": ("Công khai", "Public"),
    "sensitivity.internal": ("Nội bộ", "Internal"),
    "sensitivity.personal": ("Dữ liệu cá nhân cơ bản", "Basic personal data"),
    "sensitivity.sensitive": ("Dữ liệu cá nhân nhạy cảm", "Sensitive personal data"),
    "units.title": ("Đơn vị hành chính", "Administrative units"),
    "units.subtitle": (
        "34 tỉnh, thành phố và 3.321 đơn vị hành chính cấp xã từ ngày 01/7/2025 (mã Tổng cục "
        "Thống kê)",
        "34 provinces and 3,321 commune-level units from 1 July 2025 (statistics office codes)",
    ),
    "units.convert": ("Chuyển đổi mã trước năm 2025", "Convert a pre-2025 code"),
    "units.convert_hint": (
        "Nhập mã tỉnh (2 chữ số) hoặc mã xã (5 chữ số) cũ để xem đơn vị hiện nay.",
        "Enter a former province (2 digits) or commune (5 digits) code to see today's unit.",
    ),
    "units.level": ("Cấp", "Level"),
    "units.province": ("Tỉnh", "Province"),
    "units.commune": ("Xã", "Commune"),
    "units.code": ("Mã", "Code"),
    "units.name": ("Tên", "Name"),
    "units.communes": ("Số ĐVHC cấp xã", "Communes"),
    "units.type": ("Loại", "Type"),
    "units.legacy": ("Đơn vị cũ", "Former unit"),
    "units.current": ("Đơn vị hiện nay", "Current unit"),
    "units.split": (
        "Đơn vị cũ đã được chia cho nhiều đơn vị mới: cần người xác định bản ghi thuộc đơn vị nào.",
        "The former unit was split between several new units: a person must decide which one a "
        "record belongs to.",
    ),
    "units.go": ("Chuyển đổi", "Convert"),
    "nav.sources": ("Nguồn dữ liệu", "Sources"),
    "nav.quarantine": ("Dữ liệu bị loại", "Quarantine"),
    "sources.title": ("Giám sát kết nối nguồn dữ liệu", "Connection monitor"),
    "sources.subtitle": (
        "Tình trạng kết nối, đồng bộ và chia sẻ dữ liệu của từng cơ sở dữ liệu chuyên ngành "
        "với IOC",
        "How each sector database connects, syncs and shares its data with the IOC",
    ),
    "sources.add": ("Thêm nguồn dữ liệu", "Add a source"),
    "sources.add_hint": (
        "Đăng ký một nguồn, gắn bảng của nguồn với một thực thể trong từ điển dữ liệu, rồi "
        "xác nhận ánh xạ trước lần đồng bộ đầu tiên.",
        "Register a source, bind its table to an entity of the data dictionary, then confirm "
        "the mapping before the first sync.",
    ),
    "sources.source": ("Nguồn", "Source"),
    "sources.owner": ("Đơn vị quản lý", "Owner unit"),
    "sources.owner_hint": (
        "Mã đơn vị, ví dụ BNV.BTGCP hoặc SNV.15; để trống: đơn vị của bạn",
        "Unit code, e.g. BNV.BTGCP or SNV.15; empty: your unit",
    ),
    "sources.health": ("Trạng thái", "Health"),
    "sources.last_success": ("Đồng bộ thành công gần nhất", "Last success"),
    "sources.freshness": ("Độ cập nhật", "Freshness"),
    "sources.fresh": ("Đúng hạn", "On time"),
    "sources.late": ("Quá hạn", "Late"),
    "sources.no_interval": ("Chưa thỏa thuận", "No agreed interval"),
    "sources.interval": ("hạn {n} phút", "due every {n} min"),
    "sources.minutes_ago": ("{n} phút trước", "{n} min ago"),
    "sources.rows": ("Bản ghi", "Rows"),
    "sources.quarantined": ("Bị loại chờ xử lý", "Quarantined"),
    "sources.durations": ("Thời gian chạy", "Run times"),
    "sources.last_run": ("Lần chạy gần nhất", "Last run"),
    "sources.never": ("Chưa đồng bộ lần nào", "Never synced"),
    "sources.none": (
        "Chưa có nguồn dữ liệu nào trong phạm vi của bạn.",
        "No source in your scope yet.",
    ),
    "sources.events": ("Sự kiện gần đây", "Recent events"),
    "sources.no_events": ("Chưa có sự kiện.", "No events yet."),
    "sources.kind": ("Loại nguồn", "Kind"),
    "sources.name": ("Tên ngắn", "Short name"),
    "sources.name_hint": (
        "Chữ thường không dấu, số và dấu gạch ngang",
        "Lowercase letters, digits and hyphens",
    ),
    "sources.label": ("Tên hiển thị", "Label"),
    "sources.mode": ("Cách đồng bộ", "Sync mode"),
    "sources.schedule": ("Lịch đồng bộ (phút)", "Schedule (minutes)"),
    "sources.freshness_interval": (
        "Hạn cập nhật đã thỏa thuận (phút)",
        "Agreed interval (minutes)",
    ),
    "sources.password": ("Mật khẩu", "Password"),
    "sources.table": ("Bảng", "Table"),
    "sources.query": ("Hoặc câu truy vấn SELECT", "Or a SELECT query"),
    "sources.cursor": ("Cột con trỏ (đồng bộ tăng dần)", "Cursor column (incremental)"),
    "sources.folder": ("Thư mục theo dõi", "Watched folder"),
    "sources.folder_hint": (
        "Để trống nếu chỉ tải tệp lên qua giao diện",
        "Leave empty to upload files through the page only",
    ),
    "sources.pattern": ("Mẫu tên tệp", "File name pattern"),
    "sources.sheet": ("Trang tính", "Sheet"),
    "sources.base_url": ("Địa chỉ gốc của API", "API base URL"),
    "sources.path": ("Đường dẫn dịch vụ", "Endpoint path"),
    "sources.records_path": ("Vị trí danh sách bản ghi", "Records path"),
    "sources.paging": ("Phân trang", "Paging"),
    "sources.token": ("Mã truy cập (Bearer)", "Access token (Bearer)"),
    "sources.topics": ("Chủ đề (topic)", "Topics"),
    "sources.device_from": ("Mã thiết bị lấy từ", "Device id from"),
    "sources.kind_from": ("Loại thiết bị lấy từ", "Device kind from"),
    "sources.place_from": ("Mã tỉnh/xã nơi đặt thiết bị lấy từ", "Province or commune code from"),
    "sources.binding": ("Gắn với thực thể", "Bind to an entity"),
    "sources.binding_name": ("Tên bảng gắn", "Binding"),
    "sources.entity": ("Thực thể", "Entity"),
    "sources.create": ("Tạo nguồn", "Create the source"),
    "sources.test": ("Kiểm tra kết nối", "Test the connection"),
    "sources.test_ok": ("Kết nối được.", "Connected."),
    "sources.test_failed": ("Không kết nối được:", "Cannot connect:"),
    "sources.sync_now": ("Đồng bộ ngay", "Sync now"),
    "sources.key_once": (
        "Khóa API của nguồn đẩy dữ liệu, chỉ hiện một lần: hãy lưu lại và trao cho hệ thống gửi.",
        "The push source's API key, shown once: keep it and give it to the sending system.",
    ),
    "sources.every": ("mỗi {n} phút", "every {n} min"),
    "sources.on_demand": ("Khi có yêu cầu", "On demand"),
    "sources.settings": ("Cấu hình", "Settings"),
    "sources.credentials": ("Thông tin xác thực", "Credentials"),
    "sources.hidden": ("được mã hóa, không hiển thị", "encrypted, never shown"),
    "sources.push_endpoint": ("Điểm nhận dữ liệu", "Push endpoint"),
    "sources.push_hint": (
        "Gửi JSON, JSON lines hoặc CSV có dòng tiêu đề, kèm khóa trong tiêu đề X-API-Key.",
        "Send JSON, JSON lines or CSV with a header, with the key in the X-API-Key header.",
    ),
    "sources.upload": ("Tải tệp lên", "Upload a file"),
    "sources.upload_button": ("Tải lên", "Upload"),
    "sources.bindings": ("Bảng được gắn", "Bound tables"),
    "sources.selector": ("Chọn từ nguồn", "Selection"),
    "sources.mapping": ("Ánh xạ", "Mapping"),
    "sources.confirmed": ("Đã xác nhận", "Confirmed"),
    "sources.unconfirmed": ("Chưa xác nhận", "Not confirmed"),
    "sources.edit_mapping": ("Xem, sửa ánh xạ", "Review the mapping"),
    "sources.no_bindings": ("Chưa gắn bảng nào.", "No table bound yet."),
    "sources.runs": ("Lịch sử đồng bộ", "Run history"),
    "sources.seconds": ("Giây", "Seconds"),
    "sources.edit": ("Sửa cấu hình", "Edit the settings"),
    "sources.new_password": ("Mật khẩu mới (để trống: giữ nguyên)", "New password (empty: keep)"),
    "sources.new_token": ("Mã truy cập mới (để trống: giữ nguyên)", "New token (empty: keep)"),
    "sources.enabled": ("Đang hoạt động", "Enabled"),
    "sources.save": ("Lưu", "Save"),
    "sources.add_binding": ("Gắn thêm một bảng", "Bind another table"),
    "sources.bind": ("Gắn và xem ánh xạ", "Bind and review the mapping"),
    "flash.saved": ("Đã lưu cấu hình.", "Settings saved."),
    "health.new": ("Mới", "New"),
    "health.ok": ("Bình thường", "OK"),
    "health.partial": ("Lỗi một phần", "Partly failed"),
    "health.failing": ("Lỗi tạm thời", "Failing"),
    "health.failed": ("Lỗi, cần xử lý", "Failed"),
    "health.stale": ("Quá hạn cập nhật", "Stale"),
    "health.disabled": ("Tạm dừng", "Disabled"),
    "health.running": ("Đang đồng bộ", "Syncing"),
    "kind.sql": ("Cơ sở dữ liệu SQL", "SQL database"),
    "kind.file": ("Tệp CSV, Excel, Parquet", "CSV, Excel, Parquet files"),
    "kind.rest": ("API REST/JSON", "REST/JSON API"),
    "kind.push": ("Hệ thống gửi đến (push)", "Push endpoint"),
    "kind.mqtt": ("Thiết bị IoT (MQTT)", "IoT devices (MQTT)"),
    "mode.upsert": ("Cập nhật theo khóa", "Upsert by key"),
    "mode.snapshot": ("Toàn bộ, phát hiện bản ghi bị xóa", "Snapshot, deletions detected"),
    "mode.incremental": ("Tăng dần theo cột con trỏ", "Incremental by cursor"),
    "run.running": ("Đang chạy", "Running"),
    "run.succeeded": ("Thành công", "Succeeded"),
    "run.partial": ("Một phần", "Partial"),
    "run.failed": ("Thất bại", "Failed"),
    "run.interrupted": ("Bị gián đoạn", "Interrupted"),
    "run.read": ("đọc", "read"),
    "run.loaded": ("nạp", "loaded"),
    "run.quarantined": ("bị loại", "quarantined"),
    "run.deleted": ("xóa", "deleted"),
    "run.started": ("Bắt đầu", "Started"),
    "run.trigger": ("Khởi động", "Trigger"),
    "run.state": ("Kết quả", "Outcome"),
    "run.notes": ("Ghi chú", "Notes"),
    "run.attempts": ("{n} lần thử", "{n} attempts"),
    "run.unmapped": ("Cột chưa ánh xạ", "Unmapped columns"),
    "conversion.label": ("số giá trị ghi bằng tên được đổi sang mã", "labels turned into codes"),
    "conversion.legacy_code": (
        "số mã trước 01/7/2025 được quy đổi sang đơn vị hiện nay",
        "pre-2025 codes converted to current units",
    ),
    "conversion.province_name": (
        "số tên tỉnh được đổi sang mã", "province names turned into codes"
    ),
    "trigger.schedule": ("Theo lịch", "Schedule"),
    "trigger.manual": ("Yêu cầu", "Requested"),
    "trigger.replay": ("Nạp lại", "Replay"),
    "trigger.stream": ("Luồng thiết bị", "Device stream"),
    "trigger.cli": ("Dòng lệnh", "Command line"),
    "severity.critical": ("Khẩn cấp", "Critical"),
    "severity.major": ("Nghiêm trọng", "Major"),
    "severity.minor": ("Nhẹ", "Minor"),
    "severity.warning": ("Cảnh báo", "Warning"),
    "severity.info": ("Thông tin", "Info"),
    "event.source.failed": ("Nguồn dữ liệu lỗi", "Source failed"),
    "event.source.stale": ("Nguồn dữ liệu quá hạn", "Source stale"),
    "event.source.recovered": ("Nguồn dữ liệu hoạt động lại", "Source recovered"),
    "event.device": ("Thiết bị báo", "Device report"),
    "flash.sync": (
        "Đã yêu cầu đồng bộ; kết quả hiện trong lịch sử sau ít giây.",
        "Sync requested; it shows in the history within seconds.",
    ),
    "flash.uploaded": (
        "Đã nhận tệp; lần đồng bộ tới sẽ nạp tệp này.",
        "File received; the next sync loads it.",
    ),
    "flash.mapped": ("Đã xác nhận ánh xạ.", "Mapping confirmed."),
    "flash.edited": ("Đã lưu giá trị sửa; hãy nạp lại.", "Correction saved; replay it."),
    "flash.translated": (
        "Đã thêm quy đổi mã vào ánh xạ; hãy nạp lại các dòng.",
        "Translation added to the mapping; replay the rows.",
    ),
    "mapping.title": ("Ánh xạ cột", "Column mapping"),
    "mapping.hint": (
        "Mỗi trường của thực thể lấy từ một cột của nguồn, hoặc một giá trị chung cho mọi dòng.",
        "Each field of the entity comes from a column of the source, or one value for all rows.",
    ),
    "mapping.proposed": (
        "Ánh xạ dưới đây do IOC đề xuất từ tên cột; hãy xem lại và xác nhận.",
        "The mapping below is proposed from the headers; review and confirm it.",
    ),
    "mapping.column": ("Cột của nguồn", "Source column"),
    "mapping.value": ("Giá trị chung", "Fixed value"),
    "mapping.empty": ("Khi ô trống", "When empty"),
    "mapping.codes": ("Quy đổi mã", "Code translations"),
    "mapping.required": ("bắt buộc", "required"),
    "mapping.missing": ("không còn trong nguồn", "no longer in the source"),
    "mapping.score": ("độ khớp", "match"),
    "mapping.number_format": ("Cách viết số", "Number notation"),
    "mapping.numbers.auto": ("Tự nhận biết", "Detect"),
    "mapping.numbers.vi": ("1.234.567,5 (Việt Nam)", "1.234.567,5 (Vietnamese)"),
    "mapping.numbers.en": ("1,234,567.5", "1,234,567.5"),
    "mapping.admin_codes": ("Mã đơn vị hành chính", "Administrative codes"),
    "mapping.admin.current": ("Mã sau 01/7/2025", "Codes after 1 July 2025"),
    "mapping.admin.legacy": ("Mã trước 01/7/2025, tự quy đổi", "Pre-2025 codes, converted"),
    "mapping.confirm": ("Xác nhận ánh xạ", "Confirm the mapping"),
    "quarantine.title": ("Dữ liệu bị loại", "Quarantine"),
    "quarantine.subtitle": (
        "Các dòng không qua kiểm tra, kèm vị trí trong nguồn và lý do; sửa, quy đổi mã rồi nạp "
        "lại, không dòng nào bị mất.",
        "Rows that failed the checks, with their place in the source and the reason; correct, "
        "translate and replay them: no row is lost.",
    ),
    "quarantine.all_sources": ("Mọi nguồn", "All sources"),
    "quarantine.status": ("Tình trạng", "Status"),
    "quarantine.all": ("Tất cả", "All"),
    "quarantine.search": ("Tìm", "Search"),
    "quarantine.filter": ("Lọc", "Filter"),
    "quarantine.entries": ("{n} dòng", "{n} entries"),
    "quarantine.where": ("Nguồn, vị trí, khóa", "Source, position, key"),
    "quarantine.reason": ("Lý do", "Reason"),
    "quarantine.none": ("Không có dòng nào.", "No entries."),
    "quarantine.replay_source": ("Nạp lại cho nguồn", "Replay for source"),
    "quarantine.replay": ("Nạp lại", "Replay"),
    "quarantine.replay_hint": (
        "Các dòng đã chọn, hoặc mọi dòng chờ xử lý của nguồn nếu không chọn dòng nào.",
        "The ticked entries, or every pending entry of the source if none is ticked.",
    ),
    "quarantine.dismiss_reason": ("Lý do bỏ qua", "Reason to dismiss"),
    "quarantine.dismiss_example": ("dòng tổng cộng của biểu mẫu", "a totals line of the form"),
    "quarantine.dismiss": ("Bỏ qua các dòng đã chọn", "Dismiss the ticked entries"),
    "quarantine.entry": ("Dòng", "Entry"),
    "quarantine.run": ("lần chạy", "run"),
    "quarantine.reasons": ("Lý do", "Reasons"),
    "quarantine.values": ("Giá trị", "Values"),
    "quarantine.values_source": ("theo cột của nguồn", "as the source's columns"),
    "quarantine.values_mapped": ("theo trường của thực thể", "as the entity's fields"),
    "quarantine.values_message": ("tin nhắn của thiết bị", "the device's message"),
    "quarantine.save": ("Lưu giá trị sửa", "Save the correction"),
    "quarantine.edited_by": ("Đã sửa bởi", "Corrected by"),
    "quarantine.translate": ("Quy đổi giá trị sang mã", "Translate a value to a code"),
    "quarantine.translate_hint": (
        "Giá trị riêng của nguồn (ví dụ 'Hòa Hảo') được quy đổi sang mã danh mục cho mọi lần "
        "đồng bộ sau.",
        "A value of the source's own (e.g. 'Hòa Hảo') is translated to a catalog code for every "
        "sync from now on.",
    ),
    "quarantine.source_value": ("Giá trị của nguồn", "Source value"),
    "quarantine.code": ("Mã danh mục", "Catalog code"),
    "quarantine.add_translation": ("Thêm quy đổi", "Add the translation"),
    "quarantine.pick": ("Chọn một dòng để xem chi tiết.", "Pick an entry to see it."),
    "quarantine.replayed_msg": (
        "Đã nạp lại {read} dòng: {loaded} dòng vào kho, {still} dòng vẫn bị loại.",
        "Replayed {read} entries: {loaded} loaded, {still} still rejected.",
    ),
    "quarantine.dismissed_msg": ("Đã bỏ qua {n} dòng.", "Dismissed {n} entries."),
    "qstatus.pending": ("Chờ xử lý", "Pending"),
    "qstatus.replayed": ("Đã nạp lại", "Replayed"),
    "qstatus.dismissed": ("Đã bỏ qua", "Dismissed"),
    "qstatus.superseded": ("Đã có bản mới", "Superseded"),
    "error.title": ("Đã xảy ra lỗi", "Something went wrong"),
    "error.back": ("Về trang tổng quan", "Back to the overview"),
    "common.yes": ("Có", "Yes"),
    "common.no": ("Không", "No"),
    "common.language": ("Ngôn ngữ", "Language"),
}

for _group in (
    console_messages,
    wall_messages,
    alerts_messages,
    incidents_messages,
    processes_messages,
    plans_messages,
    directives_messages,
    notifications_messages,
    accounts_messages,
    ledger_messages,
    trust_messages,
):
    _clash = set(MESSAGES) & set(_group)
    if _clash:
        raise RuntimeError(f"message keys defined twice: {sorted(_clash)}")
    MESSAGES.update(_group)


def t(key: str, lang: str) -> str:
    vi, en = MESSAGES[key]
    return en if lang == "en" else vi


def request_language(request: Request, default: str = "vi") -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    remembered = request.cookies.get(LANG_COOKIE)
    if remembered in LANGUAGES:
        return remembered
    return default


def format_number(value: float | int | None, lang: str, decimals: int = 0) -> str:
    """Vietnamese groups thousands with '.' and uses ',' for decimals; English the reverse."""
    if value is None:
        return "–"
    text = f"{value:,.{decimals}f}"
    if lang == "vi":
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text
