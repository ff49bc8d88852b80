"""Header mode: the address header and the secret header must each come exactly once. A proxy
that adds its header after the one the browser sent (Apache « RequestHeader add », a chain of
proxies) passes both; Streamlit's ``st.context.headers`` then answers the first one, i.e. the
browser's, and anybody could name themselves administrator."""

from __future__ import annotations

from streamlit.runtime.context import StreamlitHeaders

from tests.conftest import make_settings
from ui.auth import proxy_email

SECRET = "secret-partage-du-mandataire-0123456789"
SETTINGS = make_settings("sqlite://", auth_mode="header", auth_header_secret=SECRET)


def test_one_address_and_one_secret_get_in():
    headers = StreamlitHeaders(
        [("X-Pilotage-User", "agent@creuse.fr"), ("X-Pilotage-Proxy-Secret", SECRET)]
    )
    assert proxy_email(SETTINGS, headers) == ("agent@creuse.fr", "")


def test_an_address_sent_twice_is_refused():
    headers = StreamlitHeaders(
        [
            ("X-Pilotage-User", "prefet@creuse.gouv.fr"),  # sent by the browser
            ("X-Pilotage-User", "agent@creuse.fr"),  # added by the proxy
            ("X-Pilotage-Proxy-Secret", SECRET),
        ]
    )
    email, reason = proxy_email(SETTINGS, headers)
    assert email is None
    assert "plusieurs fois" in reason


def test_a_secret_sent_twice_is_refused():
    headers = StreamlitHeaders(
        [
            ("X-Pilotage-User", "agent@creuse.fr"),
            ("X-Pilotage-Proxy-Secret", SECRET),
            ("X-Pilotage-Proxy-Secret", "autre"),
        ]
    )
    assert proxy_email(SETTINGS, headers)[0] is None
