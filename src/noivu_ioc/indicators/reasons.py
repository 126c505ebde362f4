"""Why a panel has no number, in the viewer's language.

The engine says what went wrong as a code with its values; the screens say it in Vietnamese
or English. A technical detail from the engine (a database error) is kept as it came, after
the sentence, for whoever has to fix it.
"""

from __future__ import annotations

from dataclasses import dataclass

TEXTS: dict[str, tuple[str, str]] = {
    "no_data": ("Không có số liệu trong phạm vi của bạn", "no data in your scope"),
    "no_data_period": (
        "Không có số liệu năm {period} trong phạm vi của bạn",
        "no data for {period} in your scope",
    ),
    "no_data_any_period": (
        "Chưa có số liệu kỳ nào trong phạm vi của bạn",
        "no data for any period in your scope",
    ),
    "cannot_cut": (
        "Chỉ tiêu không phân tổ được theo {by}; có thể phân tổ theo: {cuts}",
        "cannot be cut by {by}; it can be cut by {cuts}",
    ),
    "no_trend": (
        "Chỉ tiêu thời điểm, không có diễn biến theo năm",
        "a stock without periods: it has no trend",
    ),
    "not_kept_at": (
        "Dữ liệu {entity} không ghi theo {level}, nên không đọc được cho {place}",
        "{entity} is not kept by {level}: it cannot be read for {place}",
    ),
    "no_finer_level": (
        "Không có cấp chi tiết hơn ở đây",
        "no finer level here",
    ),
    "no_indicator": (
        "Ô này không còn chỉ tiêu nào (chỉ tiêu đã bị xoá)",
        "no indicator left on this panel (it was deleted)",
    ),
    "suppressed": (
        "Ẩn số liệu: dưới {k} người, có thể làm lộ dữ liệu cá nhân nhạy cảm",
        "withheld: fewer than {k} people, it could reveal sensitive personal data",
    ),
    "suppressed_complement": (
        "Ẩn số liệu để không suy ra được một ô dưới {k} người từ tổng và các ô còn lại",
        "withheld so that a cell of fewer than {k} people cannot be worked out from the total "
        "and the other cells",
    ),
    "failed": ("Không tính được chỉ tiêu", "the indicator could not be computed"),
}


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    args: tuple[tuple[str, str], ...] = ()
    detail: str = ""  # as the engine or the IOC said it (English), for whoever fixes it

    @classmethod
    def of(cls, code: str, detail: str = "", **args: object) -> Reason:
        if code not in TEXTS:
            raise ValueError(f"unknown reason code {code!r}")
        return cls(code, tuple((k, str(v)) for k, v in args.items()), detail)

    def text(self, lang: str) -> str:
        vi, en = TEXTS[self.code]
        sentence = (vi if lang == "vi" else en).format(**dict(self.args))
        return f"{sentence}: {self.detail}" if self.detail else sentence

    def __str__(self) -> str:
        return self.text("en")
