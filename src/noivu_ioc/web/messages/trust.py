"""Messages of the access-rules, records and audit pages: key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "nav.records": ("Hồ sơ dữ liệu", "Records"),
    "nav.sharing": ("Chia sẻ dữ liệu", "Data sharing"),
    "nav.audit": ("Nhật ký truy cập", "Audit trail"),
    "records.title": ("Hồ sơ dữ liệu chuyên ngành", "Sector records"),
    "records.subtitle": (
        "Bản ghi trong phạm vi bạn phụ trách. Dữ liệu cá nhân và dữ liệu cá nhân nhạy cảm "
        "(Nghị định 13/2023/NĐ-CP) chỉ hiển thị khi có thỏa thuận chia sẻ dữ liệu còn hiệu "
        "lực; mọi lần xem chúng đều được ghi nhật ký.",
        "Records within the units you answer for. Personal and sensitive personal data "
        "(Decree 13/2023/NĐ-CP) show only under a data-sharing agreement in force; every "
        "read of them is audited.",
    ),
    "records.dataset": ("Tập dữ liệu", "Dataset"),
    "records.sector": ("Cơ sở dữ liệu", "Database"),
    "records.readable": ("Trường được xem", "Fields in clear"),
    "records.masked": ("Trường bị che", "Masked fields"),
    "records.agreements": ("Theo thỏa thuận", "Under agreements"),
    "records.count": ("{n} bản ghi trong phạm vi của bạn", "{n} records in your scope"),
    "records.masked_note": (
        "{n} trường bị che vì chưa có thỏa thuận chia sẻ dữ liệu",
        "{n} fields masked: no data-sharing agreement covers them",
    ),
    "records.needs_agreement": (
        "Cần thỏa thuận chia sẻ dữ liệu để xem trường này",
        "A data-sharing agreement is needed to read this field",
    ),
    "records.masked_value": ("đã che", "masked"),
    "records.export": ("Xuất CSV", "Export CSV"),
    "records.search": ("Tìm trong các trường được xem", "Search the fields in clear"),
    "records.province": ("Mã tỉnh", "Province code"),
    "records.filter": ("Lọc", "Filter"),
    "records.none": ("Không có bản ghi nào.", "No records."),
    "records.next": ("Trang tiếp theo →", "Next page →"),
    "records.history": (
        "Lịch sử hồ sơ và xác minh trên sổ cái",
        "Record history, verified on the ledger",
    ),
    "sharing.title": ("Thỏa thuận chia sẻ dữ liệu", "Data-sharing agreements"),
    "sharing.subtitle": (
        "Ai (vai trò, đơn vị) được xem những trường nào của tập dữ liệu, vì mục đích gì, đến "
        "khi nào. Không có thỏa thuận thì dữ liệu cá nhân bị che. Thay đổi có hiệu lực ngay.",
        "Who (a role, a unit) may read which fields of a dataset, for what purpose, until "
        "when. Without an agreement personal data is masked. Changes apply at once.",
    ),
    "sharing.name": ("Mã thỏa thuận", "Name"),
    "sharing.dataset": ("Tập dữ liệu", "Dataset"),
    "sharing.fields": ("Các trường", "Fields"),
    "sharing.fields_hint": (
        "Tên trường, cách nhau bởi dấu phẩy; * là tất cả",
        "Field names separated by commas; * for all",
    ),
    "sharing.role": ("Vai trò được chia sẻ", "Grantee role"),
    "sharing.unit": ("Đơn vị được chia sẻ", "Grantee unit"),
    "sharing.any": ("(bất kỳ)", "(any)"),
    "sharing.purpose": ("Mục đích sử dụng", "Purpose"),
    "sharing.valid_from": ("Hiệu lực từ", "Valid from"),
    "sharing.valid_until": ("Hiệu lực đến", "Valid until"),
    "sharing.state": ("Trạng thái", "State"),
    "sharing.active": ("Đang hiệu lực", "In force"),
    "sharing.pending": ("Chưa đến hạn", "Not yet in force"),
    "sharing.expired": ("Đã hết hạn", "Expired"),
    "sharing.revoked": ("Đã thu hồi", "Revoked"),
    "sharing.create": ("Tạo thỏa thuận", "Create the agreement"),
    "sharing.revoke": ("Thu hồi", "Revoke"),
    "sharing.none": ("Chưa có thỏa thuận nào.", "No agreements yet."),
    "sharing.new": ("Thỏa thuận mới", "New agreement"),
    "audit.title": ("Nhật ký truy cập và thao tác", "Audit trail"),
    "audit.subtitle": (
        "Đăng nhập, truy cập bị từ chối, xem dữ liệu cá nhân, xuất dữ liệu và mọi thay đổi; "
        "chỉ được ghi thêm, và được niêm phong trên sổ cái để phát hiện sửa, xóa.",
        "Logins, refusals, reads of personal data, exports and every change; append-only, "
        "and sealed in the ledger so that an edit or a deletion shows.",
    ),
    "audit.at": ("Thời điểm", "When"),
    "audit.user": ("Người dùng", "User"),
    "audit.action": ("Thao tác", "Action"),
    "audit.target": ("Đối tượng", "Target"),
    "audit.outcome": ("Kết quả", "Outcome"),
    "audit.client": ("Địa chỉ", "From"),
    "audit.detail": ("Chi tiết", "Detail"),
    "audit.sealed": ("Niêm phong", "Sealed"),
    "audit.since": ("Từ ngày", "From"),
    "audit.until": ("Đến ngày", "Until"),
    "audit.search": ("Tìm", "Search"),
    "audit.filter": ("Lọc", "Filter"),
    "audit.export": ("Xuất CSV", "Export CSV"),
    "audit.any": ("Tất cả", "All"),
    "audit.count": ("{n} mục", "{n} entries"),
    "audit.none": ("Không có mục nào phù hợp.", "No matching entries."),
    "audit.next": ("Trang tiếp theo →", "Next page →"),
}
