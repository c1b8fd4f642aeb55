"""The true population of the demo: households and the people in them, before any source garbles them."""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from datetime import date, timedelta

from synth import reference as ref

DEMO_TODAY = date(2026, 11, 24)


@dataclass(frozen=True)
class Address:
    number: str
    predir: str  # "North" ... or ""
    street: str
    suffix: str  # full word: "Street"
    unit: str  # "4B" or ""
    unit_kind: str  # "Apartment" | "Unit" | ""
    city: str
    state: str
    zip5: str
    zip4: str
    area: str  # the local telephone area code


@dataclass
class Household:
    hid: str
    kind: str  # single | couple | family | hall
    address: Address  # where they live now (or, for NCOA 01/02, the address they left)
    landline: str = ""
    members: list[str] = field(default_factory=list)
    old_address: Address | None = None  # set when they moved (NCOA return code A)
    move_code: str = ""  # "A", "01" (foreign), "02" (moved, left no address)
    move_date: date | None = None
    shared_email: str = ""


@dataclass
class Person:
    pid: str
    hid: str
    first: str
    last: str
    gender: str
    birth: date
    role: str  # head | partner | child | grandparent | single | resident
    email: str = ""
    alt_email: str = ""
    mobile: str = ""
    staff: bool = False
    deceased: bool = False
    death_date: date | None = None


@dataclass
class Population:
    households: list[Household]
    people: list[Person]

    def __post_init__(self) -> None:
        self.by_pid = {p.pid: p for p in self.people}
        self.by_hid = {h.hid: h for h in self.households}

    def household_of(self, person: Person) -> Household:
        return self.by_hid[person.hid]


def ascii_fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


class _Factory:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.addresses: set[tuple[str, ...]] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()
        self.people: list[Person] = []
        self.households: list[Household] = []
        self.cities = [c for c in ref.CITIES]
        self.city_weights = [c[4] for c in ref.CITIES]

    # -- places and numbers -------------------------------------------------------------------------
    def address(self, unit_share: float, near: Address | None = None) -> Address:
        rng = self.rng
        while True:
            if near is not None and rng.random() < 0.6:
                city = next(c for c in ref.CITIES if c[0] == near.city and c[1] == near.state)
            else:
                city = rng.choices(self.cities, weights=self.city_weights)[0]
            number = str(rng.randint(1, 999) if rng.random() < 0.85 else rng.randint(1000, 9899))
            predir = rng.choice(list(ref.DIRECTIONALS)) if rng.random() < 0.12 else ""
            street = rng.choice(ref.STREET_NAMES)
            suffix = rng.choices(list(ref.SUFFIXES), weights=ref.SUFFIX_WEIGHTS)[0]
            unit, unit_kind = "", ""
            if rng.random() < unit_share:
                unit = (
                    str(rng.randint(1, 6)) + rng.choice("AB")
                    if rng.random() < 0.3
                    else str(rng.randint(1, 420))
                )
                unit_kind = "Apartment" if rng.random() < 0.8 else "Unit"
            zip5 = rng.choice(city[2])
            key = (number, predir, street, suffix, unit, zip5)
            if key not in self.addresses:
                self.addresses.add(key)
                return Address(
                    number,
                    predir,
                    street,
                    suffix,
                    unit,
                    unit_kind,
                    city[0],
                    city[1],
                    zip5,
                    f"{rng.randint(1000, 9999)}",
                    rng.choice(city[3]),
                )

    def phone(self, area: str) -> str:
        while True:
            number = f"{area}555{self.rng.randint(0, 9999):04d}"
            if number not in self.phones:
                self.phones.add(number)
                return number

    def email(self, first: str, last: str, birth: date) -> str:
        rng = self.rng
        f = ascii_fold(first).lower().replace(" ", "")
        sur = "".join(ch for ch in ascii_fold(last).lower() if ch.isalpha())
        pattern = rng.randint(0, 5)
        local = [
            f"{f}.{sur}",
            f"{f}{sur}",
            f"{f[0]}{sur}",
            f"{f}_{sur}{rng.randint(1, 99)}",
            f"{f}.{sur}{birth.year % 100:02d}",
            f"{sur}.{f}",
        ][pattern]
        domain = rng.choice(ref.EMAIL_DOMAINS)
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    # -- people -------------------------------------------------------------------------------------
    def birth(self, age_lo: int, age_hi: int) -> date:
        days = self.rng.randint(age_lo * 365, age_hi * 365 + 364)
        return DEMO_TODAY - timedelta(days=days)

    def first_name(self, gender: str, avoid: tuple[str, ...] = ()) -> str:
        names = ref.MALE_FIRST if gender == "M" else ref.FEMALE_FIRST
        while True:
            name = self.rng.choice(names)
            if name not in avoid:
                return name

    def last_name(self) -> str:
        if self.rng.random() < 0.18:
            return self.rng.choice(ref.COMMON_LAST)
        return self.rng.choice(ref.LAST_NAMES)

    def person(self, hh: Household, role: str, gender: str, first: str, last: str, birth: date) -> Person:
        p = Person(f"P{len(self.people) + 1:05d}", hh.hid, first, last, gender, birth, role)
        p.email = self.email(first, last, birth)
        if self.rng.random() < 0.2:
            p.alt_email = self.email(first, last, birth)
        if self.rng.random() < (0.95 if role in ("child", "resident") else 0.8):
            p.mobile = self.phone(hh.address.area)
        self.people.append(p)
        hh.members.append(p.pid)
        return p

    def household(self, kind: str, address: Address) -> Household:
        hh = Household(f"H{len(self.households) + 1:05d}", kind, address)
        self.households.append(hh)
        return hh


def build_population(rng: random.Random, households: int = 1230) -> Population:
    """Draw the true households and people (ids P00001..., H00001... in creation order)."""
    f = _Factory(rng)
    for _ in range(households):
        roll = rng.random()
        if roll < 0.44:
            _single(f)
        elif roll < 0.70:
            _couple(f, with_children=False)
        else:
            _couple(f, with_children=True)
    for building in ref.BUILDINGS:
        _hall(f, building)
    pop = Population(f.households, f.people)
    _mark_moves(rng, pop, f)
    _mark_staff_and_deceased(rng, pop, f)
    return pop


def _single(f: _Factory) -> None:
    hh = f.household("single", f.address(0.45))
    gender = f.rng.choice("MF")
    f.person(hh, "single", gender, f.first_name(gender), f.last_name(), f.birth(21, 88))
    if f.rng.random() < 0.15:
        hh.landline = f.phone(hh.address.area)


def _couple(f: _Factory, with_children: bool) -> None:
    rng = f.rng
    hh = f.household("family" if with_children else "couple", f.address(0.15 if with_children else 0.3))
    g1 = rng.choice("MF")
    g2 = ("F" if g1 == "M" else "M") if rng.random() < 0.93 else g1
    surname = f.last_name()
    head = f.person(hh, "head", g1, f.first_name(g1), surname, f.birth(40 if with_children else 24, 80))
    single_parent = with_children and rng.random() < 0.18
    kids_surname = surname
    if not single_parent:
        style = rng.random()
        partner_last = surname
        if style < 0.18:
            partner_last = f.last_name()  # kept their own name
        elif style < 0.27:
            partner_last = f"{f.last_name()}-{surname}"  # hyphenated
            kids_surname = partner_last if rng.random() < 0.4 else surname
        age = (DEMO_TODAY - head.birth).days // 365
        f.person(
            hh,
            "partner",
            g2,
            f.first_name(g2, (head.first,)),
            partner_last,
            f.birth(max(21, age - 6), age + 5),
        )
    if with_children:
        parent_age = (DEMO_TODAY - head.birth).days // 365
        n_kids = rng.choice((1, 1, 2, 2, 3))
        twins = rng.random() < 0.02
        junior = g1 == "M" and rng.random() < 0.04
        taken = [f.people[-1 - i].first for i in range(len(hh.members))]
        for i in range(n_kids):
            g = rng.choice("MF")
            first = head.first if (junior and i == 0) else f.first_name(g, tuple(taken))
            if junior and i == 0:
                g = "M"
            taken.append(first)
            if twins and i == 1:
                birth = f.people[-1].birth
            else:
                birth = f.birth(18, max(18, min(27, parent_age - 20)))
            f.person(hh, "child", g, first, kids_surname, birth)
        if rng.random() < 0.1:
            g = rng.choice("MF")
            f.person(
                hh,
                "grandparent",
                g,
                f.first_name(g, tuple(taken)),
                f.last_name() if rng.random() < 0.5 else surname,
                f.birth(max(parent_age + 20, 70), max(parent_age + 28, 92)),
            )
    if rng.random() < (0.6 if with_children else 0.4):
        hh.landline = f.phone(hh.address.area)
    if rng.random() < 0.05:  # one inbox for the whole family
        hh.shared_email = f.email("the", head.last + "s", head.birth)


def _hall(f: _Factory, building: tuple[str, ...]) -> None:
    number, predir, street, suffix, city, state, zip5, area = building
    address = Address(
        number, predir, street, suffix, "", "", city, state, zip5, f"{f.rng.randint(1000, 9999)}", area
    )
    for _ in range(f.rng.randint(10, 16)):
        hh = f.household("hall", address)
        g = f.rng.choice("MF")
        f.person(hh, "resident", g, f.first_name(g), f.last_name(), f.birth(18, 23))


def _mark_moves(rng: random.Random, pop: Population, f: _Factory) -> None:
    """About 4% of households moved: most to a known new address (A), a few abroad (01) or unknown (02)."""
    candidates = [h for h in pop.households if h.kind != "hall"]
    chosen = rng.sample(candidates, 62)
    for i, hh in enumerate(chosen):
        hh.move_date = DEMO_TODAY - timedelta(days=rng.randint(28, 40) if i == 0 else rng.randint(28, 290))
        if i < 50:
            hh.move_code = "A"
            hh.old_address = f.address(0.3, near=hh.address)
        else:
            hh.move_code = "01" if i < 55 else "02"


def _mark_staff_and_deceased(rng: random.Random, pop: Population, f: _Factory) -> None:
    adults = [p for p in pop.people if p.role in ("head", "partner", "single")]
    for p in rng.sample(adults, 8):
        p.staff = True
        local = (
            ascii_fold(p.first).lower() + "." + "".join(c for c in ascii_fold(p.last).lower() if c.isalpha())
        )
        p.email = f"{local}@{ref.STAFF_DOMAIN}"
    elderly = [p for p in pop.people if (DEMO_TODAY - p.birth).days > 72 * 365 and not p.staff]
    for p in rng.sample(elderly, 12):
        p.deceased = True
        p.death_date = DEMO_TODAY - timedelta(days=rng.randint(20, 400))
