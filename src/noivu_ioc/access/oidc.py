"""Sign-in through an external OpenID Connect provider (the authorization code flow with
PKCE, state and nonce), built from authlib's OAuth and OpenID parts and its JOSE library.

The ID token is checked in full before anything is trusted: its signature against the
provider's published keys (JWKS, fetched again once when a token names a key not yet seen),
an asymmetric algorithm the provider announces, the issuer, the audience (this client), the
expiry and issue time, and the nonce of this very sign-in. A person is then matched to an
existing IOC account, never created: by the provider's subject once linked, and the first
time by one configured claim (``preferred_username`` against the username, or a verified
``email`` against the account's e-mail); the roles and scope stay the IOC's own.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
from authlib.common.security import generate_token  # type: ignore[import-untyped]
from authlib.common.urls import add_params_to_uri  # type: ignore[import-untyped]
from authlib.oauth2.rfc7636 import create_s256_code_challenge  # type: ignore[import-untyped]
from authlib.oidc.core import CodeIDToken  # type: ignore[import-untyped]
from joserfc import jwt
from joserfc.errors import InvalidKeyIdError, JoseError
from joserfc.jwk import KeySet
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from noivu_ioc.access.users import audit
from noivu_ioc.errors import ConfigurationError, NotAuthenticatedError
from noivu_ioc.settings import Settings
from noivu_ioc.store.models import User

log = logging.getLogger(__name__)

# How long a sign-in may take between leaving for the provider and coming back.
PENDING_SECONDS = 600
# Clock difference tolerated between the provider and the IOC when checking exp and iat.
LEEWAY_SECONDS = 60
_ASYMMETRIC = {
    "RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA",
}  # fmt: skip

REFUSED = (
    "the sign-in through the identity provider did not succeed, or its account is not "
    "linked to an active IOC account; try again, or ask an administrator"
)


class OidcError(NotAuthenticatedError):
    """The sign-in failed; the message is safe to show, the detail goes to the log."""


@dataclass(frozen=True, slots=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str | None
    scopes: str
    user_claim: str
    user_field: str
    label: str

    @classmethod
    def of(cls, settings: Settings) -> OidcConfig | None:
        """The configured provider, or None when sign-in through one is off."""
        if not settings.oidc_issuer:
            return None
        if not settings.oidc_client_id:
            raise ConfigurationError(
                "IOC_OIDC_ISSUER is set but IOC_OIDC_CLIENT_ID is not; give the client id the "
                "provider registered for the IOC, or unset IOC_OIDC_ISSUER"
            )
        scopes = settings.oidc_scopes.split()
        if "openid" not in scopes:
            scopes.insert(0, "openid")
        return cls(
            issuer=settings.oidc_issuer.rstrip("/"),
            client_id=settings.oidc_client_id,
            client_secret=settings.oidc_client_secret,
            scopes=" ".join(scopes),
            user_claim=settings.oidc_user_claim,
            user_field=settings.oidc_user_field,
            label=settings.oidc_label,
        )


@dataclass(frozen=True, slots=True)
class PendingSignIn:
    """What the IOC remembers (in an encrypted cookie) while the browser is away."""

    state: str
    nonce: str
    verifier: str
    next: str
    started: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "nonce": self.nonce,
            "verifier": self.verifier,
            "next": self.next,
            "started": self.started,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PendingSignIn:
        try:
            return cls(
                str(data["state"]),
                str(data["nonce"]),
                str(data["verifier"]),
                str(data["next"]),
                float(data["started"]),
            )
        except (KeyError, TypeError, ValueError):
            raise OidcError(REFUSED) from None

    @property
    def expired(self) -> bool:
        return time.time() - self.started > PENDING_SECONDS


class OidcProvider:
    """One provider: its metadata and keys, fetched when first needed and kept."""

    def __init__(self, config: OidcConfig, timeout_s: float = 10.0) -> None:
        self.config = config
        self.timeout_s = timeout_s
        self._metadata: dict[str, Any] | None = None
        self._jwks: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.timeout_s)
            response.raise_for_status()
            data = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning(
                "OpenID Connect provider %s: GET %s failed: %s", self.config.issuer, url, exc
            )
            raise OidcError(REFUSED) from None
        if not isinstance(data, dict):
            raise OidcError(REFUSED)
        return data

    def metadata(self) -> dict[str, Any]:
        with self._lock:
            if self._metadata is None:
                found = self._get(self.config.issuer + "/.well-known/openid-configuration")
                if str(found.get("issuer", "")).rstrip("/") != self.config.issuer:
                    log.warning(
                        "OpenID Connect provider at %s calls itself %r; refusing it",
                        self.config.issuer,
                        found.get("issuer"),
                    )
                    raise OidcError(REFUSED)
                for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                    if not found.get(field):
                        log.warning(
                            "OpenID Connect metadata of %s lacks %s", self.config.issuer, field
                        )
                        raise OidcError(REFUSED)
                self._metadata = found
            return self._metadata

    def _keys(self, refresh: bool = False) -> KeySet:
        # Two threads fetching at once both get the provider's current keys: no lock needed.
        if self._jwks is None or refresh:
            self._jwks = self._get(str(self.metadata()["jwks_uri"]))
        return KeySet.import_key_set(self._jwks)  # type: ignore[arg-type]

    def start(self, redirect_uri: str, next_path: str) -> tuple[str, PendingSignIn]:
        """The provider's authorization address for a new sign-in, and what to remember."""
        pending = PendingSignIn(
            state=generate_token(32),
            nonce=generate_token(32),
            verifier=generate_token(64),
            next=next_path,
            started=time.time(),
        )
        url = add_params_to_uri(
            str(self.metadata()["authorization_endpoint"]),
            [
                ("response_type", "code"),
                ("client_id", self.config.client_id),
                ("redirect_uri", redirect_uri),
                ("scope", self.config.scopes),
                ("state", pending.state),
                ("nonce", pending.nonce),
                ("code_challenge", create_s256_code_challenge(pending.verifier)),
                ("code_challenge_method", "S256"),
            ],
        )
        return url, pending

    def logout_url(self, back_to: str, lang: str) -> str | None:
        """Where to send the browser so that the person's session at the provider ends too
        (OpenID Connect RP-Initiated Logout 1.0), coming back to ``back_to``; None when the
        provider announces no ``end_session_endpoint`` or cannot be reached (the IOC's own
        session is ended all the same)."""
        try:
            endpoint = self.metadata().get("end_session_endpoint")
        except OidcError:
            return None
        if not isinstance(endpoint, str) or not endpoint.startswith(("https://", "http://")):
            return None
        return str(
            add_params_to_uri(
                endpoint,
                [
                    ("client_id", self.config.client_id),
                    ("post_logout_redirect_uri", back_to),
                    ("ui_locales", lang),
                ],
            )
        )

    def finish(self, pending: PendingSignIn, code: str, redirect_uri: str) -> dict[str, Any]:
        """Exchange the code for tokens and return the checked claims of the ID token."""
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": redirect_uri,
            "code_verifier": pending.verifier,
            "client_id": self.config.client_id,
        }
        auth = (
            httpx.BasicAuth(self.config.client_id, self.config.client_secret)
            if self.config.client_secret
            else None
        )
        endpoint = str(self.metadata()["token_endpoint"])
        try:
            if auth is not None:
                response = httpx.post(endpoint, data=form, auth=auth, timeout=self.timeout_s)
            else:
                response = httpx.post(endpoint, data=form, timeout=self.timeout_s)
            tokens = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("OpenID Connect token request to %s failed: %s", endpoint, exc)
            raise OidcError(REFUSED) from None
        if response.status_code != 200 or not isinstance(tokens, dict):
            log.warning(
                "OpenID Connect token endpoint answered %s: %s", response.status_code, tokens
            )
            raise OidcError(REFUSED)
        id_token = tokens.get("id_token")
        if not isinstance(id_token, str):
            log.warning("OpenID Connect token response of %s has no id_token", endpoint)
            raise OidcError(REFUSED)
        return self.check_id_token(id_token, pending.nonce, tokens.get("access_token"))

    def check_id_token(
        self, id_token: str, nonce: str, access_token: object = None
    ) -> dict[str, Any]:
        announced = self.metadata().get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [a for a in announced if a in _ASYMMETRIC]
        try:
            try:
                token = jwt.decode(id_token, self._keys(), algorithms=algorithms)
            except InvalidKeyIdError:  # the provider rotated its keys
                token = jwt.decode(id_token, self._keys(refresh=True), algorithms=algorithms)
            claims = CodeIDToken(
                token.claims,
                token.header,
                {
                    "iss": {"essential": True, "value": self.config.issuer},
                    "aud": {"essential": True, "value": self.config.client_id},
                    "exp": {"essential": True},
                    "iat": {"essential": True},
                    "sub": {"essential": True},
                },
                {
                    "nonce": nonce,
                    "client_id": self.config.client_id,
                    "access_token": access_token if isinstance(access_token, str) else None,
                },
            )
            claims.validate(leeway=LEEWAY_SECONDS)
        except (JoseError, ValueError) as exc:
            log.warning("ID token from %s refused: %s", self.config.issuer, exc)
            raise OidcError(REFUSED) from None
        return dict(claims)


def match_user(
    session: Session, config: OidcConfig, claims: dict[str, Any], client: str | None
) -> User:
    """The existing, active account of the person the provider vouches for; the link is
    kept on first use. A refusal is audited with its reason and raises ``OidcError``."""
    subject = f"{claims.get('iss', config.issuer)}|{claims['sub']}"[:512]
    user = session.scalar(select(User).where(User.oidc_subject == subject))
    reason = None
    claimed = claims.get(config.user_claim)
    if user is None:
        if not isinstance(claimed, str) or not claimed.strip():
            reason = f"the ID token has no {config.user_claim} claim"
        elif config.user_field == "email":
            if claims.get("email_verified") is False:
                reason = "the provider has not verified the e-mail address"
            else:
                found = list(
                    session.scalars(
                        select(User).where(func.lower(User.email) == claimed.strip().lower())
                    )
                )
                user = found[0] if len(found) == 1 else None
                if len(found) > 1:
                    reason = "several accounts have this e-mail address"
        else:
            user = session.scalar(select(User).where(User.username == claimed.strip()))
        if user is None and reason is None:
            reason = f"no account matches {config.user_claim} {claimed!r}"
        elif user is not None and user.oidc_subject not in (None, subject):
            reason = "the matching account is linked to another identity of the provider"
            user = None
    if user is not None and not user.active:
        reason, user = "disabled", None
    if user is None:
        audit(
            session,
            "login",
            "failed",
            username=claimed[:64] if isinstance(claimed, str) else None,
            detail={"method": "oidc", "reason": reason or "unknown", "subject": subject},
            client=client,
        )
        session.commit()
        raise OidcError(REFUSED)
    if user.oidc_subject is None:
        user.oidc_subject = subject
        audit(session, "oidc.link", "ok", user=user, client=client, detail={"subject": subject})
        log.info("linked %s to the provider's subject %s", user.username, subject)
    return user
