"""Messages of the ledger pages (record history, verification): key → (Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "ledger.record.title": ("Lịch sử hồ sơ trong sổ cái", "Record history in the ledger"),
    "ledger.record.subtitle": (
        "Mỗi lần tạo, thay đổi, điều chuyển hay xóa hồ sơ đều được ghi vào sổ cái chỉ ghi thêm; "
        "trình duyệt của bạn tự kiểm tra từng phiên bản. Sổ cái không chứa dữ liệu cá nhân, "
        "chỉ chứa mã băm nội dung của hồ sơ.",
        "Every creation, change, transfer or deletion of the record is written to an "
        "append-only ledger; your browser checks each version itself. The ledger holds no "
        "personal data, only a hash of the record's content.",
    ),
    "ledger.versions": ("Các phiên bản", "Versions"),
    "ledger.version": ("Phiên bản", "Version"),
    "ledger.op": ("Thao tác", "Operation"),
    "ledger.op.create": ("Tạo mới", "Created"),
    "ledger.op.change": ("Thay đổi", "Changed"),
    "ledger.op.transfer": ("Điều chuyển", "Transferred"),
    "ledger.op.delete": ("Xóa", "Deleted"),
    "ledger.fields": ("Trường thay đổi", "Fields changed"),
    "ledger.fields_none": ("Không liệt kê", "Not listed"),
    "ledger.protected_fields": (
        "{n} trường dữ liệu cá nhân",
        "{n} personal data fields",
    ),
    "ledger.protected_why": (
        "Sổ cái không ghi tên trường dữ liệu cá nhân đã thay đổi, vì tên trường cũng nói lên "
        "điều về người đó (Nghị định 13/2023/NĐ-CP)",
        "The ledger does not name the personal data fields that changed, since the name "
        "alone says something of the person (Decree 13/2023/ND-CP)",
    ),
    "ledger.fields_unknown": (
        "Không rõ (bổ sung khi đối soát với kho dữ liệu)",
        "Unknown (added when reconciled with the warehouse)",
    ),
    "ledger.at": ("Thời điểm ghi", "Written at"),
    "ledger.entry": ("Mục số", "Entry"),
    "ledger.content": ("Mã băm nội dung", "Content hash"),
    "ledger.origin": ("Nguồn ghi", "Origin"),
    "ledger.origin.sync": ("Đồng bộ", "Sync"),
    "ledger.origin.replay": ("Nạp lại dữ liệu bị loại", "Quarantine replay"),
    "ledger.origin.generate": ("Dữ liệu sinh mẫu", "Generated data"),
    "ledger.origin.reconcile": ("Bổ sung khi đối soát", "Added by reconciliation"),
    "ledger.head": ("Đầu cây đã ký", "Signed tree head"),
    "ledger.head_none": (
        "Chưa có đầu cây nào được ký: các phiên bản chưa thể được chứng minh.",
        "No head is signed yet: the versions cannot be proven yet.",
    ),
    "ledger.tree_size": ("Số mục trong sổ", "Entries in the log"),
    "ledger.signed_at": ("Ký lúc", "Signed at"),
    "ledger.root": ("Gốc cây", "Root"),
    "ledger.key_id": ("Mã khóa của sổ cái", "Ledger key id"),
    "ledger.witnesses": ("Nhân chứng đã ký xác nhận", "Witnesses who cosigned"),
    "ledger.no_witness": ("Chưa có nhân chứng nào ký xác nhận.", "No witness has cosigned yet."),
    "ledger.download": (
        "Tải gói bằng chứng (kiểm tra bằng lệnh ioc ledger check-proof)",
        "Download the proof bundle (check it with ioc ledger check-proof)",
    ),
    "ledger.check.checking": ("Đang kiểm tra trong trình duyệt…", "Checking in your browser…"),
    "ledger.check.verified": ("Đã xác minh", "Verified"),
    "ledger.check.verified_detail": (
        "Trình duyệt đã tính lại mã băm của từng phiên bản, đường dẫn tới gốc cây và chữ ký của "
        "đầu cây bằng khóa công khai của sổ cái.",
        "Your browser recomputed each version's hash, its path to the root and the head's "
        "signature under the ledger's public key.",
    ),
    "ledger.check.partial": (
        "Đã xác minh mã băm, chưa kiểm tra chữ ký",
        "Hashes verified, signature not checked",
    ),
    "ledger.check.partial_detail": (
        "Trình duyệt này không hỗ trợ Ed25519 trong WebCrypto nên chưa kiểm tra được chữ ký của "
        "đầu cây; hãy tải gói bằng chứng và kiểm tra bằng lệnh ioc ledger check-proof.",
        "This browser does not support Ed25519 in WebCrypto, so the head's signature was not "
        "checked; download the proof bundle and check it with ioc ledger check-proof.",
    ),
    "ledger.check.failed": ("Không xác minh được", "Verification failed"),
    "ledger.check.unavailable": (
        "Không kiểm tra được trong trình duyệt",
        "Cannot check in this browser",
    ),
    "ledger.check.unavailable_detail": (
        "Trình duyệt chỉ cho dùng WebCrypto trên kết nối an toàn (HTTPS); hãy tải gói bằng chứng "
        "và kiểm tra bằng lệnh ioc ledger check-proof.",
        "The browser offers WebCrypto over secure connections (HTTPS) only; download the proof "
        "bundle and check it with ioc ledger check-proof.",
    ),
    "ledger.check.pending": (
        "Ghi sau đầu cây mới nhất: sẽ chứng minh được khi đầu cây kế tiếp được ký.",
        "Written after the latest head: provable once the next head is signed.",
    ),
    "ledger.check.entry_ok": ("đã xác minh", "verified"),
    "ledger.check.entry_bad": ("không khớp", "does not verify"),
    "ledger.fail.leaf": (
        "Mục {idx}: dữ liệu không cho ra mã băm lá đã nêu.",
        "Entry {idx}: its data does not give the stated leaf hash.",
    ),
    "ledger.fail.path": (
        "Mục {idx}: đường dẫn không dẫn tới gốc của đầu cây.",
        "Entry {idx}: its path does not lead to the head's root.",
    ),
    "ledger.fail.signature": (
        "Chữ ký của đầu cây không hợp lệ với khóa công khai của sổ cái.",
        "The head's signature does not verify under the ledger's public key.",
    ),
    "ledger.fail.key": (
        "Đầu cây được ký bằng một khóa khác với khóa công khai đã công bố.",
        "The head names a key other than the published public key.",
    ),
}
