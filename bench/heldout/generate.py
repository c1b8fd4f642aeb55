"""Held-out population generator: persons, households, three people sources, eight list files, and truth.

    python bench/heldout/generate.py --persons 100000 --seed 11 --out bench/out/heldout_100k

Written apart from ``demo_db/`` and ``bench/synth.py`` (the sets workbench is tuned on), with its own
vocabularies, rates, corruptions and formats:

- names: Faker en_US first names (by sex) and surnames, drawn with Faker's census weights; streets
  named after people (Faker's own street format) or numbered (``3RD``, ``117TH``), Faker's full suffix
  list (common ones weighted up), pre- and post-directionals; towns from Faker's city formats, ZIPs
  inside the state's real range; domains Faker's free-mail ones plus ``.test`` ones;
- households: sizes 1-6, families (one surname), couples with two surnames (sharing a landline and
  often an inbox), hyphenated couples, roommates (different surnames at one door, nothing shared: separate households in the truth),
  apartment buildings (one door, units), 14% of households moved (old address on older records),
  a few people moved abroad (an NCOA 01 row);
- records: ~1.35 per person over ``crm`` (parquet), ``shop`` (';' CSV, upper case, its own column
  names) and ``events`` (ndjson, lower case, many records without a street), within-source second
  accounts; nicknames from the ``nicknames`` package both ways (record has the nickname, or the person's
  name is the nickname); a typo model of keyboard neighbours, doubled letters (CHESTNUTT), dropped
  letters, transpositions and vowel swaps (MAPEL); directionals and units on one side only; ZIP-less
  street lines that keep city and state; ZIP+4; phone and date formats per source;
- lists: ``mail_preference`` (name + address, mail), ``deceased`` (name + address + birth date, all
  channels), ``do_not_call`` (no header, area code + number), ``email_unsubscribes``, ``email_bounces``
  (hard and soft: only hard suppresses), ``brand_optouts`` (email, per brand), ``staff`` (email, all
  channels), ``ncoa`` (moves: A with the new address, 01 moved abroad, 00 no match). Name + address
  entries often give an older address of the person, a nickname, another suffix or unit style; **near
  misses** (same surname and door as a person, a first name of nobody there) and strangers must
  suppress nobody.

Truth, beside the files: ``truth.csv`` (source,source_key,person_id,household_id,old_address per people
record; ``old_address``: the record carries the address its household moved away from),
``truth_persons.csv`` (person_id,household_id,first_name,last_name,birth_date,mail_suppressed,...),
``truth_lists.csv`` (list,row,person_id,kind: per list row, the true person or blank, and whether it is
an entry, a near miss, a stranger or a row a loader must skip). Deterministic for a given --persons and
--seed.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import polars as pl

SOURCES = ("crm", "shop", "events")
NOW = "2026-11-20T08:00:00"
BRANDS = ("lumen", "harbor", "quill")

# USPS Publication 28 abbreviations for the suffixes drawn most often (others are always spelt out).
COMMON_SUFFIX = {
    "Street": "St",
    "Avenue": "Ave",
    "Road": "Rd",
    "Drive": "Dr",
    "Lane": "Ln",
    "Court": "Ct",
    "Place": "Pl",
    "Way": "Way",
    "Circle": "Cir",
    "Boulevard": "Blvd",
    "Terrace": "Ter",
    "Trail": "Trl",
    "Parkway": "Pkwy",
    "Highway": "Hwy",
    "Loop": "Loop",
    "Square": "Sq",
    "Crossing": "Xing",
    "Ridge": "Rdg",
    "Heights": "Hts",
    "Point": "Pt",
}
DIRECTIONS = {
    "N": "North",
    "S": "South",
    "E": "East",
    "W": "West",
    "NE": "Northeast",
    "NW": "Northwest",
    "SE": "Southeast",
    "SW": "Southwest",
}
KEYBOARD = ["qwertyuiop", "asdfghjkl", "zxcvbnm"]
VOWELS = "AEIOU"


def _S(name, values=None):  # noqa: N802
    """A polars Series from a list or numpy array (object arrays with None become nullable strings)."""
    if values is None:
        return pl.Series(name)
    if isinstance(values, np.ndarray) and values.dtype == object:
        return pl.Series(name, values.tolist(), dtype=pl.String)
    if isinstance(values, list) and values and all(v is None or isinstance(v, str) for v in values):
        return pl.Series(name, values, dtype=pl.String)
    return pl.Series(name, values)


def _neighbours() -> dict[str, str]:
    pos = {c: (r, i) for r, row in enumerate(KEYBOARD) for i, c in enumerate(row)}
    out = {}
    for c, (r, i) in pos.items():
        near = [d for d, (r2, i2) in pos.items() if d != c and abs(r2 - r) <= 1 and abs(i2 - i) <= 1]
        out[c.upper()] = "".join(sorted(near)).upper()
    return out


NEAR = _neighbours()


def typo(word: str, u: float, v: float) -> str:
    """One corruption of an upper-case word, chosen by u and placed by v (both in [0, 1))."""
    if not word or len(word) < 4:
        return word
    i = 1 + int(v * (len(word) - 2))  # never the first letter
    c = word[i]
    if u < 0.30 and c in NEAR:  # a keyboard neighbour
        near = NEAR[c]
        return word[:i] + near[int(v * 997) % len(near)] + word[i + 1 :]
    if u < 0.50:  # transposition
        return (
            word[:i] + word[i + 1 : i + 2] + c + word[i + 2 :]
            if i + 1 < len(word)
            else word[: i - 1] + c + word[i - 1]
        )
    if u < 0.65:  # a doubled letter (CHESTNUTT)
        j = len(word) - 1 if v < 0.5 else i
        return word[: j + 1] + word[j] + word[j + 1 :]
    if u < 0.80:  # a dropped letter
        return word[:i] + word[i + 1 :]
    vowels = [k for k in range(1, len(word) - 1) if word[k] in VOWELS]  # MAPLE -> MAPEL, vowel swaps
    if len(word) >= 5 and word[-1] == "E" and word[-2] not in VOWELS:
        return word[:-2] + "E" + word[-2]
    if vowels:
        k = vowels[int(v * 991) % len(vowels)]
        return word[:k] + VOWELS[(VOWELS.index(word[k]) + 1 + int(v * 7)) % 5] + word[k + 1 :]
    return word[:i] + word[i + 1 :]


def _vocab(seed: int, n_towns: int, rng: np.random.Generator):
    from faker import Faker
    from faker.providers.address.en_US import Provider as Address
    from faker.providers.internet.en_US import Provider as Internet
    from faker.providers.person.en_US import Provider as Person

    def weighted(d):
        names = [k.upper() for k in d]
        w = np.array(list(d.values()), dtype=float)
        return np.array(names, dtype=object), w / w.sum()

    male, wm = weighted(Person.first_names_male)
    female, wf = weighted(Person.first_names_female)
    last, wl = weighted(Person.last_names)
    fake = Faker("en_US")
    fake.seed_instance(seed)
    states = [s for s in Address.states_abbr if s in Address.states_postcode]
    towns = []
    seen = set()
    while len(towns) < n_towns:
        name = fake.city().upper()
        state = states[int(rng.integers(len(states)))]
        if (name, state) in seen:
            continue
        seen.add((name, state))
        lo, hi = Address.states_postcode[state]
        zips = sorted({f"{int(z):05d}" for z in rng.integers(lo, hi + 1, size=1 + int(rng.integers(3)))})
        towns.append((name, state, zips))
    suffixes = sorted(set(Address.street_suffixes))
    domains = list(Internet.free_email_domains) + ["inbox.test", "post.test", "mailbox.test", "fastmail.test"]
    return male, wm, female, wf, last, wl, towns, suffixes, domains


def _nicknames() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """formal -> nicknames and nickname -> formals, from the ``nicknames`` package (many-to-many)."""
    import nicknames as nn

    path = Path(nn.__file__).parent / "names.csv"
    to_nick: dict[str, list[str]] = {}
    to_formal: dict[str, list[str]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["relationship"] != "has_nickname":
                continue
            a, b = row["name1"].upper(), row["name2"].upper()
            to_nick.setdefault(a, []).append(b)
            to_formal.setdefault(b, []).append(a)
    return to_nick, to_formal


def _ordinal(n: int) -> str:
    suffix = "TH" if 10 <= n % 100 <= 20 else {1: "ST", 2: "ND", 3: "RD"}.get(n % 10, "TH")
    return f"{n}{suffix}"


def _phone(rng: np.random.Generator, n: int) -> np.ndarray:
    area = rng.integers(201, 990, size=n)
    exch = rng.integers(200, 1000, size=n)
    line = rng.integers(0, 10000, size=n)
    return np.array([f"{a}{e:03d}{x:04d}" for a, e, x in zip(area, exch, line, strict=True)], dtype=object)


def _households(
    n_persons: int, rng: np.random.Generator, v
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Households (with their current and old address) and persons."""
    male, wm, female, wf, last, wl, towns, suffixes, domains = v
    sizes_p = np.array([0.29, 0.34, 0.16, 0.13, 0.06, 0.02])
    est = int(1.2 * n_persons / float((sizes_p * np.arange(1, 7)).sum())) + 10
    sizes = rng.choice(np.arange(1, 7), size=est, p=sizes_p)
    cum = np.cumsum(sizes)
    n_h = int(np.searchsorted(cum, n_persons)) + 1
    sizes = sizes[:n_h]
    sizes[-1] -= cum[n_h - 1] - n_persons
    if sizes[-1] <= 0:
        sizes[-1] = 1
    n_persons = int(sizes.sum())

    # streets: named after people (Faker's street format) or numbered, each in one town
    n_streets = max(30, n_h // 18)
    common = list(COMMON_SUFFIX)
    cw = np.array([30, 22, 14, 10, 7, 4, 4, 3, 3, 3, 2, 2, 1.5, 1, 1, 1, 1, 1, 1, 1], dtype=float)
    st_name = np.where(
        rng.random(n_streets) < 0.55,
        rng.choice(last, n_streets, p=wl),
        np.where(
            rng.random(n_streets) < 0.85,
            rng.choice(np.concatenate([male[:200], female[:200]]), n_streets),
            np.array([_ordinal(int(k)) for k in rng.integers(1, 140, n_streets)], dtype=object),
        ),
    )
    st_suffix = np.where(
        rng.random(n_streets) < 0.82,
        rng.choice(common, n_streets, p=cw / cw.sum()),
        rng.choice(suffixes, n_streets),
    )
    r = rng.random(n_streets)
    st_pre = np.where(r < 0.11, rng.choice(list(DIRECTIONS), n_streets), None)
    st_post = np.where((r >= 0.11) & (r < 0.14), rng.choice(["NE", "NW", "SE", "SW"], n_streets), None)
    st_town = rng.integers(0, len(towns), n_streets)

    # addresses: twice the households (current + old for movers); apartment buildings share a door
    n_a = 2 * n_h
    street = (rng.zipf(1.6, n_a) * 7919 + rng.integers(0, n_streets, n_a)) % n_streets
    number = np.minimum(np.exp(rng.normal(6.0, 1.5, n_a)).astype(int) + 1, 29999)
    apt = rng.random(n_a) < 0.2
    n_buildings = max(1, int(apt.sum() // 7))
    b_street = rng.integers(0, n_streets, n_buildings)
    b_number = rng.integers(1, 3000, n_buildings)
    b = rng.integers(0, n_buildings, n_a)
    street = np.where(apt, b_street[b], street)
    number = np.where(apt, b_number[b], number)
    addr = pl.DataFrame({"a": np.arange(n_a), "street": street, "number": number, "apt": apt})
    # unit: the rank within the building; a second door of a house that repeats gets a new number
    addr = addr.with_columns(pl.col("a").rank("ordinal").over(["street", "number"]).alias("k"))
    addr = addr.with_columns(
        pl.when(pl.col("apt")).then(pl.col("k")).otherwise(None).alias("unit_n"),
        pl.when(~pl.col("apt") & (pl.col("k") > 1))
        .then(pl.col("number") * 10 + pl.col("k") + 30000)
        .otherwise(pl.col("number"))
        .alias("number"),
    )
    # same street+number for a house and a building: move the house
    addr = addr.with_columns(pl.col("apt").any().over(["street", "number"]).alias("bld"))
    addr = addr.with_columns(
        pl.when(~pl.col("apt") & pl.col("bld"))
        .then(pl.col("number") + 40000)
        .otherwise(pl.col("number"))
        .alias("number")
    )
    unit_style = rng.random(n_a)
    addr = addr.with_columns(_S("unit_style", unit_style)).with_columns(
        pl.when(pl.col("unit_n").is_null())
        .then(None)
        .when(pl.col("unit_style") < 0.5)
        .then(pl.col("unit_n").cast(pl.String))
        .when(pl.col("unit_style") < 0.8)
        .then(
            ((pl.col("unit_n") - 1) // 4 + 1).cast(pl.String)
            + pl.col("unit_n").mod(4).replace_strict({0: "D", 1: "A", 2: "B", 3: "C"})
        )
        .otherwise((((pl.col("unit_n") - 1) // 6 + 1) * 100 + (pl.col("unit_n") - 1) % 6 + 1).cast(pl.String))
        .alias("unit")
    )
    town = st_town[addr["street"].to_numpy()]
    zip_pick = rng.random(n_a)
    zips = [towns[t][2][int(z * len(towns[t][2]))] for t, z in zip(town, zip_pick, strict=True)]
    addr = addr.with_columns(
        _S("street_name", st_name[addr["street"].to_numpy()]),
        _S("suffix", st_suffix[addr["street"].to_numpy()]),
        _S("pre", st_pre[addr["street"].to_numpy()]),
        _S("post", st_post[addr["street"].to_numpy()]),
        _S("city", [towns[t][0] for t in town]),
        _S("state", [towns[t][1] for t in town]),
        _S("zip", zips),
    ).drop("k", "bld", "unit_style", "unit_n")

    hh = pl.DataFrame({"h": np.arange(n_h), "size": sizes})
    u = rng.random((n_h, 6))
    kind = np.where(sizes == 1, "single", np.where(u[:, 0] < 0.06, "roommates", "family"))
    couple = np.where(
        kind != "family", "none", np.where(u[:, 1] < 0.74, "same", np.where(u[:, 1] < 0.93, "two", "hyphen"))
    )
    moved = u[:, 2] < 0.14
    hh = hh.with_columns(
        _S("kind", kind),
        _S("couple", couple),
        _S("moved", moved),
        _S("addr", np.arange(n_h)),
        _S("old_addr", np.where(moved, n_h + np.arange(n_h), -1)),
        _S("move_day", rng.integers(0, 1000, n_h)),  # days before NOW
        _S("landline", np.where((u[:, 3] < 0.33) & (kind != "roommates"), _phone(rng, n_h), None)),
        _S("surname", rng.choice(last, n_h, p=wl)),
        _S("surname2", rng.choice(last, n_h, p=wl)),
        _S("share_email", (u[:, 4] < 0.35) & (couple == "two")),
        _S("head_age", rng.integers(22, 88, n_h)),
        _S("abroad", (sizes == 1) & (u[:, 5] < 0.004)),
    )
    hh = hh.with_columns(
        pl.when(pl.col("old_addr") < 0).then(None).otherwise(pl.col("old_addr")).alias("old_addr")
    )

    p = (
        hh.select("h", "size", "kind", "couple", "surname", "surname2", "head_age", "landline", "share_email")
        .with_columns(pl.int_ranges(0, pl.col("size")).alias("m"))
        .explode("m")
    )
    n = p.height
    up = rng.random((n, 8))
    p = p.with_columns(_S("u_sex", up[:, 0]), _S("u_sn", up[:, 1]))
    sex_m = np.where(p["m"].to_numpy() == 1, up[:, 0] < 0.07, up[:, 0] < 0.5)  # partner mostly other sex
    head_male = np.repeat(
        sex_m[p["m"].to_numpy() == 0], p.group_by("h", maintain_order=True).len()["len"].to_numpy()
    )
    sex_m = np.where(p["m"].to_numpy() == 1, np.where(up[:, 0] < 0.07, head_male, ~head_male), sex_m)
    first = np.where(sex_m, rng.choice(male, n, p=wm), rng.choice(female, n, p=wf))
    alt = np.where(sex_m, rng.choice(male, n, p=wm), rng.choice(female, n, p=wf))
    other_last = rng.choice(last, n, p=wl)
    p = p.with_columns(_S("male", sex_m), _S("first", first), _S("alt", alt), _S("other_last", other_last))
    # no two members of a household with one first name
    p = p.with_columns(
        pl.when(pl.col("first").is_first_distinct().over("h"))
        .then(pl.col("first"))
        .otherwise(pl.col("alt"))
        .alias("first")
    )
    p = p.with_columns(
        pl.when(pl.col("kind") == "roommates")
        .then(pl.when(pl.col("m") == 0).then(pl.col("surname")).otherwise(pl.col("other_last")))
        .when((pl.col("couple") == "two") & (pl.col("m") == 1))
        .then(pl.col("surname2"))
        .when((pl.col("couple") == "hyphen") & (pl.col("m") >= 1))
        .then(pl.col("surname") + "-" + pl.col("surname2"))
        .otherwise(pl.col("surname"))
        .alias("last")
    )
    age = np.where(
        p["m"].to_numpy() == 0,
        p["head_age"].to_numpy(),
        np.where(
            p["m"].to_numpy() == 1,
            np.clip(p["head_age"].to_numpy() + rng.integers(-6, 7, n), 18, 95),
            np.clip(p["head_age"].to_numpy() - rng.integers(20, 40, n), 16, 60),
        ),
    )
    age = np.where(p["kind"].to_numpy() == "roommates", rng.integers(19, 35, n), age)
    dob = np.datetime64("2026-11-20") - (age * 365.25 + rng.integers(0, 365, n)).astype("timedelta64[D]")
    p = p.with_columns(_S("dob", dob).cast(pl.Date), _S("age", age))
    p = p.filter(pl.col("age") >= 16).with_row_index("pi")  # young children have no records
    n = p.height
    up = rng.random((n, 6))
    mobile = _phone(rng, n)
    pat = rng.integers(0, 6, n)
    num = rng.integers(1, 99, n)
    dom = rng.choice(domains, n, p=np.array([0.3, 0.2, 0.14, 0.09, 0.09, 0.09, 0.09]))
    firsts, lasts, dobs = p["first"].to_list(), p["last"].to_list(), p["dob"].to_list()
    emails = []
    for i in range(n):
        f, s = firsts[i].lower(), "".join(ch for ch in lasts[i].lower() if ch.isalpha())
        local = (
            f"{f}.{s}",
            f"{f[0]}{s}{num[i]}",
            f"{s}.{f}",
            f"{f}{s[:4]}{dobs[i].year % 100:02d}",
            f"{f}_{num[i]}",
            f"{f[0]}.{s}",
        )[pat[i]]
        emails.append(f"{local}@{dom[i]}")
    p = p.with_columns(
        _S("mobile", np.where(up[:, 0] < 0.8, mobile, None)),
        _S("email", np.where(up[:, 1] < 0.74, np.array(emails, dtype=object), None)),
    )
    # e-mails are unique to a person, except couples with two surnames who share one inbox
    p = p.with_columns(
        pl.when(pl.col("email").is_first_distinct())
        .then(pl.col("email"))
        .otherwise(pl.col("email").str.replace("@", pl.col("pi").cast(pl.String) + "@", literal=True))
    )
    shared = p.filter(pl.col("share_email") & (pl.col("m") == 0)).select(
        "h", pl.col("email").alias("head_email")
    )
    p = (
        p.join(shared, on="h", how="left")
        .with_columns(
            pl.when(pl.col("share_email") & (pl.col("m") == 1) & pl.col("head_email").is_not_null())
            .then(pl.col("head_email"))
            .otherwise(pl.col("email"))
            .alias("email")
        )
        .drop("head_email")
    )
    # roommates share a door, not a household: each is a household of their own
    p = p.with_columns(
        ("HP" + (pl.col("pi") + 1).cast(pl.String).str.zfill(7)).alias("person_id"),
        pl.when(pl.col("kind") == "roommates")
        .then("HR" + (pl.col("pi") + 1).cast(pl.String).str.zfill(7))
        .otherwise("HH" + (pl.col("h") + 1).cast(pl.String).str.zfill(6))
        .alias("household_id"),
    )
    return hh, p, addr


def _render_street(rng: np.random.Generator, a: pl.DataFrame, style: dict) -> tuple[list, list]:
    """line1 and line2 of address rows, each row drawn in its own style (vectorised draws, one pass)."""
    n = a.height
    u = rng.random((n, 10))
    num, name, suf = a["number"].to_list(), a["street_name"].to_list(), a["suffix"].to_list()
    pre, post, unit = a["pre"].to_list(), a["post"].to_list(), a["unit"].to_list()
    line1, line2 = [], []
    misspell = style.get("misspell", 0.05)
    for i in range(n):
        s = name[i]
        if u[i, 0] < misspell and not s[0].isdigit():
            s = typo(s, u[i, 1], u[i, 2])
        x = u[i, 3]
        sx = suf[i]
        if x < 0.5:
            sfx = sx
        elif x < 0.94:
            sfx = COMMON_SUFFIX.get(sx, sx) + ("." if u[i, 4] < 0.2 and sx in COMMON_SUFFIX else "")
        else:
            sfx = ""
        parts = [str(num[i])]
        if pre[i] is not None and u[i, 5] >= style.get("drop_dir", 0.3):
            parts.append(DIRECTIONS[pre[i]] if u[i, 6] < 0.3 else pre[i] + ("." if u[i, 6] > 0.9 else ""))
        parts.append(s)
        if sfx:
            parts.append(sfx)
        if post[i] is not None and u[i, 5] >= style.get("drop_dir", 0.3):
            parts.append(post[i])
        l1, l2 = " ".join(parts), None
        if unit[i] is not None and u[i, 7] >= style.get("drop_unit", 0.12):
            y = u[i, 8]
            label = (
                "APT "
                if y < 0.35
                else "# "
                if y < 0.5
                else "#"
                if y < 0.65
                else "UNIT "
                if y < 0.8
                else "Apt. "
                if y < 0.92
                else "Apartment "
            ) + unit[i]
            if u[i, 9] < 0.5:
                l1 = l1 + " " + label
            else:
                l2 = label
        line1.append(l1)
        line2.append(l2)
    return line1, line2


def _records(
    rng: np.random.Generator,
    hh: pl.DataFrame,
    p: pl.DataFrame,
    addr: pl.DataFrame,
    to_nick: dict,
    to_formal: dict,
) -> pl.DataFrame:
    n = p.height
    k = rng.choice([1, 2, 3], size=n, p=[0.71, 0.245, 0.045])
    perm = np.argsort(rng.random((n, 3)) + np.array([[0.0, 0.22, 0.5]]), axis=1)  # crm first most often
    rows_p, rows_s = [], []
    for j in range(3):
        take = k > j
        rows_p.append(np.nonzero(take)[0])
        rows_s.append(perm[take, j])
    pi = np.concatenate(rows_p)
    si = np.concatenate(rows_s)
    dup = rng.random(pi.size) < 0.015  # a second account in the same source
    pi = np.concatenate([pi, pi[dup]])
    si = np.concatenate([si, si[dup]])
    m = pi.size
    r = (
        pl.DataFrame({"pi": pi, "src": si})
        .join(p, on="pi", how="left")
        .join(hh.select("h", "addr", "old_addr", "move_day", "abroad"), on="h", how="left")
    )
    u = rng.random((m, 24))
    src = r["src"].to_numpy()
    old = r["old_addr"].is_not_null().to_numpy() & (u[:, 0] < 0.42)
    a_id = np.where(old, r["old_addr"].fill_null(0).to_numpy(), r["addr"].to_numpy())
    move_day = r["move_day"].to_numpy()
    age_days = np.where(old, move_day + rng.integers(1, 900, m), rng.integers(0, np.maximum(move_day, 1)))
    age_days = np.where(r["old_addr"].is_null().to_numpy(), rng.integers(0, 1400, m), age_days)
    as_of = np.datetime64("2026-11-19") - age_days.astype("timedelta64[D]")
    a = pl.DataFrame({"a": a_id}).join(addr, on="a", how="left")
    line1, line2 = _render_street(rng, a, {"misspell": 0.05, "drop_dir": 0.3, "drop_unit": 0.12})
    has_street = u[:, 1] < np.array([0.94, 0.9, 0.52])[src]
    has_place = has_street | (u[:, 2] < 0.45)
    no_zip = has_street & (u[:, 3] < np.array([0.02, 0.06, 0.03])[src])
    zip_v = a["zip"].to_numpy().astype(object)
    plus4 = u[:, 4] < np.array([0.15, 0.05, 0.0])[src]
    zip4 = np.array([f"{z}-{int(x * 9999):04d}" for z, x in zip(zip_v, u[:, 5], strict=True)], dtype=object)
    zip_out = np.where(plus4, zip4, zip_v)
    zip_out = np.where(has_place & ~no_zip, zip_out, None)
    city = np.where(has_place, a["city"].to_numpy().astype(object), None)
    state = np.where(has_place, a["state"].to_numpy().astype(object), None)
    city = np.array(
        [
            typo(c, x, y) if c is not None and w < 0.02 else c
            for c, w, x, y in zip(city, u[:, 6], u[:, 7], u[:, 8], strict=True)
        ],
        dtype=object,
    )

    # names
    firsts, lasts = r["first"].to_list(), r["last"].to_list()
    fn, ln = [], []
    for i in range(m):
        f, s = firsts[i], lasts[i]
        x = u[i, 9]
        if x < 0.11 and f in to_nick:
            f = to_nick[f][int(u[i, 10] * len(to_nick[f]))]
        elif x < 0.13 and f in to_formal:
            f = to_formal[f][int(u[i, 10] * len(to_formal[f]))]
        elif x < 0.145:
            f = f[0]
        elif x < 0.175:
            f = typo(f, u[i, 10], u[i, 11])
        elif x < 0.185 + 0.02 * (src[i] == 2):
            f = None
        if f is not None and src[i] == 1 and u[i, 12] < 0.04:
            f = f + " " + "ABCDEFGHJKLMNPRSTW"[int(u[i, 13] * 18)]
        y = u[i, 14]
        if "-" in s and y < 0.4:
            s = s.split("-")[0] if y < 0.2 else s.replace("-", " ")
        elif y < 0.025:
            s = typo(s, u[i, 15], u[i, 11])
        elif y < 0.03:
            s = None
        fn.append(f)
        ln.append(s)

    def cased(values, how):
        out = []
        for v_, w in zip(values, how, strict=True):
            if v_ is None:
                out.append(None)
            elif w == 0:
                out.append(v_.title())
            elif w == 1:
                out.append(v_.upper())
            else:
                out.append(v_.lower())
        return out

    case = np.where(
        src == 1, 1, np.where(src == 2, np.where(u[:, 16] < 0.4, 2, 0), np.where(u[:, 16] < 0.1, 1, 0))
    )
    fn, ln = cased(fn, case), cased(ln, case)
    line1 = cased([l1 if h else None for l1, h in zip(line1, has_street, strict=True)], case)
    line2 = cased([l2 if h else None for l2, h in zip(line2, has_street, strict=True)], case)
    city = cased(list(city), case)

    # phones, e-mails, birth dates
    mob, land = r["mobile"].to_numpy().astype(object), r["landline"].to_numpy().astype(object)
    ph = np.where((u[:, 17] < 0.65) & (mob != None), mob, land)  # noqa: E711
    ph = np.where(ph == None, mob, ph)  # noqa: E711
    ph = np.where(u[:, 18] < np.array([0.62, 0.78, 0.45])[src], ph, None)
    fmt = (u[:, 19] * 5).astype(int)
    phone = [
        None
        if v_ is None
        else (
            f"{v_[:3]}.{v_[3:6]}.{v_[6:]}",
            f"1-{v_[:3]}-{v_[3:6]}-{v_[6:]}",
            f"({v_[:3]}){v_[3:6]}-{v_[6:]}",
            v_,
            f"+1 {v_[:3]} {v_[3:6]} {v_[6:]}",
        )[f_]
        for v_, f_ in zip(ph, fmt, strict=True)
    ]
    em = r["email"].to_list()
    email = []
    for i in range(m):
        e = em[i]
        if e is None or u[i, 20] >= np.array([0.82, 0.42, 0.9])[src[i]]:
            email.append(None)
            continue
        if u[i, 21] < 0.12:
            e = e.upper()
        elif u[i, 21] < 0.2:
            e = e[0].upper() + e[1:]
        elif u[i, 21] < 0.21:
            e = typo(e.upper(), u[i, 22], u[i, 11]).lower()
        email.append(e)
    dobs = r["dob"].to_list()
    bd = []
    for i in range(m):
        d = dobs[i]
        if u[i, 23] >= np.array([0.55, 0.7, 0.3])[src[i]]:
            bd.append(None)
            continue
        if u[i, 12] > 0.99 and d.day <= 12:
            d = date(d.year, d.day, d.month)
        bd.append((d.isoformat(), d.strftime("%m/%d/%Y"), d.strftime("%Y-%m-%d %H:%M:%S"))[src[i]])
    out = pl.DataFrame(
        {
            "source": np.array(SOURCES)[src],
            "person_id": r["person_id"],
            "household_id": r["household_id"],
            "first_name": _S("", fn),
            "last_name": _S("", ln),
            "address_line1": _S("", line1),
            "address_line2": _S("", line2),
            "city": _S("", city),
            "state": _S("", state),
            "postal_code": _S("", zip_out),
            "email": _S("", email),
            "phone": _S("", phone),
            "birth_date": _S("", bd),
            "as_of": _S("", as_of).cast(pl.Date),
            "a": a_id,
            "old": old,
            "u_key": rng.random(m),
        }
    )
    out = (
        out.with_columns(pl.col("u_key").rank("ordinal").over("source").alias("k"))
        .with_columns(
            (
                pl.col("source").replace_strict({"crm": "C", "shop": "S", "events": "V"})
                + (pl.col("k") * 7 + 100000).cast(pl.String)
            ).alias("source_key")
        )
        .drop("u_key", "k")
    )
    return out


def _lists(
    rng: np.random.Generator,
    p: pl.DataFrame,
    hh: pl.DataFrame,
    rec: pl.DataFrame,
    addr: pl.DataFrame,
    to_nick: dict,
    to_formal: dict,
    v,
) -> dict[str, tuple[pl.DataFrame, pl.DataFrame]]:
    """Each list file as (rows, truth rows: person_id or None, kind)."""
    male, wm, female, wf, last, wl, towns, suffixes, domains = v
    n = p.height
    lists: dict[str, tuple[list[dict], list[tuple]]] = {}

    # name + address entries drawn from a record of the person that has a street line (an older one too)
    with_street = rec.filter(pl.col("address_line1").is_not_null()).select("person_id", "a", "old")
    first_of = dict(zip(p["person_id"].to_list(), p["first"].to_list(), strict=True))
    last_of = dict(zip(p["person_id"].to_list(), p["last"].to_list(), strict=True))
    dob_of = dict(zip(p["person_id"].to_list(), p["dob"].to_list(), strict=True))
    hh_of = dict(zip(p["person_id"].to_list(), p["h"].to_list(), strict=True))
    names_in_h: dict[int, set] = {}
    for pid, f in first_of.items():
        names_in_h.setdefault(hh_of[pid], set()).add(f)

    def name_address(share: float, near_share: float, stranger_share: float, with_dob: bool):
        people_rows = with_street.filter(
            pl.col("person_id").is_in(
                p.sample(fraction=share, seed=int(rng.integers(1 << 30)))["person_id"].implode()
            )
        )
        people_rows = people_rows.sample(fraction=1.0, shuffle=True, seed=int(rng.integers(1 << 30))).unique(
            "person_id", keep="first", maintain_order=True
        )
        a = people_rows.select("a").join(addr, on="a", how="left")
        l1, l2 = _render_street(rng, a, {"misspell": 0.04, "drop_dir": 0.5, "drop_unit": 0.3})
        rows, truth = [], []
        uu = rng.random((people_rows.height, 4))
        for i, (pid, cz, cc, cs) in enumerate(
            zip(
                people_rows["person_id"].to_list(),
                a["zip"].to_list(),
                a["city"].to_list(),
                a["state"].to_list(),
                strict=True,
            )
        ):
            f, s = first_of[pid], last_of[pid]
            if uu[i, 0] < 0.15 and f in to_nick:
                f = to_nick[f][int(uu[i, 1] * len(to_nick[f]))]
            if uu[i, 2] < 0.03:
                s = typo(s, uu[i, 1], uu[i, 3])
            zp = cz if uu[i, 3] >= 0.03 else ""
            row = {
                "first_name": f,
                "last_name": s,
                "address": l1[i] if l2[i] is None else l1[i] + " " + l2[i],
                "city": cc,
                "state": cs,
                "zip": zp,
            }
            if with_dob:
                row["birth_date"] = dob_of[pid].isoformat() if uu[i, 1] < 0.8 else ""
            rows.append(row)
            truth.append((pid, "entry"))
        # near misses: the surname and door of a person, a first name nobody there has (nor its nicknames)
        near = with_street.sample(n=max(1, int(n * near_share)), seed=int(rng.integers(1 << 30))).unique(
            "person_id", keep="first", maintain_order=True
        )
        a = near.select("a").join(addr, on="a", how="left")
        l1, l2 = _render_street(rng, a, {"misspell": 0.0, "drop_dir": 0.0, "drop_unit": 0.0})
        for i, (pid, cz, cc, cs) in enumerate(
            zip(
                near["person_id"].to_list(),
                a["zip"].to_list(),
                a["city"].to_list(),
                a["state"].to_list(),
                strict=True,
            )
        ):
            there = names_in_h[hh_of[pid]]
            taken = set(there)
            for t in there:
                taken.update(to_nick.get(t, []))
                taken.update(to_formal.get(t, []))
            pool = male if rng.random() < 0.5 else female
            f = pool[int(rng.integers(len(pool)))]
            while f in taken or f[0] in {t[0] for t in there}:
                f = pool[int(rng.integers(len(pool)))]
            row = {
                "first_name": f,
                "last_name": last_of[pid],
                "address": l1[i] if l2[i] is None else l1[i] + " " + l2[i],
                "city": cc,
                "state": cs,
                "zip": cz,
            }
            if with_dob:
                row["birth_date"] = (dob_of[pid] + timedelta(days=int(rng.integers(400, 9000)))).isoformat()
            rows.append(row)
            truth.append((None, "near_miss"))
        # strangers: nobody in the population
        k = max(1, int(n * stranger_share))
        for _ in range(k):
            t = towns[int(rng.integers(len(towns)))]
            row = {
                "first_name": male[int(rng.integers(len(male)))],
                "last_name": last[int(rng.integers(len(last)))],
                "address": f"{int(rng.integers(50000, 90000))} {last[int(rng.integers(len(last)))]} ROAD",
                "city": t[0],
                "state": t[1],
                "zip": t[2][0],
            }
            if with_dob:
                row["birth_date"] = "1950-01-01"
            rows.append(row)
            truth.append((None, "stranger"))
        order = rng.permutation(len(rows))
        return [rows[i] for i in order], [truth[i] for i in order]

    lists["mail_preference"] = name_address(0.025, 0.006, 0.004, False)
    lists["deceased"] = name_address(0.009, 0.003, 0.002, True)

    def keyed(column: str, share: float, strangers: int, render, extra=None):
        have = p.filter(pl.col(column).is_not_null())
        pick = have.sample(fraction=min(1.0, share), seed=int(rng.integers(1 << 30)))
        rows, truth = [], []
        for pid, val in zip(pick["person_id"].to_list(), pick[column].to_list(), strict=True):
            rows.append(render(val))
            truth.append((pid, "entry"))
        for j in range(strangers):
            val = (
                f"nobody{j}.{int(rng.integers(1 << 30))}@elsewhere.test"
                if column == "email"
                else f"{int(rng.integers(201, 990))}{int(rng.integers(200, 1000)):03d}{int(rng.integers(0, 10000)):04d}"
            )
            rows.append(render(val))
            truth.append((None, "stranger"))
        if extra:
            rows, truth = extra(rows, truth)
        order = rng.permutation(len(rows))
        return [rows[i] for i in order], [truth[i] for i in order]

    dnc = keyed(
        "mobile", 0.04, max(1, n // 200), lambda v_: {"area_code": v_[:3], "phone": v_[3:6] + "-" + v_[6:]}
    )
    lists["do_not_call"] = dnc
    lists["email_unsubscribes"] = keyed(
        "email",
        0.05,
        max(1, n // 300),
        lambda v_: {"email": v_.upper() if rng.random() < 0.3 else v_, "unsubscribed_on": "2026-10-01"},
    )

    def bounces(rows, truth):
        kinds = rng.random(len(rows))
        for row, x in zip(rows, kinds, strict=True):
            row["bounce_type"] = "hard" if x < 0.6 else "soft"
        truth = [(t[0], t[1]) if x < 0.6 else (None, "skipped") for t, x in zip(truth, kinds, strict=True)]
        return rows, truth

    lists["email_bounces"] = keyed(
        "email", 0.03, max(1, n // 500), lambda v_: {"email": v_, "bounced_on": "2026-11-01"}, bounces
    )
    lists["brand_optouts"] = keyed(
        "email",
        0.04,
        max(1, n // 500),
        lambda v_: {"email": v_, "brand": BRANDS[int(rng.integers(3))], "when": "2026-09-09"},
    )
    lists["staff"] = keyed("email", 0.002, 3, lambda v_: {"email": v_, "team": "stores"})

    # NCOA: half of the moved households as family moves (A), people abroad (01), no-match rows (00)
    moved = hh.filter(pl.col("old_addr").is_not_null()).sample(fraction=0.5, seed=int(rng.integers(1 << 30)))
    mp = p.join(moved.select("h", "addr", "old_addr"), on="h", how="inner")
    olda = mp.select(pl.col("old_addr").alias("a")).join(addr, on="a", how="left")
    newa = mp.select(pl.col("addr").alias("a")).join(addr, on="a", how="left")
    o1, o2 = _render_street(rng, olda, {"misspell": 0.0, "drop_dir": 0.0, "drop_unit": 0.0})
    n1, n2 = _render_street(rng, newa, {"misspell": 0.0, "drop_dir": 0.0, "drop_unit": 0.0})
    rows, truth = [], []
    for i, pid in enumerate(mp["person_id"].to_list()):
        rows.append(
            {
                "first_name": first_of[pid],
                "last_name": last_of[pid],
                "address_line1": o1[i].upper(),
                "address_line2": (o2[i] or "").upper(),
                "city": olda["city"][i],
                "state": olda["state"][i],
                "postal_code": olda["zip"][i],
                "new_address_line1": n1[i].upper(),
                "new_address_line2": (n2[i] or "").upper(),
                "new_city": newa["city"][i],
                "new_state": newa["state"][i],
                "new_postal_code": newa["zip"][i],
                "return_code": "A",
                "move_type": "F",
                "move_effective_date": "2026-06-01",
            }
        )
        truth.append((pid, "entry"))
    abroad = p.join(hh.filter(pl.col("abroad")).select("h", "addr"), on="h", how="inner")
    aa = abroad.select(pl.col("addr").alias("a")).join(addr, on="a", how="left")
    a1, a2 = _render_street(rng, aa, {"misspell": 0.0, "drop_dir": 0.0, "drop_unit": 0.0})
    for i, pid in enumerate(abroad["person_id"].to_list()):
        rows.append(
            {
                "first_name": first_of[pid],
                "last_name": last_of[pid],
                "address_line1": a1[i].upper(),
                "address_line2": (a2[i] or "").upper(),
                "city": aa["city"][i],
                "state": aa["state"][i],
                "postal_code": aa["zip"][i],
                "new_address_line1": "",
                "new_address_line2": "",
                "new_city": "",
                "new_state": "",
                "new_postal_code": "",
                "return_code": "01",
                "move_type": "I",
                "move_effective_date": "2026-05-01",
            }
        )
        truth.append((pid, "moved_abroad"))
    for _ in range(max(1, n // 1000)):
        t = towns[int(rng.integers(len(towns)))]
        rows.append(
            {
                "first_name": "PAT",
                "last_name": last[int(rng.integers(len(last)))],
                "address_line1": f"{int(rng.integers(50000, 90000))} NOWHERE RD",
                "address_line2": "",
                "city": t[0],
                "state": t[1],
                "postal_code": t[2][0],
                "new_address_line1": "",
                "new_address_line2": "",
                "new_city": "",
                "new_state": "",
                "new_postal_code": "",
                "return_code": "00",
                "move_type": "",
                "move_effective_date": "2026-05-01",
            }
        )
        truth.append((None, "stranger"))
    lists["ncoa"] = (rows, truth)
    return lists


SOURCES_TOML = """# Held-out sources written by bench/heldout/generate.py
[sources.crm]
kind = "people"
cadence = "daily"
format = "parquet"
priority = 1
mode = "full"
as_of = "last_update"

[sources.shop]
kind = "people"
cadence = "weekly"
format = "csv"
delimiter = ";"
priority = 2
mode = "full"
as_of = "CHANGED"
[sources.shop.columns]
source_key = "CUST_NO"
first_name = "GIVEN"
last_name = "FAMILY"
address_line1 = "STREET"
address_line2 = "UNIT"
city = "TOWN"
state = "PROV"
postal_code = "ZIPCODE"
email = "MAIL"
phone = "TEL"
birth_date = "DOB"

[sources.events]
kind = "people"
cadence = "daily"
format = "ndjson"
priority = 3
mode = "full"
as_of = "seen_at"
[sources.events.columns]
source_key = "id"
first_name = "name_first"
last_name = "name_last"
address_line1 = "addr1"
address_line2 = "addr2"
city = "locality"
state = "region"
postal_code = "zip"
email = "email_addr"
phone = "phone_no"
birth_date = "dob"

[sources.mail_preference]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "mail"
match_on = "name_address"
reason = "mail preference"
[sources.mail_preference.columns]
address_line1 = "address"
postal_code = "zip"

[sources.deceased]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "all"
match_on = "name_address"
reason = "deceased"
[sources.deceased.columns]
address_line1 = "address"
postal_code = "zip"

[sources.do_not_call]
kind = "suppression"
cadence = "monthly"
mode = "full"
header = false
column_names = ["area_code", "phone"]
channel = "phone"
match_on = "phone"
reason = "Do Not Call"

[sources.email_unsubscribes]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "email"
match_on = "email"
reason = "unsubscribe"
[sources.email_unsubscribes.columns]
effective_date = "unsubscribed_on"

[sources.email_bounces]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "email"
match_on = "email"
reason = "hard bounce"
keep_when = { bounce_type = ["hard"] }
[sources.email_bounces.columns]
effective_date = "bounced_on"

[sources.brand_optouts]
kind = "suppression"
cadence = "daily"
mode = "full"
channel = "email"
match_on = "email"
reason = "brand opt-out"
[sources.brand_optouts.columns]
effective_date = "when"

[sources.staff]
kind = "suppression"
cadence = "monthly"
mode = "full"
channel = "all"
match_on = "email"
reason = "staff"

[sources.ncoa]
kind = "moves"
cadence = "monthly"
mode = "full"
"""

LIST_FILES = {
    "mail_preference": "mail_preference.csv",
    "deceased": "deceased.csv",
    "do_not_call": "do_not_call.csv",
    "email_unsubscribes": "email_unsubscribes.csv",
    "email_bounces": "email_bounces.csv",
    "brand_optouts": "brand_optouts.csv",
    "staff": "staff.csv",
    "ncoa": "ncoa.csv",
}
PEOPLE_FILES = {"crm": "crm.parquet", "shop": "shop.csv", "events": "events.ndjson"}
# lists whose true persons may not receive mail (channel mail or all)
MAIL_LISTS = ("mail_preference", "deceased", "staff")


def _write_atomic(path: Path, write) -> None:
    tmp = path.with_name(path.name + ".tmp")
    write(tmp)
    tmp.replace(path)


def generate(out_dir: str | Path, persons: int = 100_000, seed: int = 11) -> dict:
    """Write the population's files and truth under ``out_dir``; return counts."""
    started = time.perf_counter()
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    n_towns = max(12, persons // 400)
    v = _vocab(seed, n_towns, rng)
    to_nick, to_formal = _nicknames()
    hh, p, addr = _households(persons, rng, v)
    rec = _records(rng, hh, p, addr, to_nick, to_formal)
    lists = _lists(rng, p, hh, rec, addr, to_nick, to_formal, v)

    cols = [
        "source_key",
        "first_name",
        "last_name",
        "address_line1",
        "address_line2",
        "city",
        "state",
        "postal_code",
        "email",
        "phone",
        "birth_date",
    ]
    crm = rec.filter(pl.col("source") == "crm").sort("source_key")
    _write_atomic(
        out / "crm.parquet",
        lambda t: crm.select(
            *cols, pl.col("as_of").dt.strftime("%Y-%m-%d").alias("last_update")
        ).write_parquet(t),
    )
    shop = (
        rec.filter(pl.col("source") == "shop")
        .sort("source_key")
        .select(
            pl.col("source_key").alias("CUST_NO"),
            pl.col("first_name").alias("GIVEN"),
            pl.col("last_name").alias("FAMILY"),
            pl.col("address_line1").alias("STREET"),
            pl.col("address_line2").alias("UNIT"),
            pl.col("city").alias("TOWN"),
            pl.col("state").alias("PROV"),
            pl.col("postal_code").alias("ZIPCODE"),
            pl.col("email").alias("MAIL"),
            pl.col("phone").alias("TEL"),
            pl.col("birth_date").alias("DOB"),
            pl.col("as_of").dt.strftime("%m/%d/%Y").alias("CHANGED"),
        )
    )
    _write_atomic(out / "shop.csv", lambda t: shop.write_csv(t, separator=";"))
    events = (
        rec.filter(pl.col("source") == "events")
        .sort("source_key")
        .select(
            pl.col("source_key").alias("id"),
            pl.col("first_name").alias("name_first"),
            pl.col("last_name").alias("name_last"),
            pl.col("address_line1").alias("addr1"),
            pl.col("address_line2").alias("addr2"),
            pl.col("city").alias("locality"),
            pl.col("state").alias("region"),
            pl.col("postal_code").alias("zip"),
            pl.col("email").alias("email_addr"),
            pl.col("phone").alias("phone_no"),
            pl.col("birth_date").alias("dob"),
            (pl.col("as_of").dt.strftime("%Y-%m-%d") + "T08:30:00").alias("seen_at"),
        )
    )
    _write_atomic(out / "events.ndjson", lambda t: events.write_ndjson(t))

    truth_rows = []
    for name, (rows, truth) in lists.items():
        path = out / LIST_FILES[name]
        header = name != "do_not_call"
        df = pl.DataFrame(rows, infer_schema_length=None)
        _write_atomic(path, lambda t, df=df, header=header: df.write_csv(t, include_header=header))
        truth_rows += [(name, i + 1, pid, kind) for i, (pid, kind) in enumerate(truth)]
    lt = pl.DataFrame(truth_rows, schema=["list", "row", "person_id", "kind"], orient="row")
    _write_atomic(out / "truth_lists.csv", lambda t: lt.write_csv(t))
    rec.select("source", "source_key", "person_id", "household_id", pl.col("old").alias("old_address")).sort(
        "source", "source_key"
    ).pipe(
        lambda d: _write_atomic(out / "truth.csv", lambda t: d.write_csv(t))
    )
    mail_sup = set(
        lt.filter(
            pl.col("list").is_in(MAIL_LISTS) & pl.col("person_id").is_not_null() & (pl.col("kind") == "entry")
        )["person_id"].to_list()
    )
    mail_sup |= set(lt.filter(pl.col("kind") == "moved_abroad")["person_id"].to_list())
    in_records = rec.group_by("person_id").agg(pl.len().alias("records"))
    tp = (
        p.join(in_records, on="person_id", how="inner")
        .select(
            "person_id",
            "household_id",
            pl.col("first").alias("first_name"),
            pl.col("last").alias("last_name"),
            pl.col("dob").dt.strftime("%Y-%m-%d").alias("birth_date"),
            "kind",
            "records",
            pl.col("person_id").is_in(list(mail_sup)).alias("mail_suppressed"),
        )
        .sort("person_id")
    )
    _write_atomic(out / "truth_persons.csv", lambda t: tp.write_csv(t))
    (out / "sources.toml").write_text(SOURCES_TOML, encoding="utf-8")
    manifest = {
        "now": NOW,
        "people": PEOPLE_FILES,
        "lists": LIST_FILES,
        "mail_lists": list(MAIL_LISTS),
        "name_address_lists": ["mail_preference", "deceased"],
        "persons": persons,
        "seed": seed,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return {
        "persons": tp.height,
        "households": tp["household_id"].n_unique(),
        "records": rec.height,
        "per_source": {s: rec.filter(pl.col("source") == s).height for s in SOURCES},
        "list_rows": {k: len(v_[0]) for k, v_ in lists.items()},
        "out": str(out),
        "seconds": round(time.perf_counter() - started, 1),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--out", default="bench/out/heldout")
    args = parser.parse_args(argv)
    print(json.dumps(generate(args.out, args.persons, args.seed)))


if __name__ == "__main__":
    sys.exit(main())
