"""The identity of a person signed in through OpenID Connect, made complete.

Streamlit's ``st.user`` holds the claims of the ID token only. ProConnect (the State's
federation for public agents) puts little in its ID token: the e-mail address and the
organisation's SIRET come from its userinfo endpoint, which answers a JSON Web Token signed
with the provider's keys (``application/jwt``), not plain JSON. ``complete_identity`` asks the
userinfo endpoint when a needed claim is missing, checks the signature against the provider's
published keys (JWKS), the issuer, the audience and that the subject is the ID token's, and
merges the claims. Plain JSON answers (most other providers) are accepted as the OpenID
Connect specification allows, since they come straight from the provider over TLS.

Nothing here imports Streamlit, so the checks are unit-tested with locally made keys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

TIMEOUT_SECONDS = 10
NEEDED_CLAIMS = ("email",)
SIGNED_ALGORITHMS = ["RS256", "ES256", "PS256"]


class IdentityError(Exception):
    """The identity could not be completed or verified (message in French, no secret)."""


@dataclass(frozen=True)
class Identity:
    """Who is signed in: e-mail (the key of their role), display name, organisation SIRET."""

    email: str
    name: str
    siret: str | None
    subject: str | None


def identity_from_claims(claims: Mapping[str, Any]) -> Identity:
    """Build the identity from (completed) claims; an e-mail address is required."""
    email = str(claims.get("email") or "").strip().lower()
    if not email or "@" not in email:
        raise IdentityError(
            "Le fournisseur d'identité n'a pas transmis d'adresse électronique : demandez le "
            "scope « email » dans la configuration de connexion."
        )
    if claims.get("email_verified") is False:
        # A role is granted to an address: an address the provider has not verified could be
        # anybody's (ProConnect's addresses come from the agents' own identity providers).
        raise IdentityError(
            "Le fournisseur d'identité indique que cette adresse électronique n'est pas "
            "vérifiée : connexion refusée."
        )
    given = str(claims.get("given_name") or "").strip()
    family = str(claims.get("usual_name") or claims.get("family_name") or "").strip()
    name = str(claims.get("name") or " ".join(p for p in (given, family) if p) or email)
    siret = claims.get("siret")
    return Identity(
        email=email,
        name=name,
        siret=str(siret) if siret else None,
        subject=str(claims["sub"]) if claims.get("sub") else None,
    )


def needs_userinfo(claims: Mapping[str, Any]) -> bool:
    """True when the ID token lacks a claim the dashboard needs (ProConnect's case)."""
    return any(not claims.get(name) for name in NEEDED_CLAIMS)


def provider_metadata(server_metadata_url: str, client: httpx.Client) -> dict[str, Any]:
    """The provider's discovery document (issuer, userinfo endpoint, keys)."""
    response = client.get(server_metadata_url)
    response.raise_for_status()
    return response.json()


def decode_userinfo(
    response: httpx.Response,
    *,
    metadata: Mapping[str, Any],
    client_id: str,
    client: httpx.Client,
) -> dict[str, Any]:
    """The claims of a userinfo answer: a signed JWT is verified (signature against the JWKS,
    issuer, audience), plain JSON is read as is."""
    content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/jwt":
        return dict(response.json())
    keys_response = client.get(str(metadata["jwks_uri"]))
    keys_response.raise_for_status()
    keys = KeySet.import_key_set(keys_response.json())
    try:
        token = jwt.decode(response.text.strip(), keys, algorithms=SIGNED_ALGORITHMS)
        registry = jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": str(metadata.get("issuer", ""))},
            aud={"essential": True, "value": client_id},
        )
        registry.validate(token.claims)
    except (JoseError, ValueError) as exc:
        raise IdentityError(
            "La réponse signée du fournisseur d'identité n'a pas pu être vérifiée "
            f"({type(exc).__name__}) : connexion refusée."
        ) from None
    return dict(token.claims)


def fetch_userinfo(
    access_token: str,
    *,
    server_metadata_url: str,
    client_id: str,
    client: httpx.Client | None = None,
) -> dict[str, Any]:
    """Ask the provider's userinfo endpoint for the person's claims, verified."""
    own = client is None
    http = client or httpx.Client(timeout=TIMEOUT_SECONDS)
    try:
        metadata = provider_metadata(server_metadata_url, http)
        response = http.get(
            str(metadata["userinfo_endpoint"]),
            headers={"Authorization": f"Bearer {access_token}"},
        )
        response.raise_for_status()
        return decode_userinfo(response, metadata=metadata, client_id=client_id, client=http)
    except (httpx.HTTPError, KeyError, json.JSONDecodeError) as exc:
        raise IdentityError(
            "Le fournisseur d'identité n'a pas répondu comme attendu à la demande des "
            f"informations de l'utilisateur ({type(exc).__name__}) : reconnectez-vous."
        ) from None
    finally:
        if own:
            http.close()


def complete_identity(
    claims: Mapping[str, Any],
    *,
    access_token: str | None,
    server_metadata_url: str | None,
    client_id: str | None,
    client: httpx.Client | None = None,
) -> Identity:
    """The identity from the ID token, completed from the userinfo endpoint when needed."""
    merged = dict(claims)
    if needs_userinfo(claims):
        if not (access_token and server_metadata_url and client_id):
            raise IdentityError(
                "L'adresse électronique n'est pas dans le jeton d'identité et le jeton d'accès "
                'n\'est pas disponible : ajoutez expose_tokens = ["id", "access"] à la '
                "section [auth] de .streamlit/secrets.toml."
            )
        extra = fetch_userinfo(
            access_token,
            server_metadata_url=server_metadata_url,
            client_id=client_id,
            client=client,
        )
        if claims.get("sub") and extra.get("sub") != claims.get("sub"):
            raise IdentityError(
                "Les informations du fournisseur d'identité ne concernent pas la personne "
                "connectée (sujets différents) : connexion refusée."
            )
        merged.update({k: v for k, v in extra.items() if v not in (None, "")})
    return identity_from_claims(merged)
