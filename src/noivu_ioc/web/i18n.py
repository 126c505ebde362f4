"""Vietnamese by default, English on request (``?lang=en``, remembered in a cookie).

Messages live in one table so that a test can prove every key has both languages."""

from __future__ import annotations

from starlette.requests import Request

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
    "error.title": ("Đã xảy ra lỗi", "Something went wrong"),
    "error.back": ("Về trang tổng quan", "Back to the overview"),
    "common.yes": ("Có", "Yes"),
    "common.no": ("Không", "No"),
    "common.language": ("Ngôn ngữ", "Language"),
}


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
