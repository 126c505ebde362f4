"""Passwords: the policy a new password must meet, and hashing with Argon2id (argon2-cffi,
RFC 9106 parameters by default).

The policy follows NIST SP 800-63B: length, not composition. A password has 12 to 256
characters of any kind (spaces and Vietnamese letters included) and must not be easy to
guess: zxcvbn estimates the guesses an attacker needs, knowing the person's username and
name and the system's own words, and a short list of passwords common in Viet Nam (which
zxcvbn's English-centred dictionaries miss) is refused outright.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from zxcvbn import zxcvbn  # type: ignore[import-untyped]

from noivu_ioc.errors import InvalidInputError

MIN_LENGTH = 12
MAX_LENGTH = 256
# zxcvbn's score 3: about 10^8 guesses or more ("safely unguessable" for an online attack
# that the lock-out slows to a handful of tries per quarter hour).
MIN_SCORE = 3
# zxcvbn's time grows with the length; past this many characters a phrase is long enough.
_ESTIMATE_CHARS = 100

# Words an attacker tries first against this system.
SYSTEM_WORDS = (
    "noivu",
    "bonoivu",
    "ioc",
    "moha",
    "bnv",
    "snv",
    "sonoivu",
    "demo",
    "trungtam",
    "dieuhanh",
    "thongminh",
    "vanhanh",
    "quantri",
)

# Passwords and password words common in Viet Nam, written without diacritics, spaces or
# punctuation (how they are compared). Made for this project from what is publicly known
# about Vietnamese password habits: love phrases, family words, places, keyboard runs.
COMMON_VIETNAMESE = frozenset(
    {
        "matkhau",
        "matkhaumoi",
        "matkhaucuatoi",
        "doimatkhau",
        "anhyeuem",
        "emyeuanh",
        "yeuem",
        "yeuanh",
        "anhyeu",
        "emyeu",
        "yeuemnhieu",
        "yeuanhnhieu",
        "anhnhoem",
        "emnhoanh",
        "tinhyeu",
        "tinhyeucuatoi",
        "hanhphuc",
        "giadinh",
        "conyeume",
        "meyeucon",
        "bame",
        "chame",
        "yeume",
        "yeuba",
        "muonnam",
        "vuive",
        "xinchao",
        "chaoban",
        "vietnam",
        "vietnamvodich",
        "toiyeuvietnam",
        "hanoi",
        "saigon",
        "hochiminh",
        "danang",
        "haiphong",
        "cantho",
        "quantri",
        "quantrivien",
        "admin",
        "administrator",
        "password",
        "passw0rd",
        "iloveyou",
        "123456a",
        "123456aa",
        "a123456",
        "123456789a",
        "abc123",
        "abc123456",
        "qwerty",
        "qwertyuiop",
        "asdfgh",
        "asdfghjkl",
        "zxcvbnm",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "000000",
        "111111",
        "123123",
        "123456",
        "12345678",
        "123456789",
        "1234567890",
        "147258369",
        "987654321",
        "conga",
        "concho",
        "conmeo",
        "khongbiet",
        "khongcomatkhau",
        "nguyen",
        "nguyenvan",
        "nguyenthi",
        "tranvan",
        "levan",
        "phamvan",
        "canbo",
        "congchuc",
        "vienchuc",
        "thanhtra",
        "ubnd",
        "hdnd",
        "coquan",
        "donvi",
        "phongban",
        "caiquan",
        "zalo",
        "facebook",
        "google",
        "gmail",
    }
)

_hasher = PasswordHasher()

# Verified when a username is unknown, so that a wrong username costs the same time as a
# wrong password and cannot be told apart by timing.
_DUMMY_HASH = _hasher.hash("no user has this password")


def _plain(text: str) -> str:
    """Lower case without diacritics: "Mật Khẩu" -> "mat khau"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _words_of(values: Iterable[str | None]) -> list[str]:
    words: list[str] = []
    for value in values:
        if not value:
            continue
        plain = _plain(value)
        words.append(re.sub(r"[^a-z0-9]", "", plain))
        words.extend(w for w in re.split(r"[^a-z0-9]+", plain) if w)
    return [w for w in dict.fromkeys(words) if len(w) >= 3]


def _made_of(core: str, words: frozenset[str]) -> bool:
    """Whether ``core`` is nothing but known words one after another (a word break)."""
    if not core:
        return False
    reachable = [True] + [False] * len(core)
    for end in range(1, len(core) + 1):
        reachable[end] = any(reachable[start] and core[start:end] in words for start in range(end))
    return reachable[-1]


def check_strength(
    password: str, *, username: str | None = None, full_name: str | None = None
) -> None:
    """Refuse a password that is too short, too long or easy to guess, saying why and what
    would do."""
    length = len(password)
    if length < MIN_LENGTH:
        raise InvalidInputError(
            f"the password has {length} characters; use at least {MIN_LENGTH} (a phrase of "
            "three or four unrelated words is long enough and easy to remember)",
            vi=f"mật khẩu có {length} ký tự; hãy dùng ít nhất {MIN_LENGTH} (một cụm ba, bốn "
            "từ không liên quan đến nhau là đủ dài và dễ nhớ)",
        )
    if length > MAX_LENGTH:
        raise InvalidInputError(
            f"the password has {length} characters; use at most {MAX_LENGTH}",
            vi=f"mật khẩu có {length} ký tự; hãy dùng nhiều nhất {MAX_LENGTH}",
        )
    personal = _words_of([username, full_name])
    known = frozenset(COMMON_VIETNAMESE | set(SYSTEM_WORDS) | set(personal))
    plain = _plain(password)
    squeezed = re.sub(r"[^a-z0-9]", "", plain)
    letters = re.sub(r"[^a-z]", "", plain)
    if squeezed in known or _made_of(letters, known):
        raise InvalidInputError(
            "the password is a common password, or only common words, the system's name or "
            "your own name with digits and signs; choose a phrase of unrelated words that "
            "others would not guess",
            vi="mật khẩu là một mật khẩu phổ biến, hoặc chỉ gồm những từ thông dụng, tên hệ "
            "thống hay tên của chính bạn thêm chữ số và ký hiệu; hãy chọn một cụm từ không liên "
            "quan đến nhau mà người khác khó đoán",
        )
    inputs = [*SYSTEM_WORDS, *personal, *sorted(COMMON_VIETNAMESE)]
    estimate = zxcvbn(password[:_ESTIMATE_CHARS], user_inputs=inputs)
    if estimate["score"] < MIN_SCORE:
        feedback = estimate.get("feedback") or {}
        reason = feedback.get("warning") or "it follows a pattern that is tried early"
        advice = " ".join(feedback.get("suggestions") or []) or (
            "Add another word or two; uncommon words are better."
        )
        raise InvalidInputError(
            f"the password is too easy to guess: {reason.rstrip('.')}. {advice}",
            vi="mật khẩu quá dễ đoán: nó theo một kiểu mà người dò mật khẩu thử sớm (từ, ngày "
            "tháng, dãy phím hay chuỗi lặp lại). Hãy thêm một, hai từ nữa; từ ít gặp thì tốt hơn.",
        )


def hash_password(password: str) -> str:
    """The Argon2id hash of a password; the policy is checked by ``check_strength`` where a
    password is chosen, not here (a rehash at login keeps an older password)."""
    if not password or len(password) > MAX_LENGTH:
        raise InvalidInputError(f"a password has 1 to {MAX_LENGTH} characters; got {len(password)}")
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)
