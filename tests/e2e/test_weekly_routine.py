"""The weekly routine of a project lead in a real browser: two leads editing the same step
(nothing lost, the user's own choice kept, replacing the current state an explicit click), an
error in each form (nothing typed is lost), a double click (one history row), editing and
reopening an action. Each test works on its own steps and actions of the demo database."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from data_access.db import make_engine
from data_access.governance import read_action
from data_access.roadmap import read_step, step_history
from data_access.schema import MeetingAction
from tests.e2e.app_utils import PILOTAGE, open_page, wait_for_app_run
from tests.e2e.conftest import DEMO_AS_OF

QUERY = f"?au_jour={DEMO_AS_OF.isoformat()}"


def _form(page: Page, heading: str) -> Locator:
    # While a rerun replaces one step's form by another's, the old one may linger: the last
    # one in the page is the live one.
    return page.get_by_test_id("stForm").filter(has_text=heading).last


def _choose(
    page: Page, scope: Locator, label: str, option: str | re.Pattern, typed: str = ""
) -> None:
    """Pick an option of the selectbox labelled ``label`` (typing filters long lists)."""
    box = scope.get_by_test_id("stSelectbox").filter(has=page.get_by_text(label, exact=True))
    box.last.click()
    if isinstance(option, str):
        page.keyboard.type(option)
        page.get_by_role("option", name=option, exact=True).first.click()
    else:
        page.keyboard.type(typed)
        page.get_by_role("option", name=option).first.click()
    wait_for_app_run(page)


def _pick_step(page: Page, step_id: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Étape", exact=True))
    box.first.click()
    page.keyboard.type(step_id)
    page.get_by_role("option", name=re.compile(rf"^{step_id} — ")).click()
    wait_for_app_run(page)


def _open_roadmap(page: Page, app_url: str, step_id: str) -> Locator:
    open_page(page, f"{app_url}/feuille_de_route{QUERY}", role=PILOTAGE)
    _pick_step(page, step_id)
    return _form(page, "Modifier le statut")


def _field(form: Locator, label: str) -> Locator:
    """The one live field labelled ``label``: a field of the form shown before the step was
    picked may linger for a moment after the run ends, so wait until it is gone."""
    field = form.get_by_label(label, exact=True)
    expect(field).to_have_count(1)
    return field


def _fill_step_form(page: Page, form: Locator, name: str, status: str, comment: str) -> None:
    _field(form, "Votre nom").fill(name)
    _choose(page, form, "Nouveau statut", status)
    _field(form, "Commentaire").fill(comment)


def test_two_leads_in_conflict_lose_nothing(
    page: Page, browser, app_url: str, app_database: str, artifacts: Path
):  # type: ignore[no-untyped-def]
    engine = make_engine(app_database)
    other = browser.new_context(viewport={"width": 1440, "height": 1000}, locale="fr-FR")
    lead_a = other.new_page()
    lead_a.set_default_timeout(60_000)
    form_b = _open_roadmap(page, app_url, "MP-02")  # B opens the form first
    form_a = _open_roadmap(lead_a, app_url, "MP-02")
    _fill_step_form(lead_a, form_a, "Agnès", "en cours", "Reprise du sujet")
    form_a.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_for_app_run(lead_a)
    expect(lead_a.get_by_text("MP-02 : statut « en cours » enregistré.")).to_be_visible()
    other.close()

    _fill_step_form(page, form_b, "Bruno", "fait", "Interconnexion livrée et testée")
    form_b.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_text(re.compile(r"L'étape MP-02 a été modifiée par Agnès"))).to_be_visible()
    page.screenshot(path=str(artifacts / "conflict-roadmap.png"), full_page=True)
    # B's own choices stay; the current state is shown beside them.
    expect(form_b.get_by_role("combobox", name="Nouveau statut", exact=True)).to_have_value("fait")
    expect(form_b.get_by_label("Commentaire")).to_have_value("Interconnexion livrée et testée")
    expect(page.get_by_text(re.compile(r"Statut actuel : en cours"))).to_be_visible()
    assert read_step(engine, "MP-02").status == "en_cours"
    # Nothing is written until B chooses to replace the current state.
    expect(form_b.get_by_role("button", name="Enregistrer", exact=True)).to_have_count(0)
    form_b.get_by_role("button", name="Enregistrer ma saisie à la place de l'état actuel").click()
    wait_for_app_run(page)
    step = read_step(engine, "MP-02")
    assert (step.status, step.updated_by, step.comment) == (
        "fait",
        "Bruno",
        "Interconnexion livrée et testée",
    )
    last_two = step_history(engine, "MP-02")[-2:]
    assert [(h.changed_by, h.old_status, h.new_status) for h in last_two] == [
        ("Agnès", "fait", "en_cours"),
        ("Bruno", "en_cours", "fait"),
    ]
    engine.dispose()


def test_double_click_writes_one_history_row(page: Page, app_url: str, app_database: str):
    engine = make_engine(app_database)
    before = len(step_history(engine, "MP-03"))
    form = _open_roadmap(page, app_url, "MP-03")
    _fill_step_form(page, form, "Bruno", "bloqué", "En attente de la CNAF")
    form.get_by_role("button", name="Enregistrer", exact=True).dblclick()
    wait_for_app_run(page, settle_ms=1500)
    wait_for_app_run(page)
    assert len(step_history(engine, "MP-03")) == before + 1
    assert read_step(engine, "MP-03").status == "bloque"
    # The form is emptied after the save: the comment box is blank again.
    expect(_form(page, "Modifier le statut").get_by_label("Commentaire")).to_have_value("")
    engine.dispose()


def test_an_error_in_each_form_loses_nothing(page: Page, app_url: str, app_database: str):
    engine = make_engine(app_database)
    # Roadmap: no name given.
    form = _open_roadmap(page, app_url, "MP-04")
    _choose(page, form, "Nouveau statut", "bloqué")
    _field(form, "Commentaire").fill("Attente arbitrage")
    form.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_text("Indiquez votre nom : il est gardé dans l'historique.")).to_be_visible()
    expect(form.get_by_label("Commentaire")).to_have_value("Attente arbitrage")
    expect(form.get_by_role("combobox", name="Nouveau statut", exact=True)).to_have_value("bloqué")

    open_page(page, f"{app_url}/instances{QUERY}", role=PILOTAGE)
    page.get_by_label("Votre nom", exact=True).fill("Agnès")
    page.get_by_label("Votre nom", exact=True).press("Enter")
    wait_for_app_run(page)
    # New meeting without a title.
    meeting = _form(page, "Nouvelle réunion")
    meeting.get_by_role("combobox", name="Institutions présentes").click()
    page.keyboard.type("ARS")
    page.keyboard.press("Enter")
    page.keyboard.press("Escape")
    meeting.get_by_label("Notes").fill("Relevé important")
    meeting.get_by_role("button", name="Enregistrer la réunion").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Le titre de la réunion est vide.")).to_be_visible()
    expect(meeting.get_by_label("Notes")).to_have_value("Relevé important")
    expect(meeting.get_by_test_id("stMultiSelect")).to_contain_text("ARS")
    # New action without a text.
    action = _form(page, "Nouvelle décision ou action")
    action.get_by_label("Personne (facultatif)").fill("Marie Durand")
    action.get_by_role("button", name="Enregistrer", exact=True).click()
    wait_for_app_run(page)
    expect(page.get_by_text("Le texte de la décision ou de l'action est vide.")).to_be_visible()
    expect(action.get_by_label("Personne (facultatif)")).to_have_value("Marie Durand")
    # Edit an action: text emptied by mistake, the other changes stay.
    edit = _form(page, "Enregistrer les modifications")
    edit.get_by_label("Personne (facultatif)").fill("Paul Martin")
    edit.get_by_label("Libellé").fill("")
    edit.get_by_role("button", name="Enregistrer les modifications").click()
    wait_for_app_run(page)
    expect(edit.get_by_label("Personne (facultatif)")).to_have_value("Paul Martin")
    expect(page.get_by_text("Le texte de la décision ou de l'action est vide.")).to_be_visible()
    # Edit the chosen meeting: title emptied, the notes typed stay.
    edit_meeting = _form(page, "Enregistrer la réunion modifiée")
    edit_meeting.get_by_label("Notes, relevé de décisions").fill("Présents : tous")
    edit_meeting.get_by_label("Intitulé").fill("")
    edit_meeting.get_by_role("button", name="Enregistrer la réunion modifiée").click()
    wait_for_app_run(page)
    expect(edit_meeting.get_by_label("Notes, relevé de décisions")).to_have_value("Présents : tous")
    expect(page.get_by_text("Le titre de la réunion est vide.").first).to_be_visible()
    engine.dispose()


def test_edit_and_reopen_an_action(page: Page, app_url: str, app_database: str, artifacts: Path):
    engine = make_engine(app_database)
    with Session(engine) as session:
        done = session.scalar(
            select(MeetingAction.id)
            .where(MeetingAction.kind == "action", MeetingAction.status == "faite")
            .order_by(MeetingAction.id.desc())
            .limit(1)
        )
    assert done is not None
    open_page(page, f"{app_url}/instances{QUERY}", role=PILOTAGE)
    page.get_by_label("Votre nom", exact=True).fill("Agnès")
    page.get_by_label("Votre nom", exact=True).press("Enter")
    wait_for_app_run(page)
    _choose(page, page, "Décision ou action", re.compile(rf"^n° {done} — "), f"n° {done} —")
    edit = _form(page, "Enregistrer les modifications")
    expect(edit.get_by_role("combobox", name="Statut", exact=True)).to_have_value("faite")
    _choose(page, edit, "Statut", "en cours")
    edit.get_by_label("Personne (facultatif)").fill("Marie Durand")
    edit.get_by_label("Libellé").fill("Relancer la CAF sur les flux")
    edit.get_by_role("button", name="Enregistrer les modifications").click()
    wait_for_app_run(page)
    expect(page.get_by_text(f"N° {done} enregistrée (en cours).")).to_be_visible()
    page.screenshot(path=str(artifacts / "action-reopened.png"), full_page=True)
    action = read_action(engine, done)
    assert (action.status, action.owner_person, action.text) == (
        "en_cours",
        "Marie Durand",
        "Relancer la CAF sur les flux",
    )
    # Back to the page later: the name and the chosen action are remembered.
    nav = page.get_by_test_id("stSidebarNav")
    nav.get_by_role("link", name="Feuille de route").click()
    wait_for_app_run(page)
    expect(_form(page, "Modifier le statut").get_by_label("Votre nom", exact=True)).to_have_value(
        "Agnès"
    )
    nav.get_by_role("link", name="Instances").click()
    wait_for_app_run(page)
    expect(page.get_by_label("Votre nom", exact=True)).to_have_value("Agnès")
    expect(page.get_by_role("combobox", name="Décision ou action", exact=True)).to_have_value(
        re.compile(rf"^n° {done} — ")
    )
    with Session(engine) as session:  # leave the demo as it was for the other tests
        session.execute(
            update(MeetingAction).where(MeetingAction.id == done).values(status="faite")
        )
        session.commit()
    engine.dispose()


def test_a_late_step_opens_its_edit_form(page: Page, app_url: str):
    open_page(page, f"{app_url}{QUERY}", role=PILOTAGE)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Point hebdomadaire").click()
    wait_for_app_run(page)
    expect(page.get_by_text("Depuis le dernier point hebdomadaire", exact=True)).to_be_visible()
    choice = page.get_by_role("combobox", name="Mettre à jour une de ces étapes")
    step_id = (choice.input_value() or "").split(" — ")[0]
    assert re.fullmatch(r"[A-Z]{2}-\d{2}", step_id), step_id
    page.get_by_role("button", name="Ouvrir le formulaire").click()
    page.wait_for_url(re.compile(r"/feuille_de_route"))
    wait_for_app_run(page)
    expect(page.get_by_role("combobox", name="Étape", exact=True)).to_have_value(
        re.compile(rf"^{step_id} — ")
    )
    expect(_form(page, "Modifier le statut")).to_be_visible()
