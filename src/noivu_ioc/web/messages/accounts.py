"""Messages of the account pages (sign-in, second factor, sessions, password): key →
(Vietnamese, English)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "login.oidc": ("Đăng nhập bằng tài khoản {label}", "Log in with your {label} account"),
    "login.or": ("hoặc", "or"),
    "login.oidc_failed": (
        "Không đăng nhập được qua nhà cung cấp định danh, hoặc tài khoản đó chưa gắn với một "
        "tài khoản IOC đang hoạt động. Hãy thử lại hoặc liên hệ quản trị viên.",
        "Signing in through the identity provider did not succeed, or that account is not "
        "linked to an active IOC account. Try again, or ask an administrator.",
    ),
    "login.paused_hint": (
        "Sau nhiều lần nhập sai, việc đăng nhập tạm dừng trong ít phút.",
        "After several failed attempts, logging in pauses for a few minutes.",
    ),
    "acct.totp_title": ("Xác thực hai lớp", "Two-step verification"),
    "acct.totp_hint": (
        "Nhập mã 6 chữ số đang hiển thị trong ứng dụng xác thực trên điện thoại của bạn.",
        "Enter the 6-digit code shown by the authenticator app on your phone.",
    ),
    "acct.code": ("Mã xác thực", "Code"),
    "acct.verify": ("Xác nhận", "Verify"),
    "acct.cancel_login": ("Hủy và đăng xuất", "Cancel and log out"),
    "acct.enrol_title": ("Bật xác thực hai lớp", "Turn on two-step verification"),
    "acct.enrol_required": (
        "Tài khoản quản trị phải bật xác thực hai lớp trước khi làm bất cứ việc gì khác.",
        "An administrator account must turn on two-step verification before anything else.",
    ),
    "acct.enrol_step1": (
        "1. Mở ứng dụng xác thực (Google Authenticator, Microsoft Authenticator, FreeOTP…) "
        "và quét mã QR này.",
        "1. Open an authenticator app (Google Authenticator, Microsoft Authenticator, "
        "FreeOTP…) and scan this QR code.",
    ),
    "acct.enrol_secret": (
        "Không quét được? Nhập khóa bí mật này vào ứng dụng:",
        "Cannot scan it? Type this secret key into the app:",
    ),
    "acct.enrol_step2": (
        "2. Nhập mã 6 chữ số ứng dụng hiển thị để xác nhận.",
        "2. Type the 6-digit code the app shows to confirm.",
    ),
    "acct.enrolled": (
        "Xác thực hai lớp đang bật. Khi đổi điện thoại, hãy đề nghị quản trị viên đặt lại.",
        "Two-step verification is on. To move it to another phone, ask an administrator to "
        "reset it.",
    ),
    "acct.title": ("Tài khoản của tôi", "My account"),
    "acct.sessions": ("Các phiên đăng nhập", "Sessions"),
    "acct.sessions_hint": (
        "Phiên không còn dùng hoặc lạ, hãy kết thúc ngay.",
        "End any session you no longer use or do not recognise.",
    ),
    "acct.session_started": ("Bắt đầu", "Started"),
    "acct.session_seen": ("Hoạt động gần nhất", "Last active"),
    "acct.session_expires": ("Hết hạn", "Expires"),
    "acct.session_client": ("Địa chỉ", "Address"),
    "acct.session_agent": ("Trình duyệt", "Browser"),
    "acct.session_method": ("Cách đăng nhập", "Method"),
    "acct.method.password": ("Mật khẩu", "Password"),
    "acct.method.oidc": ("Nhà cung cấp định danh", "Identity provider"),
    "acct.this_session": ("Phiên này", "This session"),
    "acct.revoke": ("Kết thúc", "End"),
    "acct.password_title": ("Đổi mật khẩu", "Change password"),
    "acct.password_hint": (
        "Ít nhất 12 ký tự; một cụm vài từ không liên quan vừa dễ nhớ vừa khó đoán. Đổi xong, "
        "các phiên đăng nhập khác của bạn sẽ kết thúc.",
        "At least 12 characters; a phrase of a few unrelated words is easy to remember and "
        "hard to guess. Your other sessions end once it is changed.",
    ),
    "acct.current_password": ("Mật khẩu hiện tại", "Current password"),
    "acct.new_password": ("Mật khẩu mới", "New password"),
    "acct.repeat_password": ("Nhập lại mật khẩu mới", "New password again"),
    "acct.change": ("Đổi mật khẩu", "Change password"),
    "acct.password_changed_at": ("Mật khẩu đổi lần cuối", "Password last changed"),
    "acct.totp_on": ("Đang bật", "On"),
    "acct.totp_off": ("Chưa bật", "Off"),
    "acct.totp_enable": ("Bật xác thực hai lớp", "Turn on two-step verification"),
    "acct.msg.password": (
        "Đã đổi mật khẩu; các phiên đăng nhập khác đã kết thúc.",
        "Password changed; your other sessions have ended.",
    ),
    "acct.msg.revoked": ("Đã kết thúc phiên đăng nhập.", "Session ended."),
    "acct.msg.totp": ("Đã bật xác thực hai lớp.", "Two-step verification is on."),
    "acct.msg.totp_reset": (
        "Đã đặt lại xác thực hai lớp; các phiên của người dùng đã kết thúc.",
        "Second factor reset; the user's sessions have ended.",
    ),
    "acct.msg.unlocked": ("Đã mở khóa đăng nhập.", "Login unlocked."),
    "acct.admin_title": ("Phiên đăng nhập và xác thực hai lớp", "Sessions and second factors"),
    "acct.admin_link": ("Quản lý phiên đăng nhập của mọi người", "Manage everyone's sessions"),
    "acct.user": ("Người dùng", "User"),
    "acct.filter": ("Lọc", "Filter"),
    "acct.people": ("Người dùng", "Users"),
    "acct.second_factor": ("Xác thực hai lớp", "Second factor"),
    "acct.reset_totp": ("Đặt lại", "Reset"),
    "acct.unlock": ("Mở khóa đăng nhập", "Unlock login"),
    "acct.none": ("Không có phiên đăng nhập nào.", "No sessions."),
    "acct.disabled": ("đã vô hiệu hóa", "disabled"),
    "acct.error": ("Không thực hiện được", "Could not do it"),
}
