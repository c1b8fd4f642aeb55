"""How sources garble the truth: typos, nicknames, case, phone and address spellings, lost ZIP zeros."""

from __future__ import annotations

import random

from synth import reference as ref
from synth.population import Address, ascii_fold

_KEYBOARD = {
    "a": "qsz",
    "b": "vn",
    "c": "xv",
    "d": "sf",
    "e": "wr",
    "f": "dg",
    "g": "fh",
    "h": "gj",
    "i": "uo",
    "j": "hk",
    "k": "jl",
    "l": "k",
    "m": "n",
    "n": "bm",
    "o": "ip",
    "p": "o",
    "q": "w",
    "r": "et",
    "s": "ad",
    "t": "ry",
    "u": "yi",
    "v": "cb",
    "w": "qe",
    "x": "zc",
    "y": "tu",
    "z": "x",
}


def typo(rng: random.Random, word: str) -> str:
    """One-letter edit (substitute a neighbouring key, drop, double or swap a letter), rarely the first."""
    if len(word) < 4:
        return word
    i = rng.randint(1, len(word) - 2) if rng.random() < 0.9 else 0
    ch = word[i]
    if not ch.isalpha():
        return word
    kind = rng.randint(0, 3)
    if kind == 0 and ch.lower() in _KEYBOARD:
        new = rng.choice(_KEYBOARD[ch.lower()])
        return word[:i] + (new.upper() if ch.isupper() else new) + word[i + 1 :]
    if kind == 1:
        return word[:i] + word[i + 1 :]
    if kind == 2:
        return word[:i] + ch + word[i:]
    if word[i + 1].isalpha():
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word[:i] + word[i + 1 :]


def cased(rng: random.Random, text: str, p_upper: float, p_lower: float) -> str:
    roll = rng.random()
    if roll < p_upper:
        return text.upper()
    if roll < p_upper + p_lower:
        return text.lower()
    return text


def first_name(rng: random.Random, first: str, *, p_nick: float, p_typo: float, p_fold: float) -> str:
    name = first
    if first in ref.NICKNAMES and rng.random() < p_nick:
        name = rng.choice(ref.NICKNAMES[first])
    elif rng.random() < p_typo:
        name = typo(rng, name)
    if rng.random() < p_fold:
        name = ascii_fold(name)
    return name


def last_name(rng: random.Random, last: str, *, p_typo: float, p_fold: float, p_form: float) -> str:
    name = last
    if rng.random() < p_form:  # how people write the awkward ones
        if "'" in name:
            name = rng.choice((name.replace("'", ""), name.replace("'", " ")))
        elif name.startswith("St. "):
            name = rng.choice(("St " + name[4:], "Saint " + name[4:]))
        elif " " in name:
            name = rng.choice((name.replace(" ", ""), name.title()))
        elif "-" in name:
            name = rng.choice(name.split("-"))
    elif rng.random() < p_typo:
        name = typo(rng, name)
    if rng.random() < p_fold:
        name = ascii_fold(name)
    return name


def phone(rng: random.Random, digits: str, styles: tuple[str, ...]) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    style = rng.choice(styles)
    return {
        "dash": f"{a}-{b}-{c}",
        "paren": f"({a}) {b}-{c}",
        "dot": f"{a}.{b}.{c}",
        "intl": f"+1 {a} {b} {c}",
        "plain": digits,
        "one": f"1-{a}-{b}-{c}",
    }[style]


def email(rng: random.Random, address: str, p_case: float) -> str:
    if rng.random() >= p_case:
        return address
    local, domain = address.split("@")
    roll = rng.random()
    if roll < 0.4:
        return address.upper()
    if roll < 0.8:
        return ".".join(part.capitalize() for part in local.split(".")) + "@" + domain.capitalize()
    return local + "@" + domain.upper()


def street(addr: Address, style: str) -> str:
    """The street line (no unit) in a style: full | abbr | dot | upper | typed."""
    predir, suffix = addr.predir, addr.suffix
    if style in ("abbr", "upper", "typed"):
        predir, suffix = ref.DIRECTIONALS.get(predir, predir), ref.SUFFIXES[suffix]
    elif style == "dot":
        predir = ref.DIRECTIONALS[predir] + "." if predir else ""
        suffix = ref.SUFFIXES[suffix] + ("." if ref.SUFFIXES[suffix] != suffix else "")
    text = " ".join(part for part in (addr.number, predir, addr.street, suffix) if part)
    if style == "upper":
        return text.upper()
    if style == "typed":
        return text.lower()
    return text


def unit(addr: Address, style: str) -> str:
    """The unit in a style: full | abbr | dot | hash | upper."""
    if not addr.unit:
        return ""
    kind = addr.unit_kind
    if style == "full":
        return f"{kind} {addr.unit}"
    if style == "hash":
        return f"#{addr.unit}"
    short = "Apt" if kind == "Apartment" else "Unit"
    if style == "dot" and short == "Apt":
        return f"Apt. {addr.unit}"
    if style == "upper":
        return f"{short.upper()} {addr.unit}"
    return f"{short} {addr.unit}"


def postal_code(rng: random.Random, addr: Address, *, p_lost_zero: float, p_plus4: float) -> str:
    if addr.zip5.startswith("0") and rng.random() < p_lost_zero:
        return str(int(addr.zip5))  # a spreadsheet ate the leading zero: 02134 -> 2134
    if rng.random() < p_plus4:
        return f"{addr.zip5}-{addr.zip4}"
    return addr.zip5


def state(rng: random.Random, code: str, *, p_name: float, p_lower: float = 0.0) -> str:
    roll = rng.random()
    if roll < p_name:
        return ref.STATE_NAMES[code]
    if roll < p_name + p_lower:
        return code.lower()
    return code


def city(rng: random.Random, name: str, *, p_upper: float, p_typo: float = 0.0) -> str:
    text = typo(rng, name) if rng.random() < p_typo else name
    return text.upper() if rng.random() < p_upper else text


def country(rng: random.Random) -> str:
    return rng.choices(("US", "USA", "United States", "", "us"), weights=(45, 20, 12, 20, 3))[0]
