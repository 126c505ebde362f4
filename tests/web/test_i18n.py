"""Vietnamese with diacritics by default, English on request."""

from fastapi.testclient import TestClient

from noivu_ioc.web.i18n import MESSAGES, format_number
from tests.factories import login

VIETNAMESE_MARKS = set("ăâđêôơưáàảãạấầẩẫậắằẳẵặéèẻẽẹếềểễệíìỉĩịóòỏõọốồổỗộớờởỡợúùủũụứừửữựýỳỷỹỵ")


def test_every_message_has_both_languages() -> None:
    for key, (vi, en) in MESSAGES.items():
        assert vi.strip() and en.strip(), key


# Messages that are right without marks: abbreviations and a sample number.
WITHOUT_MARKS = {"nav.api", "kind.rest", "mapping.numbers.en"}


def test_vietnamese_messages_carry_diacritics() -> None:
    without = {k for k, (vi, _) in MESSAGES.items() if not set(vi.lower()) & VIETNAMESE_MARKS}
    assert without == WITHOUT_MARKS


def test_pages_are_vietnamese_by_default_and_english_on_request(client: TestClient) -> None:
    login(client, "lanhdao")
    page = client.get("/")
    assert '<html lang="vi">' in page.text and "Tình hình tổng thể" in page.text
    english = client.get("/?lang=en")
    assert '<html lang="en">' in english.text and "Overall situation" in english.text
    assert "ioc_lang=en" in english.headers["set-cookie"]
    assert "Overall situation" in client.get("/").text  # remembered


def test_numbers_follow_the_language() -> None:
    assert format_number(1234567.5, "vi", 1) == "1.234.567,5"
    assert format_number(1234567.5, "en", 1) == "1,234,567.5"
    assert format_number(None, "vi") == "–"
