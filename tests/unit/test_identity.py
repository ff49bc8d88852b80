"""Completing a ProConnect-like identity: the ID token has no e-mail, the userinfo endpoint
answers a signed JWT (``application/jwt``); the signature, issuer, audience and subject are
checked. The provider is simulated with httpx's mock transport and locally made keys."""

from __future__ import annotations

import json
import time

import httpx
import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from identity import IdentityError, complete_identity

ISSUER = "https://proconnect.test/api/v2"
DISCOVERY = f"{ISSUER}/.well-known/openid-configuration"
CLIENT_ID = "pilotage-rsa"
SUB = "a1b2c3"
ID_TOKEN_CLAIMS = {"sub": SUB, "iss": ISSUER, "aud": CLIENT_ID, "iat": 1, "idp_id": "fia1"}
USERINFO = {
    "sub": SUB,
    "iss": ISSUER,
    "aud": CLIENT_ID,
    "email": "Agnes.Martin@creuse.fr",
    "given_name": "Agnès",
    "usual_name": "Martin",
    "siret": "22230001800019",
    "uid": "42",
}
PROVIDER_KEY = RSAKey.generate_key(2048, parameters={"kid": "pc-1"}, private=True)
OTHER_KEY = RSAKey.generate_key(2048, parameters={"kid": "pc-1"}, private=True)


def _client(userinfo: httpx.Response) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        if str(request.url) == DISCOVERY:
            return httpx.Response(
                200,
                json={
                    "issuer": ISSUER,
                    "userinfo_endpoint": f"{ISSUER}/userinfo",
                    "jwks_uri": f"{ISSUER}/jwks",
                },
            )
        if str(request.url) == f"{ISSUER}/jwks":
            return httpx.Response(200, json={"keys": [PROVIDER_KEY.as_dict(private=False)]})
        if str(request.url) == f"{ISSUER}/userinfo":
            assert request.headers["authorization"] == "Bearer jeton-d-acces"
            return userinfo
        return httpx.Response(404)

    return httpx.Client(transport=httpx.MockTransport(handler))


def _signed(claims: dict, key: RSAKey = PROVIDER_KEY) -> httpx.Response:
    token = jwt.encode({"alg": "RS256", "kid": "pc-1"}, claims, key)
    return httpx.Response(200, content=token, headers={"content-type": "application/jwt"})


def _complete(response: httpx.Response, claims: dict = ID_TOKEN_CLAIMS, token="jeton-d-acces"):  # type: ignore[no-untyped-def]
    return complete_identity(
        claims,
        access_token=token,
        server_metadata_url=DISCOVERY,
        client_id=CLIENT_ID,
        client=_client(response),
    )


def test_signed_userinfo_completes_the_identity():
    identity = _complete(_signed(USERINFO))
    assert identity.email == "agnes.martin@creuse.fr"
    assert identity.name == "Agnès Martin"
    assert identity.siret == "22230001800019"
    assert identity.subject == SUB


def test_id_token_with_email_needs_no_userinfo():
    claims = {**ID_TOKEN_CLAIMS, "email": "x@creuse.fr", "name": "X"}
    identity = _complete(httpx.Response(500), claims)
    assert identity.email == "x@creuse.fr"


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (_signed(USERINFO, OTHER_KEY), "n'a pas pu être vérifiée"),
        (_signed({**USERINFO, "aud": "autre-service"}), "n'a pas pu être vérifiée"),
        (_signed({**USERINFO, "iss": "https://faux.test"}), "n'a pas pu être vérifiée"),
        (_signed({**USERINFO, "exp": int(time.time()) - 60}), "n'a pas pu être vérifiée"),
        (_signed({**USERINFO, "sub": "quelqu-un-d-autre"}), "sujets différents"),
        (httpx.Response(401, json={"error": "invalid_token"}), "reconnectez-vous"),
        (_signed({k: v for k, v in USERINFO.items() if k != "email"}), "adresse électronique"),
    ],
)
def test_unverifiable_or_foreign_userinfo_is_refused(response, message):
    with pytest.raises(IdentityError, match=message):
        _complete(response)


def test_unverified_email_is_refused():
    claims = {**ID_TOKEN_CLAIMS, "email": "x@creuse.fr", "email_verified": False}
    with pytest.raises(IdentityError, match="pas vérifiée"):
        _complete(httpx.Response(500), claims)


def test_plain_json_userinfo_is_read():
    body = json.dumps(USERINFO).encode()
    response = httpx.Response(200, content=body, headers={"content-type": "application/json"})
    assert _complete(response).email == "agnes.martin@creuse.fr"


def test_missing_access_token_says_how_to_expose_it():
    with pytest.raises(IdentityError, match="expose_tokens"):
        _complete(_signed(USERINFO), token=None)
