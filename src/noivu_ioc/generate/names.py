"""Vietnamese full names and village names, drawn column-wise.

A name is four parts joined without separators, each part carrying its own spaces:
a prefix (usually the surname), a middle name, a given name and a suffix (the clan name
that Ê-đê names end with). Each naming tradition, for each sex, is one ``_Pattern``
that weights the values of every part. All patterns' values live in four Arrow arrays;
a row only draws four indices into them, so millions of names cost a few ``take``
calls and one join, never a Python loop over rows.

Frequencies are approximate: Kinh surnames follow published estimates (Nguyễn about
38 %, Trần 11 %, Lê 9.5 %), the rest is plausible rather than measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

__all__ = ["VILLAGE_KINDS", "full_names", "full_names_arrow", "village_names"]


@dataclass(frozen=True, slots=True)
class _Parts:
    values: tuple[str, ...]
    weights: tuple[float, ...]


def _w(*pairs: tuple[str, float]) -> _Parts:
    """Explicitly weighted values."""
    return _Parts(tuple(v for v, _ in pairs), tuple(w for _, w in pairs))


def _ranked(names: str, end: str = "", exponent: float = 0.9) -> _Parts:
    """Comma-separated values, most frequent first, with Zipf-like weights."""
    values = tuple(v.strip() + end for v in names.split(","))
    return _Parts(values, tuple(1.0 / (rank + 4) ** exponent for rank in range(len(values))))


def _mix(*parts: tuple[_Parts, float]) -> _Parts:
    """Pool several part lists, each receiving the given share of the draws."""
    values: list[str] = []
    weights: list[float] = []
    for p, share in parts:
        total = sum(p.weights)
        values.extend(p.values)
        weights.extend(share * w / total for w in p.weights)
    return _Parts(tuple(values), tuple(weights))


def _joint(first: _Parts, second: _Parts) -> _Parts:
    """Every pair of values, for parts that must be drawn together (a Kinh middle name
    only before a Kinh given name)."""
    pairs = [
        (a + b, wa * wb)
        for a, wa in zip(first.values, first.weights, strict=True)
        for b, wb in zip(second.values, second.weights, strict=True)
    ]
    return _w(*pairs)


_NONE = _w(("", 1.0))


@dataclass(frozen=True, slots=True)
class _Pattern:
    prefix: _Parts
    middle: _Parts
    given: _Parts
    suffix: _Parts = _NONE


# --- Kinh -----------------------------------------------------------------------------

# Common estimates of the most frequent surnames (Hoàng and Huỳnh, Vũ and Võ are the
# northern and southern forms of one name); the rest share what these leave.
_KINH_SURNAMES_TOP = _w(
    ("Nguyễn ", 0.380),
    ("Trần ", 0.110),
    ("Lê ", 0.095),
    ("Phạm ", 0.070),
    ("Hoàng ", 0.031),
    ("Huỳnh ", 0.020),
    ("Phan ", 0.045),
    ("Vũ ", 0.022),
    ("Võ ", 0.017),
    ("Đặng ", 0.021),
    ("Bùi ", 0.020),
    ("Đỗ ", 0.014),
    ("Hồ ", 0.013),
    ("Ngô ", 0.013),
    ("Dương ", 0.010),
    ("Lý ", 0.005),
)
_KINH_SURNAMES_TAIL = _ranked(
    "Đinh, Đoàn, Trương, Mai, Trịnh, Đào, Lâm, Cao, Lương, Hà, Tạ, Lưu, Tô, Châu, Phùng, "
    "Kiều, Quách, Thái, Chu, Tăng, Từ, Triệu, Giang, Văn, Thân, Khúc, Nghiêm, La, Âu, Khổng, "
    "Bạch, Ông, Vương, Mạc, Đàm, Lã, Hứa, Diệp, Kim, Quan, Hàn, Ninh, Đồng, Tống, Doãn, Lại, "
    "Hầu, Thạch, Trang, Lục",
    end=" ",
    exponent=0.7,
)
_TOP_SHARE = sum(_KINH_SURNAMES_TOP.weights)
_KINH_SURNAMES = _mix((_KINH_SURNAMES_TOP, _TOP_SHARE), (_KINH_SURNAMES_TAIL, 1 - _TOP_SHARE))

_KINH_MIDDLE_MALE = _w(
    ("Văn ", 0.30),
    ("Minh ", 0.08),
    ("Đức ", 0.07),
    ("Quang ", 0.06),
    ("Hữu ", 0.05),
    ("Công ", 0.04),
    ("Quốc ", 0.04),
    ("Đình ", 0.04),
    ("Thanh ", 0.04),
    ("Xuân ", 0.03),
    ("Ngọc ", 0.03),
    ("Trọng ", 0.03),
    ("Thế ", 0.03),
    ("Hoàng ", 0.03),
    ("Duy ", 0.03),
    ("Anh ", 0.02),
    ("Tuấn ", 0.02),
    ("Mạnh ", 0.02),
    ("Tiến ", 0.02),
    ("Gia ", 0.02),
    ("Việt ", 0.02),
    ("Bá ", 0.015),
    ("Chí ", 0.015),
    ("Trung ", 0.015),
    ("Thành ", 0.015),
    ("Khắc ", 0.01),
    ("Hải ", 0.01),
    ("Nhật ", 0.01),
    ("Phú ", 0.01),
    ("Hoàng Minh ", 0.005),
    ("Minh Đức ", 0.005),
    ("Đức Minh ", 0.005),
)

_KINH_MIDDLE_FEMALE = _w(
    ("Thị ", 0.42),
    ("Ngọc ", 0.05),
    ("Thu ", 0.05),
    ("Thanh ", 0.05),
    ("Kim ", 0.03),
    ("Thùy ", 0.03),
    ("Phương ", 0.03),
    ("Minh ", 0.03),
    ("Hồng ", 0.03),
    ("Mai ", 0.02),
    ("Bích ", 0.02),
    ("Quỳnh ", 0.02),
    ("Bảo ", 0.015),
    ("Khánh ", 0.015),
    ("Hoài ", 0.01),
    ("Diệu ", 0.01),
    ("Hải ", 0.01),
    ("Lan ", 0.01),
    ("Thị Thu ", 0.03),
    ("Thị Ngọc ", 0.03),
    ("Thị Thanh ", 0.03),
    ("Thị Minh ", 0.02),
    ("Thị Hồng ", 0.02),
    ("Thị Kim ", 0.02),
    ("Thị Thùy ", 0.015),
    ("Thị Bích ", 0.01),
    ("Thị Phương ", 0.01),
    ("Thị Mai ", 0.01),
    ("Thị Lan ", 0.005),
    ("Thị Hải ", 0.005),
)

_KINH_GIVEN_MALE = _ranked(
    "Anh, Hùng, Dũng, Tuấn, Minh, Hải, Nam, Long, Thắng, Sơn, Đức, Hiếu, Huy, Cường, "
    "Trung, Quang, Thành, Phong, Hoàng, Tùng, Bình, Khánh, Việt, Hưng, Tiến, Toàn, Quân, "
    "Vinh, Lâm, Phúc, Tâm, Trường, Thịnh, Tài, Duy, Kiên, Đạt, Nghĩa, Thái, Hòa, Phương, "
    "Công, Chiến, Thanh, Tú, Lợi, Hậu, Khoa, Bảo, Lộc, Mạnh, Hà, Giang, Quý, Thuận, Hiệp, "
    "Luân, Sang, Tân, Thiện, Nhân, Phát, Trí, Định, Hào, Khải, Khang, Khôi, Nguyên, Nhật, "
    "Phú, Quốc, Quyết, Tín, Thông, Thọ, Trọng, Vũ, Vương, Vĩnh, Xuân, Đông, Đăng, Điệp, "
    "Hiển, Kha, Lực, Ninh, Tường, Triều, Chính, Dương, Hoan, Khiêm, Sỹ, Thạch, Toản, Cảnh, "
    "Tuyên, Hợp"
)

_KINH_GIVEN_FEMALE = _ranked(
    "Linh, Trang, Hương, Lan, Hà, Hằng, Thảo, Huyền, Ngọc, Phương, Hoa, Nhung, Mai, Anh, "
    "Thủy, Hạnh, Dung, Yến, Nga, Thu, Hiền, Vân, Loan, Quỳnh, Liên, Oanh, Thúy, Hồng, "
    "Giang, Tâm, Nhi, Vy, Ánh, Châu, Chi, Diệp, Diệu, Duyên, Hậu, Hòa, Huệ, Hường, Khánh, "
    "Lệ, Liễu, Ly, My, Mỹ, Ngân, Nguyệt, Nhàn, Như, Phượng, Quyên, Sen, Tuyết, Thanh, Thơ, "
    "Thư, Thương, Trâm, Trinh, Uyên, Xuân, Bích, Cúc, Đào, Hân, Kiều, Lam, Lụa, Mận, Ngà, "
    "Quế, Tươi, Thắm, Thoa, Thùy, Trà, Tú, Vi, Diễm, An, Bình, Lài, Lành, Minh, Nương, "
    "Hoài, Khuê, Miên, Nhạn, Thêu, Tiên"
)

_KINH_MALE = _Pattern(_KINH_SURNAMES, _KINH_MIDDLE_MALE, _KINH_GIVEN_MALE)
_KINH_FEMALE = _Pattern(_KINH_SURNAMES, _KINH_MIDDLE_FEMALE, _KINH_GIVEN_FEMALE)

# Most minority names follow the Kinh model with their own surnames and a stronger
# preference for Văn and Thị as middle names.
_VAN = _mix(
    (_w(("Văn ", 1.0)), 0.8),
    (_w(("Đức ", 0.3), ("Minh ", 0.3), ("Quang ", 0.2), ("Thanh ", 0.2)), 0.2),
)
_THI = _mix(
    (_w(("Thị ", 1.0)), 0.85),
    (_w(("Thu ", 0.3), ("Thanh ", 0.3), ("Ngọc ", 0.2), ("Hồng ", 0.2)), 0.15),
)

# --- Northern minorities --------------------------------------------------------------

_TAY_NUNG_SURNAMES = _w(
    ("Hoàng ", 0.20),
    ("Nông ", 0.14),
    ("Lương ", 0.07),
    ("Nguyễn ", 0.07),
    ("Hà ", 0.06),
    ("Lục ", 0.05),
    ("Triệu ", 0.05),
    ("Ma ", 0.05),
    ("Bế ", 0.05),
    ("Lộc ", 0.04),
    ("Đàm ", 0.04),
    ("Vi ", 0.03),
    ("Lăng ", 0.03),
    ("La ", 0.03),
    ("Mông ", 0.02),
    ("Chu ", 0.02),
    ("Hứa ", 0.02),
    ("Dương ", 0.02),
    ("Lâm ", 0.02),
    ("Sầm ", 0.01),
)

_THAI_SURNAMES = _w(
    ("Lò ", 0.16),
    ("Hà ", 0.10),
    ("Lường ", 0.10),
    ("Cầm ", 0.09),
    ("Quàng ", 0.07),
    ("Vi ", 0.07),
    ("Lê ", 0.05),
    ("Điêu ", 0.05),
    ("Tòng ", 0.05),
    ("Lù ", 0.04),
    ("Lương ", 0.04),
    ("Mè ", 0.03),
    ("Bạc ", 0.03),
    ("Sa ", 0.03),
    ("Lang ", 0.02),
    ("Lữ ", 0.02),
    ("Kha ", 0.02),
    ("Lộc ", 0.02),
)
_THAI_GIVEN_MALE = _mix(
    (_KINH_GIVEN_MALE, 0.85),
    (_ranked("Xiêng, Khăm, Phăn, Panh, Chăn, Ún, Inh, Pỏm"), 0.15),
)
_THAI_GIVEN_FEMALE = _mix(
    (_KINH_GIVEN_FEMALE, 0.85),
    (_ranked("Ính, Ón, Pọm, Xuân, Piêng, Ín, Bun, Ọn"), 0.15),
)

_MUONG_SURNAMES = _w(
    ("Bùi ", 0.30),
    ("Đinh ", 0.20),
    ("Quách ", 0.10),
    ("Hà ", 0.10),
    ("Nguyễn ", 0.08),
    ("Xa ", 0.05),
    ("Phạm ", 0.05),
    ("Cao ", 0.04),
    ("Hoàng ", 0.03),
    ("Lê ", 0.03),
    ("Trương ", 0.02),
)

_HMONG_SURNAMES = _w(
    ("Giàng ", 0.17),
    ("Vàng ", 0.15),
    ("Sùng ", 0.12),
    ("Thào ", 0.12),
    ("Lý ", 0.10),
    ("Hờ ", 0.06),
    ("Mùa ", 0.06),
    ("Lầu ", 0.05),
    ("Hạng ", 0.05),
    ("Tráng ", 0.03),
    ("Vừ ", 0.03),
    ("Chang ", 0.02),
    ("Cứ ", 0.02),
    ("Hoàng ", 0.02),
)
_HMONG_MALE = _Pattern(
    _HMONG_SURNAMES,
    _w(("A ", 0.5), ("Seo ", 0.2), ("Văn ", 0.2), ("Mí ", 0.05), ("", 0.05)),
    _mix(
        (
            _ranked(
                "Páo, Chứ, Lử, Dế, Sử, Tủa, Dình, Phừ, Lồng, Chía, Sình, Tráng, Pó, Vừ, Cở, "
                "Chính, Nhà, Sáng, Súa, Thề, Xà, Chồ, Chá, Giống, Mua"
            ),
            0.8,
        ),
        (_KINH_GIVEN_MALE, 0.2),
    ),
)
_HMONG_FEMALE = _Pattern(
    _HMONG_SURNAMES,
    _w(("Thị ", 0.85), ("", 0.15)),
    _mix(
        (
            _ranked(
                "Mai, Dua, Dở, Sua, Chi, Mỷ, Máy, Pằng, Dinh, Súa, Sinh, Do, Lan, Xúa, Chá, "
                "Ký, Dế, Lìa, Dung, Cở, Say, Dợ"
            ),
            0.8,
        ),
        (_KINH_GIVEN_FEMALE, 0.2),
    ),
)

_DAO_SURNAMES = _w(
    ("Triệu ", 0.20),
    ("Bàn ", 0.20),
    ("Đặng ", 0.15),
    ("Lý ", 0.12),
    ("Chảo ", 0.07),
    ("Phùn ", 0.05),
    ("Tẩn ", 0.05),
    ("Hoàng ", 0.05),
    ("Sần ", 0.03),
    ("Dương ", 0.03),
    ("Chìu ", 0.02),
    ("Lò ", 0.02),
)
_DAO_MALE = _Pattern(
    _DAO_SURNAMES,
    _w(
        ("Văn ", 0.55),
        ("Seo ", 0.10),
        ("Tiến ", 0.08),
        ("Láo ", 0.07),
        ("Tài ", 0.05),
        ("Đức ", 0.05),
        ("", 0.10),
    ),
    _mix(
        (_KINH_GIVEN_MALE, 0.7),
        (_ranked("Sử, Chiêu, Phin, Dào, Liều, Lở, Sành, Vảng, Quáng, Phủ, Chòi, Pao"), 0.3),
    ),
)
_DAO_FEMALE = _Pattern(
    _DAO_SURNAMES,
    _w(("Thị ", 0.75), ("Tả ", 0.07), ("", 0.18)),
    _mix(
        (_KINH_GIVEN_FEMALE, 0.7),
        (_ranked("Mẩy, Mùi, Dín, Nải, Chài, Phấy, Mây, Nhất, Xiêm, Kiều"), 0.3),
    ),
)

# --- Southern groups ------------------------------------------------------------------

_KHMER_SURNAMES_MALE = _w(
    ("Thạch ", 0.25),
    ("Sơn ", 0.18),
    ("Kim ", 0.12),
    ("Danh ", 0.12),
    ("Lâm ", 0.07),
    ("Lý ", 0.06),
    ("Châu ", 0.04),
    ("Chau ", 0.04),
    ("Kiên ", 0.03),
    ("Dương ", 0.03),
    ("Trần ", 0.03),
    ("Huỳnh ", 0.03),
)
# In An Giang, Khmer women's names often open with Néang where men's open with Chau.
_KHMER_SURNAMES_FEMALE = _w(
    ("Thạch ", 0.25),
    ("Sơn ", 0.18),
    ("Kim ", 0.12),
    ("Danh ", 0.12),
    ("Lâm ", 0.07),
    ("Lý ", 0.06),
    ("Châu ", 0.04),
    ("Néang ", 0.04),
    ("Kiên ", 0.03),
    ("Dương ", 0.03),
    ("Trần ", 0.03),
    ("Huỳnh ", 0.03),
)
# Khmer personal names stand alone; a Kinh-style given name comes with a middle name.
_KHMER_MALE = _Pattern(
    _KHMER_SURNAMES_MALE,
    _NONE,
    _mix(
        (
            _ranked(
                "Sóc, Phol, Sa Rinh, Sô Phát, Chanh Đa, Sươl, Thươl, Kha, Sang, Út, Mến, "
                "Nhanh, Hên, Sóc Khăng, Ty, Rươl, Sà Ren, Chanh Na, Sô Kha, Đa Ra"
            ),
            0.6,
        ),
        (_joint(_w(("Văn ", 0.6), ("Minh ", 0.2), ("Hoàng ", 0.2)), _KINH_GIVEN_MALE), 0.4),
    ),
)
_KHMER_FEMALE = _Pattern(
    _KHMER_SURNAMES_FEMALE,
    _w(("Thị ", 0.5), ("", 0.45), ("Ngọc ", 0.05)),
    _mix(
        (
            _ranked(
                "Sa Ry, Sà Phol, Sô Phi, Ni, Sa Rây, Sóc Thi, Chanh Ty, Sà Rết, Bô Pha, "
                "Đa Ni, Sa Vươl, Ly, Na, Ka Ni, Pha Ly, Sóc Chanh, Mây, Sà Luôl"
            ),
            0.6,
        ),
        (_KINH_GIVEN_FEMALE, 0.4),
    ),
)

_CHAM_SURNAMES = _w(
    ("Đàng ", 0.20),
    ("Thập ", 0.12),
    ("Quảng ", 0.10),
    ("Lưu ", 0.08),
    ("Thuận ", 0.08),
    ("Bá ", 0.08),
    ("Hán ", 0.06),
    ("Châu ", 0.06),
    ("Phú ", 0.05),
    ("Trượng ", 0.04),
    ("Thành ", 0.04),
    ("Lộ ", 0.03),
    ("Nguyễn ", 0.03),
    ("Từ ", 0.03),
)
_CHAM_MALE = _Pattern(
    _CHAM_SURNAMES,
    _w(("Văn ", 0.45), ("Năng ", 0.25), ("Minh ", 0.1), ("Đình ", 0.1), ("Bá ", 0.1)),
    _KINH_GIVEN_MALE,
)
_CHAM_FEMALE = _Pattern(
    _CHAM_SURNAMES,
    _w(("Thị ", 0.85), ("Ngọc ", 0.1), ("Thu ", 0.05)),
    _KINH_GIVEN_FEMALE,
)

_HOA_SURNAMES = _w(
    ("Lý ", 0.10),
    ("Lâm ", 0.10),
    ("Trần ", 0.08),
    ("Trương ", 0.08),
    ("Hứa ", 0.05),
    ("Quách ", 0.05),
    ("Mã ", 0.05),
    ("Diệp ", 0.05),
    ("Tạ ", 0.05),
    ("Lưu ", 0.05),
    ("Vương ", 0.05),
    ("Hoàng ", 0.05),
    ("Châu ", 0.04),
    ("Tăng ", 0.04),
    ("Dương ", 0.04),
    ("Huỳnh ", 0.04),
    ("Thái ", 0.03),
    ("La ", 0.03),
    ("Phùng ", 0.03),
    ("Ninh ", 0.02),
    ("Lam ", 0.02),
)

# --- Central Highlands ----------------------------------------------------------------

# Ê-đê: Y (men) or H' (women) before the personal name, the clan name last.
_EDE_CLANS = _w(
    (" Niê", 0.25),
    (" Mlô", 0.10),
    (" Êban", 0.10),
    (" Ayun", 0.08),
    (" Byă", 0.08),
    (" Adrơng", 0.06),
    (" Hđơk", 0.06),
    (" Knul", 0.05),
    (" Ksơr", 0.05),
    (" Mdrang", 0.04),
    (" Bkrông", 0.04),
    (" Kbuôr", 0.03),
    (" Ktla", 0.03),
    (" Ênuôl", 0.03),
    (" Niê Kdăm", 0.02),
)
_EDE_MALE = _Pattern(
    _w(("Y ", 1.0)),
    _NONE,
    _ranked(
        "Bhin, Moan, Ngông, Jut, Thuyên, Blốc, Dhăm, Kông, Hao, Tlam, Wơn, Lim, Nuê, Blik, "
        "Hiu, Krang, Yên, Phun, Kuê, Dhê, Jôn, Suôt, Bih, Ju, Yơn"
    ),
    _EDE_CLANS,
)
_EDE_FEMALE = _Pattern(
    _w(("H'", 1.0)),
    _NONE,
    _ranked(
        "Hen, Bia, Yâm, Wen, Ngơn, Blim, Mai, Duyên, Nga, Ben, Bơ, Zim, Luyện, Linh, Jô, "
        "Lin, Riêm, Diu, Nhi, Ngiêm, Rin, Juin, Dơn, Yuôn"
    ),
    _EDE_CLANS,
)

# Gia-rai: the clan name first; women's personal names often open with H'.
_JARAI_CLANS = _w(
    ("Ksor ", 0.25),
    ("Rơ Chăm ", 0.15),
    ("Siu ", 0.15),
    ("Rơ Mah ", 0.12),
    ("Nay ", 0.10),
    ("Kpă ", 0.08),
    ("Rah Lan ", 0.05),
    ("Puih ", 0.05),
    ("Rơ Lan ", 0.05),
)
_JARAI_MALE = _Pattern(
    _JARAI_CLANS,
    _NONE,
    _ranked(
        "Blơk, Long, Phước, Hyưn, Đoan, Thuyên, Tuân, Hin, Nhơn, Dơk, Phin, Kha, Djuin, "
        "Bloanh, Yuk, Ber, Hiếu, Tiên, Blui, Kôch, Nhuin, Kơ, Thiêng, Hmăn"
    ),
)
_JARAI_FEMALE = _Pattern(
    _JARAI_CLANS,
    _w(("H'", 0.7), ("", 0.3)),
    _ranked(
        "Bông, Ly, Mai, Ngơn, Phong, Blưm, Nhao, Yăk, Lan, Thu, Yơn, Ni, Dung, Byơi, Hiên, "
        "Bơ, Hlinh, Blan, Dơl, Juăn"
    ),
)

# Ba-na, Xơ-đăng, Hrê, Cơ-tu and neighbours: A (men) or Y (women) before the name, or a
# Kinh-style surname such as Đinh or Hồ, or a Cơ-tu lineage name.
_HIGHLAND_MALE = _Pattern(
    _w(
        ("A ", 0.50),
        ("Đinh Văn ", 0.20),
        ("Hồ Văn ", 0.12),
        ("Nguyễn Văn ", 0.05),
        ("Alăng ", 0.04),
        ("Bríu ", 0.03),
        ("Zơrâm ", 0.03),
        ("Clâu ", 0.03),
    ),
    _NONE,
    _mix(
        (
            _ranked(
                "Sang, Pớt, Blúp, Thút, Nhong, Bưn, Phái, Lớ, Rin, Jơh, Thơ, Nhoan, Blung, "
                "Đê, Hlôn, Kring, Pút, Hyun, Tơ, Đăm"
            ),
            0.6,
        ),
        (_KINH_GIVEN_MALE, 0.4),
    ),
)
_HIGHLAND_FEMALE = _Pattern(
    _w(
        ("Y ", 0.45),
        ("Đinh Thị ", 0.22),
        ("Hồ Thị ", 0.13),
        ("Nguyễn Thị ", 0.08),
        ("Alăng Thị ", 0.04),
        ("Bríu Thị ", 0.04),
        ("Zơrâm Thị ", 0.04),
    ),
    _NONE,
    _mix(
        (_ranked("Pơ, Blưm, Nhin, Hlin, Đum, Lơi, Sao, Nhen, Bia, Rin, Hương, Gái"), 0.5),
        (_KINH_GIVEN_FEMALE, 0.5),
    ),
)

# Cơ-ho, Mạ, Mnông, Xtiêng, Chơ-ro: Điểu, Ya or a lineage name for men, Ka or Thị for
# women. Names made of a K' form alone (K'Brơi) are left out: every name keeps two words.
_KOHO_MALE = _Pattern(
    _w(("Điểu ", 0.45), ("Ya ", 0.20), ("Y ", 0.15), ("Bon ", 0.10), ("Kră Jăn ", 0.10)),
    _NONE,
    _mix(
        (
            _ranked(
                "Brơi, Ré, Sớ, Lốc, Brèo, Tun, Krông, Sanh, Bri, Bôn, Brướt, Chớ, Đoan, "
                "Kliêng, Lơng, Ting, Rum"
            ),
            0.7,
        ),
        (_KINH_GIVEN_MALE, 0.3),
    ),
)
_KOHO_FEMALE = _Pattern(
    _w(("Ka ", 0.50), ("Thị ", 0.35), ("Điểu Thị ", 0.15)),
    _NONE,
    _mix(
        (_ranked("Huyền, Ly, Bơ, Nhi, Mai, Thương, Lang, Hòa, Sê, Nhít, Lơn, Tim, Brăh"), 0.6),
        (_KINH_GIVEN_FEMALE, 0.4),
    ),
)

# --- Ethnicity to pattern -------------------------------------------------------------

# (male pattern, female pattern) per naming tradition; the order fixes the draw order.
_TRADITIONS: dict[str, tuple[_Pattern, _Pattern]] = {
    "kinh": (_KINH_MALE, _KINH_FEMALE),
    "hoa": (
        _Pattern(_HOA_SURNAMES, _KINH_MIDDLE_MALE, _KINH_GIVEN_MALE),
        _Pattern(_HOA_SURNAMES, _KINH_MIDDLE_FEMALE, _KINH_GIVEN_FEMALE),
    ),
    "tay_nung": (
        _Pattern(_TAY_NUNG_SURNAMES, _VAN, _KINH_GIVEN_MALE),
        _Pattern(_TAY_NUNG_SURNAMES, _THI, _KINH_GIVEN_FEMALE),
    ),
    "thai": (
        _Pattern(_THAI_SURNAMES, _VAN, _THAI_GIVEN_MALE),
        _Pattern(_THAI_SURNAMES, _THI, _THAI_GIVEN_FEMALE),
    ),
    "muong": (
        _Pattern(_MUONG_SURNAMES, _VAN, _KINH_GIVEN_MALE),
        _Pattern(_MUONG_SURNAMES, _THI, _KINH_GIVEN_FEMALE),
    ),
    "hmong": (_HMONG_MALE, _HMONG_FEMALE),
    "dao": (_DAO_MALE, _DAO_FEMALE),
    "khmer": (_KHMER_MALE, _KHMER_FEMALE),
    "cham": (_CHAM_MALE, _CHAM_FEMALE),
    "ede": (_EDE_MALE, _EDE_FEMALE),
    "jarai": (_JARAI_MALE, _JARAI_FEMALE),
    "highland": (_HIGHLAND_MALE, _HIGHLAND_FEMALE),
    "koho": (_KOHO_MALE, _KOHO_FEMALE),
}

# Ethnicity codes (catalog list ``ethnicity``) by naming tradition; an unknown code gets
# the Kinh tradition.
_ETHNICITY_TRADITION: dict[str, str] = {
    "01": "kinh",
    **dict.fromkeys(("04", "11", "18"), "hoa"),
    **dict.fromkeys(
        ("02", "07", "15", "25", "38", "43", "46", "47", "49", "51"),
        "tay_nung",
    ),
    **dict.fromkeys(
        ("03", "29", "33", "34", "35", "37", "39", "40", "41", "42", "45", "48", "50", "53"),
        "thai",
    ),
    **dict.fromkeys(("06", "24", "44"), "muong"),
    "08": "hmong",
    "09": "dao",
    "05": "khmer",
    "17": "cham",
    "12": "ede",
    **dict.fromkeys(("10", "21", "36"), "jarai"),
    **dict.fromkeys(
        ("13", "14", "19", "23", "26", "27", "30", "31", "52", "54"),
        "highland",
    ),
    **dict.fromkeys(("16", "20", "22", "28", "32"), "koho"),
}


@dataclass(frozen=True, slots=True)
class _Slot:
    """One part of every pattern, pooled: the Arrow values and, per pattern, where its
    values start and the probabilities to draw them with."""

    values: pa.StringArray
    offsets: tuple[int, ...]
    probabilities: tuple[npt.NDArray[np.float64], ...]


def _pool(parts: list[_Parts]) -> _Slot:
    values: list[str] = []
    offsets: list[int] = []
    probabilities: list[npt.NDArray[np.float64]] = []
    for p in parts:
        offsets.append(len(values))
        values.extend(p.values)
        w = np.asarray(p.weights, dtype=np.float64)
        probabilities.append(w / w.sum())
    return _Slot(pa.array(values, type=pa.string()), tuple(offsets), tuple(probabilities))


_PATTERNS: tuple[_Pattern, ...] = tuple(p for pair in _TRADITIONS.values() for p in pair)
_SLOTS: tuple[_Slot, ...] = (
    _pool([p.prefix for p in _PATTERNS]),
    _pool([p.middle for p in _PATTERNS]),
    _pool([p.given for p in _PATTERNS]),
    _pool([p.suffix for p in _PATTERNS]),
)
_TRADITION_INDEX = {name: i for i, name in enumerate(_TRADITIONS)}
_KNOWN_CODES = np.array(sorted(_ETHNICITY_TRADITION))
_KNOWN_TRADITIONS = np.array(
    [_TRADITION_INDEX[_ETHNICITY_TRADITION[c]] for c in _KNOWN_CODES], dtype=np.int64
)


def _tradition_of(ethnicity: npt.NDArray[np.str_]) -> npt.NDArray[np.int64]:
    pos = np.searchsorted(_KNOWN_CODES, ethnicity).clip(0, len(_KNOWN_CODES) - 1)
    known = _KNOWN_CODES[pos] == ethnicity
    return np.where(known, _KNOWN_TRADITIONS[pos], _TRADITION_INDEX["kinh"])


def full_names_arrow(
    rng: np.random.Generator, sex: npt.ArrayLike, ethnicity: npt.ArrayLike
) -> pa.StringArray:
    """Full names with diacritics as an Arrow string array, one per (sex, ethnicity) row.

    ``sex`` holds the codes of the ``sex`` list ("1" male, "2" female), ``ethnicity`` the
    codes of the ``ethnicity`` list. The same generator state gives the same names.
    """
    sex_codes = np.asarray(sex).astype(str)
    eth_codes = np.asarray(ethnicity).astype(str)
    if sex_codes.shape != eth_codes.shape or sex_codes.ndim != 1:
        raise ValueError(
            f"sex and ethnicity must be 1-d and of one length, got shapes "
            f"{sex_codes.shape} and {eth_codes.shape}"
        )
    female = sex_codes == "2"
    bad = ~(female | (sex_codes == "1"))
    if bad.any():
        raise ValueError(
            f"sex code {str(sex_codes[bad][0])!r} at row {int(np.argmax(bad))} is not valid "
            "(expected '1' male or '2' female)"
        )

    pattern = _tradition_of(eth_codes) * 2 + female
    n = len(sex_codes)
    indices = [np.zeros(n, dtype=np.int64) for _ in _SLOTS]
    for p in np.unique(pattern):
        rows = np.flatnonzero(pattern == p)
        for slot, idx in zip(_SLOTS, indices, strict=True):
            probs = slot.probabilities[p]
            idx[rows] = slot.offsets[p] + rng.choice(len(probs), size=len(rows), p=probs)

    parts = [slot.values.take(idx) for slot, idx in zip(_SLOTS, indices, strict=True)]
    return pc.binary_join_element_wise(*parts, "")


def full_names(
    rng: np.random.Generator, sex: npt.ArrayLike, ethnicity: npt.ArrayLike
) -> npt.NDArray[np.object_]:
    """Full names with diacritics as a NumPy array of ``str``; see ``full_names_arrow``."""
    names: npt.NDArray[np.object_] = full_names_arrow(rng, sex, ethnicity).to_numpy(
        zero_copy_only=False
    )
    return names


# --- Villages and residential groups --------------------------------------------------


def _pairs(first: str, second: str) -> tuple[str, ...]:
    a = [s.strip() for s in first.split(",")]
    b = [s.strip() for s in second.split(",")]
    return tuple(f"{x} {y}" for x in a for y in b if x != y)


_KINH_PLACE = _pairs(
    "Đông, Tây, Nam, Bắc, Tân, An, Phú, Thượng, Hạ, Trung, Vĩnh, Hòa, Phước, Long, Bình, "
    "Thanh, Mỹ, Xuân, Đại, Yên, Thái, Quang, Minh, Hưng, Lạc, Phong, Thịnh, Hợp",
    "Hòa, Lập, Phú, Mỹ, Thành, An, Bình, Lợi, Thịnh, Hưng, Xuân, Lộc, Đông, Tiến, Thuận, "
    "Phong, Quý, Khánh, Trung, Sơn, Hải, Thọ, Nghĩa, Thạnh, Tây, Long",
)
_TAI_PLACE = _pairs(
    "Nà, Huổi, Pá, Phiêng, Nậm, Co, Hua, Bó, Khuổi, Lũng, Pắc, Hát",
    "Lừa, Sản, Khoang, Lèng, Ngùa, Khoái, Pe, Mòn, Cại, Tấu, Nọi, Luông, Cang, Hỏm, Púng, "
    "Đứa, Lếch, Pó, Ban, Sáng, Lay, Mo, Tong",
)
_EDE_PLACE = (
    "Ea Sup",
    "Kô Tam",
    "Ako Dhông",
    "Ea Kmát",
    "Ea Bông",
    "Cuôr Đăng",
    "Kmrơng Prông",
    "Ea Tu",
    "Jun",
    "Tơng Jú",
    "Ea Nao",
    "Kô Siêr",
    "Ea Pôk",
    "Ea Kao",
    "Tring",
    "Ky",
)
_HIGHLAND_PLACE = _pairs("Plei, Kon", "Ốp, Bông, Lao, Kép, Klăh, Kli, Dơr, Pông, Klor, Rbàng, Jri")


def _numbers(last: int) -> tuple[str, ...]:
    return tuple(str(k) for k in range(1, last + 1))


# Each kind of village or residential group (codes of the ``village_kind`` list): its label
# and the name bodies that suit it, with their weights. Plains and towns number many of
# theirs ("Thôn 3", "Tổ dân phố 12"); a southern ấp or sóc takes the place names of a
# northern thôn, a bản Tai names, a buôn Ê-đê names and a làng Bahnar-Jarai names.
_VILLAGE_KINDS: dict[str, tuple[str, tuple[tuple[tuple[str, ...], float], ...]]] = {
    "thon": ("Thôn", ((_numbers(25), 0.52), (_KINH_PLACE, 0.48))),
    "ap": ("Ấp", ((_KINH_PLACE, 0.7), (_numbers(25), 0.3))),
    "soc": ("Sóc", ((_KINH_PLACE, 1.0),)),
    "ban": ("Bản", ((_TAI_PLACE, 1.0),)),
    "buon": ("Buôn", ((_EDE_PLACE, 1.0),)),
    "lang": ("Làng", ((_HIGHLAND_PLACE, 1.0),)),
    "to_dan_pho": ("Tổ dân phố", ((_numbers(60), 0.8), (_KINH_PLACE, 0.2))),
    "khu_pho": ("Khu phố", ((_numbers(15), 0.85), (_KINH_PLACE, 0.15))),
}
VILLAGE_KINDS: tuple[str, ...] = tuple(sorted(_VILLAGE_KINDS))


@dataclass(frozen=True, slots=True)
class _VillageTables:
    """Every kind's label and bodies pooled in Arrow arrays, and per kind and source of
    bodies (a row of the matrices) where its bodies start, how many there are and the
    cumulative chance of drawing from it."""

    labels: pa.StringArray
    bodies: pa.StringArray
    start: npt.NDArray[np.int64]
    size: npt.NDArray[np.int64]
    cumulative: npt.NDArray[np.float64]


def _village_tables() -> _VillageTables:
    sources = max(len(s) for _, s in _VILLAGE_KINDS.values())
    shape = (len(VILLAGE_KINDS), sources)
    start = np.zeros(shape, dtype=np.int64)
    size = np.zeros(shape, dtype=np.int64)
    weight = np.zeros(shape)
    bodies: list[str] = []
    for k, kind in enumerate(VILLAGE_KINDS):
        for j, (pool, w) in enumerate(_VILLAGE_KINDS[kind][1]):
            start[k, j], size[k, j], weight[k, j] = len(bodies), len(pool), w
            bodies.extend(pool)
    cumulative = np.cumsum(weight, axis=1) / weight.sum(axis=1, keepdims=True)
    labels = pa.array([_VILLAGE_KINDS[k][0] + " " for k in VILLAGE_KINDS], type=pa.string())
    return _VillageTables(labels, pa.array(bodies, type=pa.string()), start, size, cumulative)


_VILLAGES = _village_tables()


def village_names(rng: np.random.Generator, kind: npt.ArrayLike) -> pa.StringArray:
    """A plausible name for each village or residential group, as an Arrow string array,
    that agrees with its kind (a code of the ``village_kind`` list: thon, ap, soc, ban,
    buon, lang, to_dan_pho, khu_pho), e.g. "Bản Nà Sản" for a bản."""
    codes = np.asarray(kind).astype(str)
    k = np.searchsorted(np.array(VILLAGE_KINDS), codes).clip(0, len(VILLAGE_KINDS) - 1)
    bad = np.asarray(VILLAGE_KINDS)[k] != codes
    if bad.any():
        raise ValueError(
            f"village kind {str(codes[bad][0])!r} at row {int(np.argmax(bad))} is not known "
            f"(expected one of {', '.join(VILLAGE_KINDS)})"
        )
    t = _VILLAGES
    # Two uniform draws per row: which source of bodies, then which body in it.
    source = (rng.random(len(codes))[:, None] >= t.cumulative[k]).sum(axis=1)
    source = np.minimum(source, t.cumulative.shape[1] - 1)
    body = t.start[k, source] + (rng.random(len(codes)) * t.size[k, source]).astype(np.int64)
    joined: pa.StringArray = pc.binary_join_element_wise(
        t.labels.take(pa.array(k)), t.bodies.take(pa.array(body)), ""
    )
    return joined
