"""The accessibility statement: published in the menu, in the RGAA form, with the framework's
known defects (the same list the browser test allows) and the contact of the setting."""

from __future__ import annotations

from tests.app.conftest import DEMO_AS_OF, _reset_caches
from tests.app.test_dashboard_pages import open_app, registered_pages, visit
from ui.accessibility import FRAMEWORK_DEFECTS


def test_statement_is_in_the_menu_and_in_the_rgaa_form(demo_db, monkeypatch):
    monkeypatch.setenv("PILOTAGE_ACCESSIBILITY_CONTACT", "accessibilite@creuse.fr")
    _reset_caches()
    assert "accessibilite.py" in registered_pages()
    app = visit(open_app(au_jour=DEMO_AS_OF.isoformat()), "accessibilite.py")
    assert not app.exception, app.exception
    assert app.title[0].value == "Déclaration d'accessibilité"
    sections = [h.value for h in app.header]
    for section in (
        "État de conformité",
        "Contenus non accessibles",
        "Retour d'information et contact",
        "Voies de recours",
    ):
        assert section in sections
    text = "\n".join(m.value for m in app.markdown)
    assert "RGAA 4.1" in text
    assert "**non conforme**" in text
    assert "accessibilite@creuse.fr" in text
    assert "Défenseur des droits" in text
    assert "Libre réponse 71120, 75342 Paris CEDEX 07" in text
    for defect in FRAMEWORK_DEFECTS.values():
        assert defect in text
