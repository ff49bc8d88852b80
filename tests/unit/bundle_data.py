"""A small interchange bundle whose row counts were checked by hand, and database snapshots.

Persons (3): CAF-0001 (Guéret, caf), CAF-0002 (Aubusson, msa, exited), CAF-0003 (Guéret).
Invitations (3): two for CAF-0001 (the second a reminder), one convocation for CAF-0002.
Appointments (2), orientations (1), contracts (1), accompaniments (1), needs (3: mobilite,
famille via the Carnet de Bord theme contraintes_familiales, logement-hebergement via
logement), company actions (2: an immersion counted 2, an engagement with empty count = 1).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select

from data_access.schema import Base

BENEFICIARIES = (
    ("person_id,entry_date,commune_code,payer,subject_to_obligations,exit_date,birth_year,sex\n")
    + """CAF-0001,2024-01-15,23096,caf,oui,,1980,F
CAF-0002,15/02/2024,23008,msa,non,2024-06-30,,
CAF-0003,2024-03-01,23096,CAF,1,,1975,M
"""
)

INVITATIONS = """person_id;sent_date;kind;channel;is_reminder
CAF-0001;2024-01-20;invitation;sms;
CAF-0001;2024-01-27;invitation;sms;oui
CAF-0002;2024-02-20;convocation;postal;non
"""

APPOINTMENTS = """person_id,date,purpose,status,booked_after
CAF-0001,2024-02-01,orientation,seen,invitation
CAF-0002,2024-03-05,orientation,noshow,convocation
"""

ORIENTATIONS = """person_id,decision_date,orientation_type,organism
CAF-0001,2024-02-01,socio_pro,cd
"""

CONTRACTS = """person_id,signed_date,contract_type
CAF-0001,2024-02-20,cer
"""

ACCOMPANIMENTS = """person_id,referent_id,start_date,end_date,weekly_activity_hours
CAF-0001,REF-DUPONT,2024-02-20,,"17,5"
"""

NEEDS = """person_id,category,identified_date
CAF-0001,mobilite,2024-02-01
CAF-0001,contraintes_familiales,01/02/2024
CAF-0003,logement,2024-03-10
"""

COMPANY_ACTIONS = """date,company_id,action,count
2024-03-01,SIRET-12345678900011,immersion,2
2024-03-01,SIRET-12345678900011,engagement,
"""

VALID_BUNDLE = {
    "beneficiaries.csv": BENEFICIARIES,
    "invitations.csv": INVITATIONS,
    "appointments.csv": APPOINTMENTS,
    "orientations.csv": ORIENTATIONS,
    "contracts.csv": CONTRACTS,
    "accompaniments.csv": ACCOMPANIMENTS,
    "needs.csv": NEEDS,
    "company_actions.csv": COMPANY_ACTIONS,
}

EXPECTED_COUNTS = {
    "persons": 3,
    "invitations": 3,
    "appointments": 2,
    "orientations": 1,
    "contracts": 1,
    "accompaniments": 1,
    "needs": 3,
    "company_actions": 2,
}

RAW_IDENTIFIERS = ("CAF-0001", "CAF-0002", "CAF-0003", "REF-DUPONT", "SIRET-12345678900011")

IMPORT_TABLES = {"import_runs", "import_rejections", "import_changes"}


def as_bytes(files: dict[str, str], encoding: str = "utf-8") -> dict[str, bytes]:
    """The bundle's files encoded as a département's system would write them."""
    return {name: text.encode(encoding) for name, text in files.items()}


def write_bundle(directory: Path, files: dict[str, str], encoding: str = "utf-8") -> Path:
    """Write the files into ``directory`` (created) and return it."""
    directory.mkdir(parents=True, exist_ok=True)
    for name, data in as_bytes(files, encoding).items():
        (directory / name).write_bytes(data)
    return directory


def table_counts(engine: Engine) -> dict[str, int]:
    """Row count of every table of the schema."""
    with engine.connect() as conn:
        return {
            table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
            for table in Base.metadata.sorted_tables
        }


def data_snapshot(engine: Engine, *, with_run_ids: bool = True) -> dict[str, list[tuple]]:
    """Every row of every data table (import bookkeeping excluded), in a stable order."""
    snapshot: dict[str, list[tuple]] = {}
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name in IMPORT_TABLES:
                continue
            columns = [c for c in table.c if with_run_ids or c.name != "import_run_id"]
            rows = conn.execute(select(*columns)).all()
            snapshot[table.name] = sorted((tuple(r) for r in rows), key=repr)
    return snapshot


def all_text(engine: Engine) -> str:
    """Every value of every table (import bookkeeping included) as one string."""
    parts: list[Any] = []
    with engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)).all():
                parts.extend(str(value) for value in row)
    return "\n".join(parts)
