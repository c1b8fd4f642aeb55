"""The customer view's jobs: read one person's view, erase a person (each under the TUI's database turn)."""

from __future__ import annotations

from typing import Any

from workbench.store import Store
from workbench.tui.jobs import database_job, reading


def read_customer(store: Store, person_id: int) -> dict[str, Any]:
    """:func:`workbench.contacts.customer.customer_view` of ``person_id``."""
    from workbench.contacts.customer import customer_view

    with reading(store) as conn:
        return customer_view(conn, person_id)


def erase_person(store: Store, person_id: int, reason: str) -> Any:
    """Erasure on request (:func:`workbench.privacy.erase`); cannot be undone."""
    from workbench.privacy import erase

    with database_job(store):
        return erase(store, person_id=person_id, reason=reason)
