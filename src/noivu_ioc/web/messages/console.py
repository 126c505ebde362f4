"""The indicator console (library, drill-down, new indicator) and the leader's phone."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.indicators": ("Chỉ tiêu", "Indicators"),
    "nav.mobile": ("Điện thoại", "Phone"),
    # the library
    "ind.title": ("Thư viện chỉ tiêu", "Indicator library"),
    "ind.subtitle": (
        "Các chỉ tiêu tính từ chín cơ sở dữ liệu chuyên ngành và CSDL quốc gia về CBCCVC, "
        "trong phạm vi của bạn. Chọn một chỉ tiêu để xem chi tiết và phân tổ xuống cấp dưới.",
        "Indicators computed from the nine sector databases and the national personnel "
        "database, within your scope. Pick one to see it in detail and drill down.",
    ),
    "ind.place": ("Địa bàn", "Place"),
    "ind.show": ("Hiển thị", "Show"),
    "ind.new": ("Thêm chỉ tiêu", "New indicator"),
    "ind.count": ("{n} chỉ tiêu", "{n} indicators"),
    "ind.domains": ("Lĩnh vực", "Domains"),
    "ind.none": (
        "Chưa có chỉ tiêu nào trong thư viện.",
        "The library holds no indicator yet.",
    ),
    "ind.no_data": ("Không có số liệu", "No data"),
    "ind.target": ("Mục tiêu", "Target"),
    "ind.period": ("Kỳ số liệu", "Period"),
    "ind.year": ("Năm {y}", "Year {y}"),
    "ind.current": ("Số liệu hiện tại", "Current figures"),
    "ind.previous": ("Kỳ trước", "Previous period"),
    "ind.vs": ("so với {y}", "vs {y}"),
    "ind.no_previous": ("Chưa có kỳ trước để so sánh", "No previous period to compare"),
    "ind.no_change": ("Không đổi", "No change"),
    "ind.pp": ("điểm %", "pp"),
    "ind.open": ("Xem chi tiết", "Open"),
    "status.green": ("Đạt", "On track"),
    "status.amber": ("Cần chú ý", "Watch"),
    "status.red": ("Chưa đạt", "Off track"),
    "status.none": ("Không đánh giá", "Not rated"),
    # the drill-down
    "ind.back": ("Thư viện chỉ tiêu", "Indicator library"),
    "ind.reading": ("Giá trị", "Reading"),
    "ind.about": ("Thông tin chỉ tiêu", "About the indicator"),
    "ind.domain": ("Lĩnh vực", "Domain"),
    "ind.owner": ("Đơn vị chủ trì", "Owner"),
    "ind.unit": ("Đơn vị tính", "Unit"),
    "ind.entities": ("Dữ liệu nguồn", "Source data"),
    "ind.thresholds": ("Ngưỡng đánh giá", "Thresholds"),
    "ind.thresholds_text": (
        "xanh từ {g}, vàng từ {a} ({d})",
        "green from {g}, amber from {a} ({d})",
    ),
    "ind.higher": ("cao hơn là tốt hơn", "higher is better"),
    "ind.lower": ("thấp hơn là tốt hơn", "lower is better"),
    "ind.no_thresholds": ("Chưa đặt ngưỡng", "No thresholds set"),
    "ind.origin": ("Nguồn định nghĩa", "Defined by"),
    "ind.library": ("Thư viện chuẩn", "Standard library"),
    "ind.analyst": ("Chuyên viên {u}", "Analyst {u}"),
    "ind.id": ("Mã chỉ tiêu", "Indicator id"),
    "ind.latest": ("Mới nhất", "Latest"),
    "ind.choose_period": ("Chọn kỳ", "Choose the period"),
    "ind.cut": ("Phân tổ", "Breakdown"),
    "ind.cut_by": ("Phân tổ theo", "Break down by"),
    "ind.rank": ("Hạng", "Rank"),
    "ind.name": ("Tên", "Name"),
    "ind.value": ("Giá trị", "Value"),
    "ind.withheld": ("ẩn", "withheld"),
    "ind.status": ("Đánh giá", "Status"),
    "ind.no_cut": (
        "Không có phân tổ chi tiết hơn ở cấp này.",
        "No finer breakdown at this level.",
    ),
    "ind.cut_empty": ("Không có số liệu để phân tổ.", "No figures to break down."),
    "ind.drill_hint": (
        "Chọn tên một địa bàn để xem cấp dưới.",
        "Pick a place's name to drill down.",
    ),
    "ind.top_n": ("{n} dòng đầu trong {total}", "top {n} of {total}"),
    "ind.trend": ("Diễn biến theo năm", "Trend by year"),
    "ind.no_trend": (
        "Chỉ tiêu này không theo kỳ: chỉ có số liệu hiện tại.",
        "This indicator has no periods: only the current figure.",
    ),
    "by.province": ("Tỉnh, thành phố", "Province"),
    "by.commune": ("Xã, phường, đặc khu", "Commune"),
    "by.agency": ("Cơ quan, đơn vị", "Agency"),
    # a new indicator
    "new.title": ("Thêm chỉ tiêu", "New indicator"),
    "new.subtitle": (
        "Viết định nghĩa chỉ tiêu dưới dạng TOML, kiểm tra để xem giá trị tính được, rồi lưu: "
        "chỉ tiêu dùng được ngay trên bảng điều hành, màn hình lớn và điện thoại.",
        "Write the definition in TOML, check it to see the computed value, then save it: the "
        "indicator is usable at once on the console, the wall and the phone.",
    ),
    "new.definition": ("Định nghĩa (TOML)", "Definition (TOML)"),
    "new.check": ("Kiểm tra", "Check"),
    "new.save": ("Lưu", "Save"),
    "new.working": ("Đang xử lý…", "Working…"),
    "new.valid": ("Định nghĩa hợp lệ.", "The definition is valid."),
    "new.value_at": ("Giá trị tại {place}:", "Value at {place}:"),
    "new.refused": ("Máy chủ không chấp nhận định nghĩa:", "The server refused the definition:"),
    "new.saved": ("Đã lưu chỉ tiêu; đang mở trang của chỉ tiêu…", "Saved; opening its page…"),
    "new.help": ("Hướng dẫn", "Help"),
    "new.format": ("Các khóa của định nghĩa", "Keys of a definition"),
    "new.key": ("Khóa", "Key"),
    "new.meaning": ("Ý nghĩa", "Meaning"),
    "new.required": ("bắt buộc", "required"),
    "new.k.id": (
        "Mã duy nhất dạng lĩnh_vực.tên, chữ thường không dấu, "
        "ví dụ local_government.women_officials",
        "Unique id domain.name in lower case, e.g. local_government.women_officials",
    ),
    "new.k.names": ("Tên tiếng Việt và tiếng Anh", "Vietnamese and English names"),
    "new.k.descriptions": (
        "Mô tả tiếng Việt và tiếng Anh (không bắt buộc)",
        "Vietnamese and English descriptions (optional)",
    ),
    "new.k.domain": (
        "Lĩnh vực: mã một cơ sở dữ liệu trong bảng dưới",
        "Domain: a database id below",
    ),
    "new.k.unit": ("Đơn vị tính: một mã trong bảng dưới", "Unit: one of the ids below"),
    "new.k.formula": (
        "Phép tính trên các đại lượng (measures), ví dụ 100 * nu / tong",
        "Arithmetic over the measures, e.g. 100 * women / total",
    ),
    "new.k.measures": (
        "Mỗi đại lượng [measures.tên]: entity (thực thể), value (hàm gộp SQL như count(*), "
        "sum(truong)), where (điều kiện lọc SQL), period (biểu thức cho năm, ví dụ year hoặc "
        "year(decision_date))",
        "Each measure [measures.name]: entity, value (an SQL aggregate such as count(*), "
        "sum(field)), where (an SQL filter), period (the year expression, e.g. year or "
        "year(decision_date))",
    ),
    "new.k.single": (
        "Chỉ một đại lượng: có thể ghi entity, value, where ở cấp trên cùng, không cần formula",
        "One measure only: entity, value and where may be given at the top, without formula",
    ),
    "new.k.dimensions": (
        "Các trường mã có thể phân tổ thêm (ngoài tỉnh, xã)",
        "Code fields it can also be broken down by (besides province and commune)",
    ),
    "new.k.target": (
        "Mục tiêu, hướng tốt (higher hoặc lower) và ngưỡng { green = ..., amber = ... }",
        "Target, better direction (higher or lower) and thresholds { green = ..., amber = ... }",
    ),
    "new.k.owner": ("Đơn vị chủ trì, số chữ số thập phân", "Owning unit, decimals shown"),
    "new.entities": ("Thực thể và trường", "Entities and fields"),
    "new.entities_hint": (
        "Tên trường dùng trong value, where và dimensions; trường mã so sánh với mã của danh mục.",
        "Field names for value, where and dimensions; code fields compare with their code "
        "list's codes.",
    ),
    "new.loading": ("Đang tải từ điển dữ liệu…", "Loading the data dictionary…"),
    "new.filter": ("Lọc thực thể hoặc trường", "Filter entities or fields"),
    "new.units": ("Đơn vị tính", "Units"),
    "new.domains": ("Lĩnh vực (domain)", "Domains"),
    "new.codes": ("Mã", "Codes"),
    # the phone
    "mobile.title": ("IOC Bộ Nội vụ", "IOC MoHA"),
    "mobile.headline": ("Chỉ tiêu chính", "Headline figures"),
    "mobile.decisions": ("Cần quyết định", "Needs a decision"),
    "mobile.no_decisions": (
        "Không có việc cần quyết định.",
        "Nothing needs a decision.",
    ),
    "mobile.alerts": ("Cảnh báo mới nhất", "Latest alerts"),
    "mobile.no_alerts": ("Chưa có cảnh báo.", "No alerts yet."),
    "mobile.loading": ("Đang tải số liệu…", "Loading the figures…"),
    "mobile.offline": (
        "Ngoại tuyến: đang hiện số liệu lưu lúc {t}.",
        "Offline: showing the figures saved at {t}.",
    ),
    "mobile.offline_none": (
        "Ngoại tuyến và chưa có số liệu lưu trên máy.",
        "Offline, and no figures saved on this device.",
    ),
    "mobile.updated": ("Cập nhật {t}", "Updated {t}"),
    "mobile.live": ("Trực tiếp", "Live"),
    "mobile.console": ("Mở bảng điều hành", "Open the console"),
    "mobile.kind.indicator": ("Chỉ tiêu chưa đạt", "Indicator off track"),
    "mobile.kind.alert": ("Cảnh báo", "Alert"),
}
