"""Which people each people source knows, and how that source wrote them down (one Account per key)."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from synth import reference as ref
from synth import variants as v
from synth.population import Address, Household, Person, Population

HISTORY_START = datetime(2024, 5, 20)
FIRST_DAILY = datetime(2026, 11, 20, 5, 30)  # the first daily ecom extract is cut at 05:30
LAST_CUT = datetime(2026, 11, 24, 5, 30)


@dataclass
class Account:
    """One record of one source: the person behind it and the values the source holds."""

    source: str
    key: str
    pid: str
    created: datetime
    values: dict[str, str]
    update: tuple[datetime, dict[str, str]] | None = None  # a later change inside the demo window
    bad: str = ""  # why a loader must reject this row ("" = a good row)

    def values_at(self, cut: datetime) -> tuple[dict[str, str], datetime]:
        if self.update and self.update[0] < cut:
            return {**self.values, **self.update[1]}, self.update[0]
        return self.values, self.created


@dataclass
class Accounts:
    ecom: list[Account] = field(default_factory=list)
    pos: list[Account] = field(default_factory=list)
    web: list[Account] = field(default_factory=list)

    def all(self) -> list[Account]:
        return self.ecom + self.pos + self.web


def build_accounts(rng: random.Random, pop: Population) -> Accounts:
    acc = Accounts()
    web_pool, web_known = [], []
    for p in pop.people:
        hh = pop.household_of(p)
        moved = hh.move_code == "A"
        in_ecom = moved or p.staff or rng.random() < (0.7 if p.role == "resident" else 0.55)
        in_pos = moved or rng.random() < (0.15 if p.role == "resident" else 0.42)
        if in_ecom:
            new_addr = not moved or rng.random() < 0.6
            acc.ecom.append(_ecom(rng, p, hh, hh.address if new_addr else hh.old_address))
            if rng.random() < 0.035:  # a second web account: other email, nickname, typed differently
                acc.ecom.append(_ecom(rng, p, hh, hh.address if new_addr else hh.old_address, second=True))
        if in_pos:
            acc.pos.append(_pos(rng, p, hh, hh.old_address if moved else hh.address))
            if rng.random() < 0.02:  # lost card, new card
                acc.pos.append(_pos(rng, p, hh, hh.address))
        (web_known if (in_ecom or in_pos) else web_pool).append(p)
    web_people = rng.sample(web_known, 245) + rng.sample(web_pool, 185)
    rng.shuffle(web_people)
    for p in web_people:
        acc.web.append(_web(rng, p, pop.household_of(p)))
    _date_ecom(rng, acc.ecom, pop)
    _key_accounts(rng, acc)
    return acc


# -- one record per source -------------------------------------------------------------------------
def _email(rng: random.Random, p: Person, hh: Household, p_alt: float) -> str:
    if hh.shared_email and p.role in ("head", "partner") and rng.random() < 0.6:
        return hh.shared_email
    if p.alt_email and rng.random() < p_alt:
        return p.alt_email
    return p.email


def _phone(rng: random.Random, p: Person, hh: Household, p_blank: float, styles: tuple[str, ...]) -> str:
    if rng.random() < p_blank:
        return ""
    number = p.mobile if p.mobile and (not hh.landline or rng.random() < 0.7) else hh.landline
    return v.phone(rng, number, styles) if number else ""


def _address_fields(rng: random.Random, a: Address, street_styles, unit_styles, p_inline: float) -> tuple:
    line1 = v.street(a, rng.choice(street_styles))
    line2 = v.unit(a, rng.choice(unit_styles))
    if line2 and rng.random() < p_inline:
        line1, line2 = f"{line1} {line2}", ""
    return line1, line2


def _ecom(rng: random.Random, p: Person, hh: Household, a: Address, second: bool = False) -> Account:
    first = v.first_name(rng, p.first, p_nick=0.5 if second else 0.06, p_typo=0.03, p_fold=0.3)
    last = v.last_name(rng, p.last, p_typo=0.02, p_fold=0.3, p_form=0.3)
    line1, line2 = _address_fields(
        rng, a, ("full", "full", "abbr", "dot"), ("full", "abbr", "dot", "hash"), 0.12
    )
    email = p.alt_email if second and p.alt_email else _email(rng, p, hh, 0.1)
    if second and email == p.email:
        email = email.replace("@", f"{rng.randint(2, 99)}@")
    values = {
        "first_name": v.cased(rng, first, 0.03, 0.03),
        "last_name": v.cased(rng, last, 0.03, 0.02),
        "address_line1": line1,
        "address_line2": line2,
        "city": v.city(rng, a.city, p_upper=0.05, p_typo=0.01),
        "state": v.state(rng, a.state, p_name=0.2, p_lower=0.03),
        "postal_code": v.postal_code(rng, a, p_lost_zero=0.12, p_plus4=0.1),
        "country": v.country(rng),
        "email": v.email(rng, email, 0.1),
        "phone": _phone(rng, p, hh, 0.08, ("dash", "paren", "dot", "intl", "plain")),
        "birth_date": p.birth.isoformat() if rng.random() < 0.6 else "",
    }
    return Account("ecom_customers", "", p.pid, HISTORY_START, values)


def _pos(rng: random.Random, p: Person, hh: Household, a: Address) -> Account:
    first = v.first_name(rng, p.first, p_nick=0.18, p_typo=0.04, p_fold=0.1)
    last = v.last_name(rng, p.last, p_typo=0.03, p_fold=0.1, p_form=0.25)
    line1, line2 = _address_fields(rng, a, ("upper", "abbr", "abbr", "dot"), ("hash", "upper", "abbr"), 0.3)
    caps = rng.random() < 0.45  # the till was in CAPS LOCK for the whole record
    if caps:
        first, last, line1, line2 = first.upper(), last.upper(), line1.upper(), line2.upper()
    values = {
        "first_name": first,
        "last_name": last,
        "address_line1": line1,
        "address_line2": line2,
        "city": v.city(rng, a.city, p_upper=1.0 if caps else 0.1, p_typo=0.02),
        "state": v.state(rng, a.state, p_name=0.03),
        "postal_code": v.postal_code(rng, a, p_lost_zero=0.3, p_plus4=0.0),
        "email": v.email(rng, _email(rng, p, hh, 0.2), 0.25) if rng.random() < 0.6 else "",
        "phone": _phone(rng, p, hh, 0.12, ("paren", "dash", "dot", "plain")),
        "birth_date": p.birth.strftime("%m/%d/%Y") if rng.random() < 0.5 else "",
        "home_store": rng.choice(ref.STORES),
    }
    enrolled = datetime(2019, 1, 1) + timedelta(days=rng.randint(0, 2870))
    return Account("pos_loyalty", "", p.pid, enrolled, values)


def _web(rng: random.Random, p: Person, hh: Household) -> Account:
    a = hh.address
    sparse = rng.random() < 0.35
    first = v.first_name(rng, p.first, p_nick=0.22, p_typo=0.04, p_fold=0.5)
    last = v.last_name(rng, p.last, p_typo=0.03, p_fold=0.5, p_form=0.35)
    line1, line2 = (
        ("", "")
        if sparse
        else _address_fields(rng, a, ("typed", "abbr", "dot", "full"), ("hash", "abbr", "dot", "full"), 0.2)
    )
    values = {
        "first_name": v.cased(rng, first, 0.02, 0.12),
        "last_name": v.cased(rng, last, 0.02, 0.1),
        "address_line1": line1,
        "address_line2": line2,
        "city": "" if sparse else v.city(rng, a.city, p_upper=0.02, p_typo=0.03),
        "state": "" if sparse else v.state(rng, a.state, p_name=0.3, p_lower=0.1),
        "postal_code": v.postal_code(rng, a, p_lost_zero=0.05, p_plus4=0.05),
        "email": v.email(rng, _email(rng, p, hh, 0.15), 0.08),
        "phone": v.phone(rng, p.mobile, ("dash", "paren", "dot", "intl", "plain", "one"))
        if p.mobile and rng.random() < 0.55
        else "",
        "birth_date": p.birth.isoformat() if rng.random() < 0.4 else "",
        "utm_source": rng.choice(ref.UTM_SOURCES),
    }
    return Account("web_signups", "", p.pid, HISTORY_START, values)


# -- dates and keys --------------------------------------------------------------------------------
def _date_ecom(rng: random.Random, ecom: list[Account], pop: Population) -> None:
    """Account creation dates over 2.5 years; ~65 brand-new ones in the last week (first-time buyers)."""
    span = int((FIRST_DAILY - timedelta(days=7) - HISTORY_START).total_seconds())
    newest = set(rng.sample(range(len(ecom)), 65))
    week_start = FIRST_DAILY - timedelta(days=3, hours=12)
    week_span = int((LAST_CUT - week_start).total_seconds()) - 60
    for i, account in enumerate(ecom):
        if i in newest:
            account.created = week_start + timedelta(seconds=rng.randint(0, week_span))
        else:
            account.created = HISTORY_START + timedelta(seconds=rng.randint(0, span))
    # Three movers update their address inside the demo window: old address first, new one later.
    moved = _moved_pids(pop)
    movers = [a for a in ecom if a.pid in moved and a.created < FIRST_DAILY - timedelta(days=30)]
    updated = 0
    for account in movers:
        if updated == 3:
            break
        p = pop.by_pid[account.pid]
        hh = pop.household_of(p)
        line1, line2 = _address_fields(rng, hh.address, ("full",), ("abbr",), 0.0)
        if _norm(account.values["address_line1"]) == _norm(line1):
            continue
        when = FIRST_DAILY + timedelta(hours=rng.randint(6, 60), minutes=rng.randint(0, 59))
        updated += 1
        account.update = (
            when,
            {
                "address_line1": line1,
                "address_line2": line2,
                "city": hh.address.city,
                "state": hh.address.state,
                "postal_code": hh.address.zip5,
            },
        )


def _moved_pids(pop: Population) -> set[str]:
    return {pid for h in pop.households if h.move_code == "A" for pid in h.members}


def _norm(text: str) -> str:
    return text.lower().replace(".", "")


def _key_accounts(rng: random.Random, acc: Accounts) -> None:
    acc.ecom.sort(key=lambda a: (a.created, a.pid))
    number = 104200
    for a in acc.ecom:
        number += rng.randint(1, 4)
        a.key = f"C{number}"
    acc.pos.sort(key=lambda a: (a.created, a.pid))
    cards: set[str] = set()
    for a in acc.pos:
        while not a.key or a.key in cards:
            a.key = f"70{rng.randint(0, 99_999_999):08d}"
        cards.add(a.key)
    seen: set[str] = set()
    for a in acc.web:
        while not a.key or a.key in seen:
            a.key = f"wv-{rng.getrandbits(40):010x}"
        seen.add(a.key)
