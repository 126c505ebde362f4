"""The ``ioc notify`` commands: where a user's copies go, a test notification sent at once,
and a round of the outbox by hand (the server sends on its own schedule)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, NoReturn

import typer
from sqlalchemy import func, select

from noivu_ioc.errors import IOCError, NotFoundError
from noivu_ioc.operations import outbox
from noivu_ioc.operations.notify import notify_users, set_contact
from noivu_ioc.settings import Settings, load_settings
from noivu_ioc.store import OpStore
from noivu_ioc.store.models import Delivery, User

app = typer.Typer(
    help="Notifications: contacts for e-mail and SMS copies, a test, the outbox.",
    no_args_is_help=True,
)


def _fail(message: str) -> NoReturn:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@contextmanager
def _opened() -> Iterator[tuple[Settings, OpStore]]:
    """The settings and the migrated store, with the outbox configured from them."""
    from noivu_ioc.store import open_store

    try:
        settings = load_settings()
    except IOCError as exc:
        _fail(exc.message)
    logging.basicConfig(
        level=settings.log_level.upper(),
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        store = open_store(settings.resolved_database_url)
    except IOCError as exc:
        _fail(exc.message)
    outbox.configure(settings)
    try:
        yield settings, store
    except IOCError as exc:
        _fail(exc.message)
    finally:
        store.dispose()


def _channels_line(settings: Settings) -> str:
    on = outbox.Channels.of(settings).names
    if not on:
        return "no copies: set IOC_SMTP_HOST for e-mail and IOC_SMS_WEBHOOK_URL for SMS"
    return "copies by " + " and ".join("e-mail" if c == "email" else "SMS" for c in on)


@app.command("contact")
def contact(
    username: str,
    email: Annotated[
        str | None, typer.Option(help="E-mail address for copies; '' removes it.")
    ] = None,
    phone: Annotated[
        str | None,
        typer.Option(help="Vietnamese mobile number (+84... or 0...) for SMS; '' removes it."),
    ] = None,
) -> None:
    """Set where a user's e-mail and SMS copies of notifications go."""
    from noivu_ioc.access.users import audit

    if email is None and phone is None:
        _fail("give --email, --phone or both (an empty value removes it)")
    with _opened() as (settings, store), store.session() as session:
        user = set_contact(session, username, email=email, phone=phone)
        audit(
            session,
            "user.contact",
            "ok",
            target=user.username,
            detail={"email": user.email is not None, "phone": user.phone is not None},
        )
        typer.echo(
            f"{user.username}: e-mail {user.email or '–'}, phone {user.phone or '–'} "
            f"(SMS only for {' and '.join(sorted(outbox.SMS_SEVERITIES))} notifications); "
            + _channels_line(settings)
        )


@app.command("test")
def send_test(username: str) -> None:
    """Send a user a test notification now, in the app and by e-mail and SMS where set up."""
    with _opened() as (settings, store):
        with store.session() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFoundError(f"user {username!r} does not exist; see `ioc users list`")
            (note,) = notify_users(
                session,
                [user.id],
                kind="notification.test",
                title="Thông báo thử của Trung tâm điều hành thông minh",
                body="Nếu bạn nhận được thư hoặc tin nhắn này, kênh thông báo đã hoạt động.",
                link="/notifications",
                severity="major",
            )
        typer.echo(f"notification {note.id} for {username} in the app; {_channels_line(settings)}")
        outbox.send_due(store, settings, notification_id=note.id)
        with store.session() as session:
            copies = list(
                session.scalars(
                    select(Delivery)
                    .where(Delivery.notification_id == note.id)
                    .order_by(Delivery.id)
                )
            )
    if not copies:
        typer.echo("no copy queued: the user has no e-mail or phone for a configured channel")
    for copy in copies:
        state = copy.status if copy.status != "pending" else "not sent yet, will retry"
        line = f"{copy.channel} to {copy.address}: {state}"
        typer.echo(line + (f" ({copy.last_error})" if copy.last_error else ""))
    if any(c.status != "sent" for c in copies):
        raise typer.Exit(1)


@app.command("outbox")
def send_outbox(
    limit: Annotated[int, typer.Option(min=1, help="Most copies to send in this round.")] = 100,
) -> None:
    """Send the copies that are due now and print what happened."""
    with _opened() as (settings, store):
        result = outbox.send_due(store, settings, limit=limit)
        with store.session() as session:
            waiting = {
                channel: count
                for channel, count in session.execute(
                    select(Delivery.channel, func.count())
                    .where(Delivery.status == "pending")
                    .group_by(Delivery.channel)
                )
            }
    typer.echo(
        f"sent {result.sent}, to retry {result.retrying}, failed {result.failed}, "
        f"cancelled {result.cancelled}; pending: "
        + (", ".join(f"{n} {channel}" for channel, n in sorted(waiting.items())) or "none")
    )
    typer.echo(_channels_line(settings))
