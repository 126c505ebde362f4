"""Data-sharing agreements: which role or unit may read which fields of a dataset, for what
purpose, until when. Granting and revoking need the permission to manage sharing; a change
applies to the next request of every user, in every server process."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel

from noivu_ioc.access import sharing as svc
from noivu_ioc.access.roles import Role, role_label
from noivu_ioc.catalog import catalog
from noivu_ioc.errors import InvalidInputError, IOCError
from noivu_ioc.store.models import SharingAgreement, as_utc, utcnow
from noivu_ioc.web.deps import Lang, SharingManager, client_of
from noivu_ioc.web.pages import render

router = APIRouter(tags=["sharing"])


class AgreementPublic(BaseModel):
    name: str
    dataset: str
    fields: list[str]
    grantee_role: str | None
    grantee_unit: str | None
    purpose: str
    valid_from: datetime
    valid_until: datetime
    state: str
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None


def agreement_public(a: SharingAgreement) -> AgreementPublic:
    return AgreementPublic(
        name=a.name,
        dataset=a.dataset,
        fields=list(a.fields),
        grantee_role=a.grantee_role,
        grantee_unit=a.grantee_unit,
        purpose=a.purpose,
        valid_from=as_utc(a.valid_from),
        valid_until=as_utc(a.valid_until),
        state=svc.state(a),
        created_by=a.created_by,
        created_at=as_utc(a.created_at),
        revoked_at=as_utc(a.revoked_at) if a.revoked_at else None,
        revoked_by=a.revoked_by,
    )


@router.get("/api/sharing-agreements", response_model=list[AgreementPublic])
def api_list(request: Request, principal: SharingManager) -> list[AgreementPublic]:
    """Every agreement, in force or not."""
    with request.app.state.store.session() as session:
        return [agreement_public(a) for a in svc.listing(session)]


@router.post("/api/sharing-agreements", response_model=AgreementPublic, status_code=201)
def api_create(
    request: Request, principal: SharingManager, body: svc.AgreementIn
) -> AgreementPublic:
    """Grant an agreement; it applies from ``valid_from`` (default now)."""
    with request.app.state.store.session() as session:
        return agreement_public(svc.create(session, principal, body, client_of(request)))


@router.post("/api/sharing-agreements/{name}/revoke", response_model=AgreementPublic)
def api_revoke(request: Request, name: str, principal: SharingManager) -> AgreementPublic:
    """Revoke an agreement now: the fields it opened are masked from the next request."""
    with request.app.state.store.session() as session:
        return agreement_public(svc.revoke(session, principal, name, client_of(request)))


def _page(
    request: Request, lang: str, principal: object, error: str | None = None, status: int = 200
) -> Response:
    with request.app.state.store.session() as session:
        agreements = [agreement_public(a) for a in svc.listing(session)]
    entities = [(e.id, e.label_vi if lang == "vi" else e.label_en) for e in catalog().entities]
    return render(
        request,
        "sharing.html",
        {
            "lang": lang,
            "principal": principal,
            "agreements": agreements,
            "entities": entities,
            "roles": [(r.value, role_label(r, lang)) for r in Role],
            "error": error,
            "default_until": (utcnow() + timedelta(days=365)).date().isoformat(),
        },
        status_code=status,
    )


@router.get("/sharing", response_class=HTMLResponse, include_in_schema=False)
def sharing_page(request: Request, principal: SharingManager, lang: Lang) -> Response:
    return _page(request, lang, principal)


@router.post("/sharing", include_in_schema=False)
def sharing_form(
    request: Request,
    principal: SharingManager,
    lang: Lang,
    name: Annotated[str, Form(max_length=64)],
    dataset: Annotated[str, Form(max_length=64)],
    fields: Annotated[str, Form(max_length=4000)],
    purpose: Annotated[str, Form(max_length=2000)],
    valid_until: Annotated[str, Form(max_length=32)],
    grantee_role: Annotated[str, Form(max_length=32)] = "",
    grantee_unit: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    try:
        try:
            until = datetime.fromisoformat(valid_until)
        except ValueError:
            raise InvalidInputError(
                f"valid_until {valid_until!r} is not a date: give YYYY-MM-DD"
            ) from None
        body = svc.AgreementIn(
            name=name,
            dataset=dataset,
            fields=fields.split(","),
            grantee_role=grantee_role or None,
            grantee_unit=grantee_unit or None,
            purpose=purpose,
            valid_until=until,
        )
        with request.app.state.store.session() as session:
            svc.create(session, principal, body, client_of(request))
    except IOCError as exc:
        return _page(request, lang, principal, exc.text(lang), status=422)
    return RedirectResponse("/sharing", status_code=303)


@router.post("/sharing/{name}/revoke", include_in_schema=False)
def revoke_form(request: Request, name: str, principal: SharingManager) -> Response:
    with request.app.state.store.session() as session:
        svc.revoke(session, principal, name, client_of(request))
    return RedirectResponse("/sharing", status_code=303)
