"""A real HTTP server in the style of an NDXP / LGSP data exchange API, for tests that read
REST sources: 1,234 civil servants (cán bộ) behind ``Authorization: Bearer``, served with
page, offset and next-link paging, plus endpoints that fail the ways real ones do.

    with serve_rest_source() as base_url:
        RestReader(RestConfig(url=f"{base_url}/ndxp/can-bo", headers=AUTH_HEADERS, ...))
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Annotated, Any

import uvicorn
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse

TOKEN = "ndxp-7c41e9d2b85f4a06-bi-mat"
AUTH_HEADERS = {"Authorization": f"Bearer {TOKEN}"}
RECORD_COUNT = 1234

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

DON_VI = [
    {"ma": "BNV", "ten": "Bộ Nội vụ", "cap": 1},
    {"ma": "SNV-01", "ten": "Sở Nội vụ Hà Nội", "cap": 2, "ma_tinh": "01"},
    {"ma": "SNV-79", "ten": "Sở Nội vụ Thành phố Hồ Chí Minh", "cap": 2, "ma_tinh": "79"},
]


def _authorized(authorization: Annotated[str | None, Header()] = None) -> None:
    if authorization != f"Bearer {TOKEN}":
        raise HTTPException(status_code=401, detail="mã truy cập không hợp lệ")


def _newer(since: str | None) -> list[dict[str, Any]]:
    return [row for row in CAN_BO if since is None or row["updated_at"] > since]


def build_app() -> FastAPI:
    """The API; state (which flaky keys have failed once) lives in the app."""
    app = FastAPI(dependencies=[Depends(_authorized)])
    failed_once: set[str] = set()

    @app.get("/ndxp/can-bo")
    async def by_page(
        page: int = 1, page_size: int = 100, updated_since: str | None = None
    ) -> dict[str, Any]:
        rows = _newer(updated_since)
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

    @app.get("/ndxp/can-bo-links")
    async def by_link(after: int = 0, limit: int = 100) -> dict[str, Any]:
        items = CAN_BO[after : after + limit]
        last = after + limit >= len(CAN_BO)
        next_link = None if last else f"/ndxp/can-bo-links?after={after + limit}&limit={limit}"
        return {"data": items, "links": {"next": next_link}}

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
