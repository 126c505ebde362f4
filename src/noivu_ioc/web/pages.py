"""Rendering of Jinja2 pages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from fastapi.templating import Jinja2Templates


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request, name, context, status_code=status_code, headers=headers
    )
    return response
