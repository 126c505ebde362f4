"""A real HTTP server in the style of an NDXP / LGSP data exchange API, for tests that read
REST sources: 1,234 civil servants (cán bộ) behind ``Authorization: Bearer``, served with
page, offset and next-link paging, plus endpoints that fail the ways real ones do.

    with serve_rest_source() as base_url:
        RestReader(RestConfig(url=f"{base_url}/ndxp/can-bo", headers=AUTH_HEADERS, ...))

``serve_cut_source()`` is a second, raw-socket server whose answers break off in the middle
of a page, which no well-behaved framework can be made to do.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response

TOKEN = "ndxp-7c41e9d2b85f4a06-bi-mat"
AUTH_HEADERS = {"Authorization": f"Bearer {TOKEN}"}
RECORD_COUNT = 1234
# The largest page /ndxp/can-bo-capped sends, whatever page_size asks for (as LGSP gateways do).
MAX_PAGE_SIZE = 100

_FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi"]
_MIDDLE = ["Văn", "Thị", "Hữu", "Minh", "Thu", "Đức", "Ngọc", "Quốc", "Thanh"]
_GIVEN = ["An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Phương", "Quân", "Thảo"]
_PROVINCES = [
    ("01", "Hà Nội"),
    ("79", "Thành phố Hồ Chí Minh"),
    ("48", "Đà Nẵng"),
    ("31", "Hải Phòng"),
    ("92", "Cần Thơ"),
    ("46", "Huế"),
    ("22", "Quảng Ninh"),
    ("38", "Thanh Hóa"),
    ("40", "Nghệ An"),
    ("66", "Đắk Lắk"),
]
_UPDATED_FROM = datetime(2025, 3, 1, 8, 0, 0)


def can_bo_record(number: int) -> dict[str, Any]:
    """Civil servant ``number`` (1-based) as the API sends it; ``updated_at`` rises with it."""
    born = datetime(1965, 1, 1) + timedelta(days=number * 11)
    province_code, province_name = _PROVINCES[number % len(_PROVINCES)]
    updated = _UPDATED_FROM + timedelta(minutes=number)
    return {
        "id": number,
        "ma_can_bo": f"CB{number:06d}",
        "ho_ten": " ".join(
            (
                _FAMILY[number % len(_FAMILY)],
                _MIDDLE[number % len(_MIDDLE)],
                _GIVEN[number % len(_GIVEN)],
            )
        ),
        "ngay_sinh": born.strftime("%d/%m/%Y"),
        "gioi_tinh": "Nữ" if number % 2 else "Nam",
        "dang_vien": number % 3 == 0,
        "he_so_luong": round(2.34 + (number % 10) * 0.33, 2),
        "so_nam_cong_tac": number % 35,
        "dia_chi": {"ma_tinh": province_code, "tinh": province_name},
        "ngoai_ngu": ["Tiếng Anh", "Tiếng Pháp"] if number % 4 == 0 else [],
        "ghi_chu": "Biệt phái" if number % 50 == 0 else None,
        "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%S+07:00"),
    }


CAN_BO = [can_bo_record(number) for number in range(1, RECORD_COUNT + 1)]

# A budget line (dự toán) as a gateway writes it: numbers spelled as the ledger keeps them,
# one beyond what a float holds, one beyond 64 bits; a nested object two levels deep; a list
# of objects; a null object.
NGAN_SACH_JSON = """[
  {"ma_don_vi": "BNV", "ten_don_vi": "Bộ Nội vụ", "du_toan": 123456789012345678.25,
   "ty_le_giai_ngan": 2.50, "he_so": 1e3, "so_bien_che": 18446744073709551616,
   "da_duyet": true, "co_quan": {"cap": 1, "dia_chi": {"ma_tinh": "01", "tinh": "Hà Nội"}},
   "dot_cap": [{"dot": 1, "so_tien": 0.10}, {"dot": 2, "so_tien": 5}],
   "ghi_chu": "Dự toán \\"điều chỉnh\\" lần 2"},
  {"ma_don_vi": "SNV-79", "ten_don_vi": "Sở Nội vụ Thành phố Hồ Chí Minh", "du_toan": -0.5,
   "ty_le_giai_ngan": null, "he_so": 2, "so_bien_che": 140, "da_duyet": false,
   "co_quan": null, "dot_cap": [], "ghi_chu": null}
]"""

DON_VI = [
    {"ma": "BNV", "ten": "Bộ Nội vụ", "cap": 1},
    {"ma": "SNV-01", "ten": "Sở Nội vụ Hà Nội", "cap": 2, "ma_tinh": "01"},
    {"ma": "SNV-79", "ten": "Sở Nội vụ Thành phố Hồ Chí Minh", "cap": 2, "ma_tinh": "79"},
]


def _authorized(authorization: Annotated[str | None, Header()] = None) -> None:
    if authorization != f"Bearer {TOKEN}":
        raise HTTPException(status_code=401, detail="mã truy cập không hợp lệ")


def _newer(since: str | None, province: str | None = None) -> list[dict[str, Any]]:
    return [
        row
        for row in CAN_BO
        if (since is None or row["updated_at"] > since)
        and (province is None or row["dia_chi"]["ma_tinh"] == province)
    ]


def build_app() -> FastAPI:
    """The API; state (which flaky keys have failed once) lives in the app."""
    app = FastAPI(dependencies=[Depends(_authorized)])
    failed_once: set[str] = set()

    @app.get("/ndxp/can-bo")
    async def by_page(
        page: int = 1,
        page_size: int = 100,
        updated_since: str | None = None,
        ma_tinh: str | None = None,
    ) -> dict[str, Any]:
        rows = _newer(updated_since, ma_tinh)
        items = rows[(page - 1) * page_size : page * page_size]
        return {
            "status": "success",
            "data": {"items": items, "total": len(rows), "page": page, "page_size": page_size},
        }

    @app.get("/ndxp/can-bo-offset")
    async def by_offset(
        offset: int = 0, limit: int = 100, updated_since: str | None = None
    ) -> dict[str, Any]:
        rows = _newer(updated_since)
        return {"items": rows[offset : offset + limit], "total": len(rows)}

    @app.get("/ndxp/can-bo-capped")
    async def capped(page: int = 1, page_size: int = 100) -> dict[str, Any]:
        return await by_page(page=page, page_size=min(page_size, MAX_PAGE_SIZE))

    @app.get("/ndxp/can-bo-links")
    async def by_link(
        after: int = 0, limit: int = 100, updated_since: str | None = None
    ) -> dict[str, Any]:
        rows = _newer(updated_since)
        items = rows[after : after + limit]
        last = after + limit >= len(rows)
        since = "&" + urlencode({"updated_since": updated_since}) if updated_since else ""
        next_link = f"/ndxp/can-bo-links?after={after + limit}&limit={limit}{since}"
        return {"data": items, "links": {"next": None if last else next_link}}

    @app.get("/ndxp/loop")
    async def loop() -> dict[str, Any]:
        # A gateway whose next link points back at the page it is on.
        return {"data": CAN_BO[:10], "links": {"next": "/ndxp/loop"}}

    @app.get("/ndxp/ngan-sach")
    async def budget() -> Response:
        return Response(NGAN_SACH_JSON, media_type="application/json")

    @app.get("/ndxp/don-vi")
    async def units() -> list[dict[str, Any]]:
        return DON_VI

    @app.get("/ndxp/flaky/{key}")
    async def flaky(key: str, page: int = 1, page_size: int = 100) -> dict[str, Any]:
        if key not in failed_once:
            failed_once.add(key)
            raise HTTPException(status_code=500, detail="lỗi máy chủ tạm thời")
        return await by_page(page=page, page_size=page_size)

    @app.get("/ndxp/forbidden")
    async def forbidden() -> None:
        raise HTTPException(status_code=403, detail="không có quyền truy cập dịch vụ này")

    @app.get("/ndxp/maintenance")
    async def maintenance() -> JSONResponse:
        headers = {"Retry-After": "Sat, 01 Mar 2025 09:00:00 GMT"}
        return JSONResponse({"error": "hệ thống đang bảo trì"}, 503, headers=headers)

    @app.get("/ndxp/gateway-timeout")
    async def gateway_timeout() -> JSONResponse:
        return JSONResponse({"error": "hết thời gian chờ"}, 504)

    @app.get("/ndxp/moved")
    async def moved() -> RedirectResponse:
        return RedirectResponse("/ndxp/can-bo?page_size=100", status_code=301)

    @app.get("/ndxp/moved-away")
    async def moved_away() -> RedirectResponse:
        return RedirectResponse("https://lgsp.other.invalid/api/can-bo", status_code=302)

    @app.get("/ndxp/echo-unauthorized")
    async def echo_unauthorized(request: Request) -> JSONResponse:
        # A gateway that refuses the request and quotes the token back in its error.
        echoed = request.headers.get("authorization")
        return JSONResponse({"error": f"từ chối: {echoed}"}, 403)

    @app.get("/ndxp/echo-html")
    async def echo_html(request: Request) -> HTMLResponse:
        # A proxy error page that prints the request it received, query and keys first.
        lines = [
            f"GET {request.url}",
            f"authorization: {request.headers.get('authorization')}",
            f"x-api-key: {request.headers.get('x-api-key')}",
        ]
        return HTMLResponse("<html><body><pre>" + "\n".join(lines) + "</pre></body></html>")

    @app.get("/ndxp/windows-1258")
    async def legacy_encoding() -> Response:
        # "Hà Nội" in Windows-1258, as old provincial systems still send it: à is one byte,
        # ộ is ô followed by a combining dot below.
        return Response(b'[{"tinh": "H\xe0 N\xf4\xf2i"}]', media_type="application/json")

    @app.get("/ndxp/bad-gzip")
    async def bad_gzip() -> Response:
        # A gateway that marks an uncompressed body as gzip.
        body = json.dumps(DON_VI, ensure_ascii=False).encode()
        return Response(body, media_type="application/json", headers={"Content-Encoding": "gzip"})

    @app.get("/ndxp/request-timeout")
    async def request_timeout() -> JSONResponse:
        return JSONResponse({"error": "yêu cầu quá thời gian"}, 408)

    @app.get("/ndxp/bom")
    async def with_bom() -> Response:
        # Gateways on Windows often start their UTF-8 with a byte order mark.
        body = "\ufeff" + json.dumps(DON_VI, ensure_ascii=False)
        return Response(body.encode(), media_type="application/json")

    @app.get("/ndxp/rate-limited")
    async def rate_limited() -> JSONResponse:
        return JSONResponse({"error": "quá nhiều yêu cầu"}, 429, headers={"Retry-After": "30"})

    @app.get("/ndxp/bad-request")
    async def bad_request(request: Request) -> JSONResponse:
        # Some gateways echo the request back; the reader must not pass the token on.
        echoed = {"authorization": request.headers.get("authorization")}
        return JSONResponse({"error": "tham số không hợp lệ", "request": echoed}, 400)

    @app.get("/ndxp/html")
    async def html() -> HTMLResponse:
        return HTMLResponse("<html><body><h1>Cổng dữ liệu quốc gia</h1></body></html>")

    @app.get("/ndxp/slow")
    async def slow() -> list[Any]:
        await asyncio.sleep(1.0)
        return []

    @app.get("/ndxp/same-page")
    async def same_page(page_size: int = 100) -> list[dict[str, Any]]:
        return CAN_BO[:page_size]

    @app.get("/ndxp/same-offset")
    async def same_offset(limit: int = 100) -> dict[str, Any]:
        # Reads "skip", not "offset": every request gets the first page again.
        return {"items": CAN_BO[:limit], "total": len(CAN_BO)}

    @app.get("/ndxp/elsewhere")
    async def elsewhere() -> dict[str, Any]:
        return {"data": CAN_BO[:5], "links": {"next": "http://other.invalid/ndxp/steal"}}

    return app


@contextmanager
def serve_rest_source() -> Iterator[str]:
    """Run the API with uvicorn on a free port of 127.0.0.1 in a background thread; yield
    its base URL (``http://127.0.0.1:PORT``) and stop the server and thread on exit."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        build_app(),
        log_level="warning",
        access_log=False,
        lifespan="off",
        ws="none",
        timeout_graceful_shutdown=2,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, name="rest-source", daemon=True
    )
    thread.start()
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            if not thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test REST server did not start")
            time.sleep(0.01)
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


# -- answers that break off ------------------------------------------------------------------
# How each path of serve_cut_source() ends a cut answer: "length" declares the whole body's
# Content-Length, "chunked" never sends the last chunk, "close" declares nothing and ends
# the answer by closing (HTTP/1.0 style), so that only the JSON shows the cut.
CUT_WAYS = ("length", "chunked", "close")


@contextmanager
def serve_cut_source(cut_page: int = 2) -> Iterator[str]:
    """A raw-socket API at ``http://127.0.0.1:PORT/cut/{way}`` paged like /ndxp/can-bo
    (``page``, ``page_size``): pages before ``cut_page`` arrive whole, the rest stop in the
    middle of a Vietnamese letter, after which the connection closes."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                _answer_cut(conn, cut_page)

    thread = threading.Thread(target=serve, name="rest-cut-source", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop.set()
        thread.join(timeout=10)
        listener.close()


def _answer_cut(conn: socket.socket, cut_page: int) -> None:
    request = b""
    while b"\r\n\r\n" not in request:
        chunk = conn.recv(65536)
        if not chunk:
            return
        request += chunk
    head = request.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    target = head[0].split(" ")[1]
    headers = {
        name.strip().lower(): value.strip()
        for name, _, value in (line.partition(":") for line in head[1:])
    }
    if headers.get("authorization") != f"Bearer {TOKEN}":
        conn.sendall(b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        return

    parts = urlsplit(target)
    way = parts.path.rsplit("/", 1)[-1]
    query = parse_qs(parts.query)
    page = int(query.get("page", ["1"])[0])
    size = int(query.get("page_size", ["100"])[0])
    items = CAN_BO[(page - 1) * size : page * size]
    body = json.dumps({"data": {"items": items}}, ensure_ascii=False).encode()

    if page < cut_page or way not in CUT_WAYS:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            + f"Content-Length: {len(body)}\r\n".encode()
            + b"Connection: close\r\n\r\n"
            + body
        )
        return

    # Past the middle, inside the first letter of more than one byte.
    middle = len(body) // 2
    cut = next(i for i in range(middle, len(body)) if body[i] >= 0xC0) + 1
    if way == "length":
        framing = f"Content-Length: {len(body)}\r\n".encode()
        sent = body[:cut]
    elif way == "chunked":
        framing = b"Transfer-Encoding: chunked\r\n"
        sent = f"{cut:x}\r\n".encode() + body[:cut] + b"\r\n"
    else:
        framing = b""
        sent = body[:cut]
    conn.sendall(
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
        + framing
        + b"Connection: close\r\n\r\n"
        + sent
    )
