"""Synthetic marketing people data with known truth: N records across three sources (web, ecom, loyalty).

    python bench/synth.py --rows 100000 --out bench/out/synth_100k

Writes ``web.csv``, ``ecom.csv``, ``loyalty.csv`` (canonical people headers plus ``updated_at``), a
``sources.toml`` that registers them, and ``truth.csv`` (source,source_key,person_id,household_id).

What makes it hard, on purpose:
- households: 1-5 people at one address sharing a surname (mostly) and often a landline, with
  different first names and birth dates; a few twins (same birth date) and Jr/Sr (same first name);
- duplicates across and within sources: nicknames, typos, initials, case, missing fields by source,
  birth-date formats and typos, phone formats, street suffix spelt out or abbreviated, unit styles,
  ZIP+4 and lost leading zeros, city typos, moves (old address on older records), email case;
- surnames and first names drawn from a long-tailed (Zipf-like) distribution, so common names repeat.

With ``lists=True`` (``--lists``) it also writes three suppression lists and registers them:
``mail_preference.csv`` (name + address, mail; ~6% of persons, drawn from one of their records that has a
street line, so an older address or a typo'd name sometimes; plus strangers), ``do_not_call.csv`` (no
header, area code + number; ~10% of persons' phones plus strangers) and ``email_unsubscribes.csv`` (email,
unsubscribed_on; ~8% of persons' e-mails, some upper-cased, plus strangers). About 0.2 entries per record.

Deterministic: the same --rows and --seed give byte-identical files (all randomness is ``hash()``).
Everything is DuckDB SQL, so 1,000,000 records take seconds.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import duckdb

MALE = ("James John Robert Michael William David Richard Joseph Thomas Charles Christopher Daniel Matthew "
        "Anthony Mark Donald Steven Paul Andrew Joshua Kenneth Kevin Brian George Timothy Ronald Edward "
        "Jason Jeffrey Ryan Jacob Gary Nicholas Eric Jonathan Stephen Larry Justin Scott Brandon Benjamin "
        "Samuel Gregory Alexander Frank Patrick Raymond Jack Dennis Jerry Tyler Aaron Jose Adam Nathan Henry "
        "Douglas Zachary Peter Kyle Ethan Walter Noah Jeremy Christian Keith Roger Terry Gerald Harold Sean "
        "Austin Carl Arthur Lawrence Dylan Jesse Jordan Bryan Billy Joe Bruce Gabriel Logan Albert Willie "
        "Alan Juan Wayne Elijah Randy Roy Vincent Ralph Eugene Russell Bobby Mason Philip Louis Liam Lucas "
        "Mateo Hiroshi Wei Minh Raj Darnell Malik Luis Carlos Miguel Andre Ramon Omar Hector Ivan Victor").split()
FEMALE = ("Mary Patricia Jennifer Linda Elizabeth Barbara Susan Jessica Sarah Karen Lisa Nancy Betty Margaret "
          "Sandra Ashley Kimberly Emily Donna Michelle Carol Amanda Dorothy Melissa Deborah Stephanie Rebecca "
          "Sharon Laura Cynthia Kathleen Amy Angela Shirley Anna Brenda Pamela Emma Nicole Helen Samantha "
          "Katherine Christine Debra Rachel Carolyn Janet Catherine Maria Heather Diane Ruth Julie Olivia Joyce "
          "Virginia Victoria Kelly Lauren Christina Joan Evelyn Judith Megan Andrea Cheryl Hannah Jacqueline "
          "Martha Gloria Teresa Ann Sara Madison Frances Kathryn Janice Jean Abigail Alice Judy Sophia Grace "
          "Denise Amber Doris Marilyn Danielle Beverly Isabella Theresa Diana Natalie Brittany Charlotte Marie "
          "Kayla Alexis Lori Mia Ava Chloe Zoe Renee Ines Sofia Lucia Mei Priya Aisha Keisha Nora Claire Lily").split()
SURNAMES = ("Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez Gonzalez "
            "Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris Sanchez Clark "
            "Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill Flores Green Adams "
            "Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips Evans Turner Diaz Parker "
            "Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook Rogers Gutierrez Ortiz Morgan Cooper "
            "Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward Richardson Watson Brooks Chavez Wood James "
            "Bennett Gray Mendoza Ruiz Hughes Price Alvarez Castillo Sanders Patel Myers Long Ross Foster "
            "Jimenez Powell Jenkins Perry Russell Sullivan Bell Coleman Butler Henderson Barnes Gonzales Fisher "
            "Vasquez Simmons Romero Jordan Patterson Alexander Hamilton Graham Reynolds Griffin Wallace Moreno "
            "West Cole Hayes Bryant Herrera Gibson Ellis Tran Medina Aguilar Stevens Murray Ford Castro Marshall "
            "Owens Harrison Fernandez McDonald Woods Washington Kennedy Wells Vargas Henry Chen Freeman Webb "
            "Tucker Guzman Burns Crawford Olson Simpson Porter Hunter Gordon Mendez Silva Shaw Snyder Mason "
            "Dixon Munoz Hunt Hicks Holmes Palmer Wagner Black Robertson Boyd Rose Stone Salazar Fox Warren "
            "Mills Meyer Rice Schmidt Garza Daniels Ferguson Nichols Stephens Soto Weaver Ryan Gardner Payne "
            "Grant Dunn Kelley Spencer Hawkins Arnold Pierce Vazquez Hansen Peters Santos Hart Bradley Knight "
            "O'Brien O'Connor McCarthy Fitzgerald Walsh Kowalski Nowak Cohen Goldberg Wang Zhang Park Shah "
            "Singh Pham Dubois Muller St.Pierre Van-Buren De-la-Cruz").split()
ONSETS = "Bal Bar Bel Ber Bl Br Cal Car Cl Dal Dar Del Dr Fal Far Fel Gal Gar Gr Hal Har Hel Kal Kel Kr Lam Lan " \
         "Lar Mal Mar Mel Mor Nor Pal Par Pel Ral Rel Sal Sel Sh Sp St Tal Tel Tr Val Vel Wal War Wel Wh".split()
MIDDLES = "a e i o u an en in on ar er or el il al ow ay ey".split()
ENDINGS = "son ton ley man well wood field ford berg stein ski ez ard ett ins ing ridge worth by ham more " \
          "dale land er ers s".split()
STREETS = ("Maple Oak Elm Washington Lincoln Park Cedar Pine Highland Main Church School Pleasant Summer Spring "
           "Chestnut Walnut Hillside Lake River Forest Meadow Prospect Center Water Union Franklin Adams "
           "Jefferson Madison Harvard Beacon Putnam Cottage Orchard Ridge Willow Sycamore Birch Aspen Hickory "
           "Magnolia Laurel Poplar Spruce Juniper Cherry Dogwood Holly Sunset Valley Mill Bridge Market Front "
           "Broad Grove Garden Academy Railroad Canal Bay Harbor Shore Cliff Meadowbrook Brookside Fairview "
           "Glenwood Greenwood Kingston Lexington Concord Salem Dover Hampton Warren Monroe Jackson Hamilton "
           "Wilson Grant Clinton Franklin Morris").split()
SUFFIXES = [("Street", "St"), ("Avenue", "Ave"), ("Road", "Rd"), ("Drive", "Dr"), ("Lane", "Ln"),
            ("Court", "Ct"), ("Place", "Pl"), ("Boulevard", "Blvd"), ("Terrace", "Ter"), ("Way", "Way"),
            ("Circle", "Cir")]
TOWN_A = "Spring Oak River Lake Green Fair Maple Cedar Elm Brook Wood Mill Stone North South East West New " \
         "Glen Ash Bay Clear Pine High Rock Sun Bridge Haver King".split()
TOWN_B = "field dale ton ville wood ford view port burg haven mont land bury wick ridge side".split()
STATES = "MA NY NJ CT RI PA OH IL TX CA WA OR CO GA NC TN WI MN FL AZ MI VA MD IN MO".split()
DOMAINS = "gmail.com yahoo.com hotmail.com outlook.com aol.com icloud.com comcast.net example.com".split()
SOURCES = ("web", "ecom", "loyalty")


def _lit(values) -> str:
    return "[" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + "]"


def _nickname_table() -> dict[str, list[str]]:
    """formal -> nicknames, from the workbench's own nickname table plus a few it lacks."""
    root = Path(__file__).resolve().parents[1] / "workbench" / "standardise" / "data" / "nicknames.csv"
    pairs: dict[str, list[str]] = {}
    if root.is_file():
        for line in root.read_text(encoding="utf-8").splitlines()[1:]:
            if "," in line:
                nick, name = line.split(",")[:2]
                pairs.setdefault(name.strip().title(), []).append(nick.strip().title())
    for formal, nick in (("Jennifer", "Jenna"), ("Michael", "Mikey"), ("Katherine", "Kat")):
        pairs.setdefault(formal, []).append(nick)  # nicknames the matcher's table may not know
    return pairs


def _formal(names: list[str], table: dict[str, list[str]]) -> list[str]:
    """First names that are not themselves a nickname of another (no 'Bobby' beside 'Robert')."""
    nicks = {n for values in table.values() for n in values}
    return [n for n in names if n not in nicks and n != "Sara"]


def _setup(con: duckdb.DuckDBPyConnection, seed: int) -> None:
    table = _nickname_table()
    male, female = _formal(MALE, table), _formal(FEMALE, table)
    keys = sorted(table)
    nick_map = f"MAP({_lit(keys)}, [{', '.join(_lit(table[k]) for k in keys)}])"
    surnames = SURNAMES + [a + m + e for a in ONSETS for m in MIDDLES[:8] for e in ENDINGS]
    tail_first = [a + m + "na" for a in ONSETS for m in MIDDLES[:6]] + [a + m + "o" for a in ONSETS for m in MIDDLES[:6]]
    con.execute("SET enable_progress_bar = false").fetchall()
    con.execute(f"""
    CREATE MACRO u(k, tag) AS (hash(k, tag, {seed}) % 1000003) / 1000003.0;
    CREATE MACRO pick(lst, k, tag) AS lst[1 + (hash(k, tag, {seed}) % len(lst))::INT];
    CREATE MACRO zipf(lst, k, tag, a) AS lst[1 + floor(len(lst) * pow(u(k, tag), a))::INT];
    CREATE MACRO typo_at(s, i, op, c) AS CASE WHEN s IS NULL OR length(s) < 4 THEN s
        WHEN op = 0 THEN substr(s, 1, i - 1) || c || substr(s, i + 1)
        WHEN op = 1 THEN substr(s, 1, i - 1) || substr(s, i + 1)
        WHEN op = 2 THEN substr(s, 1, i) || substr(s, i)
        ELSE substr(s, 1, i - 1) || substr(s, i + 1, 1) || substr(s, i, 1) || substr(s, i + 2) END;
    CREATE MACRO typo(s, k) AS typo_at(s, 2 + (hash(k, 'tp', {seed}) % greatest(length(s) - 2, 1))::INT,
        hash(k, 'to', {seed}) % 4, chr(97 + (hash(k, 'tc', {seed}) % 26)::INT));
    CREATE MACRO male_names() AS {_lit(male)};
    CREATE MACRO female_names() AS {_lit(female)};
    CREATE MACRO surnames() AS {_lit(surnames)};
    CREATE MACRO tail_first() AS {_lit(tail_first)};
    CREATE MACRO streets() AS {_lit(STREETS)};
    CREATE MACRO suf_full() AS {_lit([s[0] for s in SUFFIXES])};
    CREATE MACRO suf_abbr() AS {_lit([s[1] for s in SUFFIXES])};
    CREATE MACRO states() AS {_lit(STATES)};
    CREATE MACRO domains() AS {_lit(DOMAINS)};
    CREATE MACRO nicks() AS {nick_map};
    """).fetchall()


def _population(con: duckdb.DuckDBPyConnection, n_records: int) -> None:
    n_persons = max(10, int(n_records / 1.77))
    n_households = max(5, int(n_persons / 2.27))
    n_zips = max(20, n_households // 120)
    con.execute(f"""
    CREATE TABLE zips AS SELECT z, printf('%05d', 1001 + (hash(z, 'zip') % 98000)::INT) AS zip,
        pick(states(), z // 12, 'st') AS state,
        pick({_lit(TOWN_A)}, z // 4, 'ta') || pick({_lit(TOWN_B)}, z // 4, 'tb') AS city
    FROM range({n_zips}) t(z);
    CREATE TABLE addresses AS SELECT a, zp.zip, zp.state, zp.city,
        CASE WHEN u(a, 'apt') < 0.25 THEN (10 + (hash(a, 'bld') % 40) * 10)::VARCHAR
             ELSE (1 + hash(a, 'num') % 9000)::VARCHAR END AS number,
        CASE WHEN u(a, 'dir') < 0.08 THEN pick(['North', 'South', 'East', 'West'], a, 'dv') END AS dir,
        pick(streets(), a // 7 + hash(a % 7, 'sg') % 11, 'str') AS street,
        1 + (hash(a // 7, 'suf') % 11)::INT AS suffix_i,
        CASE WHEN u(a, 'apt') < 0.25 THEN (1 + hash(a, 'unit') % 60)::VARCHAR END AS unit
    FROM range({n_households * 2}) t(a), zips zp WHERE zp.z = hash(a // 7, 'zz') % {n_zips};
    CREATE TABLE households AS SELECT h AS household_id,
        CASE WHEN u(h, 'size') < 0.35 THEN 1 WHEN u(h, 'size') < 0.65 THEN 2 WHEN u(h, 'size') < 0.80 THEN 3
             WHEN u(h, 'size') < 0.93 THEN 4 ELSE 5 END AS size,
        h AS addr, CASE WHEN u(h, 'moved') < 0.12 THEN {n_households} + h END AS old_addr,
        DATE '2019-01-01' + (hash(h, 'mdate') % 2200)::INT AS moved_on,
        zipf(surnames(), h, 'sn', 2.6) AS surname,
        CASE WHEN u(h, 'land') < 0.45 THEN '2' || printf('%09d', (hash(h, 'landline') % 999999999)::BIGINT) END AS landline,
        u(h, 'jr') < 0.01 AS junior, u(h, 'twins') < 0.03 AS twins, u(h, 'shared_email') < 0.01 AS shared_email
    FROM range({n_households}) t(h);
    CREATE TABLE people AS WITH m AS (
        SELECT household_id * 8 + member AS person_id, household_id, member, size, surname, landline, junior, twins,
            shared_email, CASE WHEN member = 0 THEN u(household_id, 'sex') < 0.5
                 WHEN member = 1 THEN u(household_id, 'sex') >= 0.5 OR u(household_id, 'samesex') < 0.05
                 ELSE u(household_id * 8 + member, 'sex') < 0.5 END AS male
        FROM (SELECT *, unnest(range(size)) AS member FROM households)
    ), named AS (
        SELECT *, CASE WHEN u(person_id, 'tail') < 0.06 THEN pick(tail_first(), person_id, 'tf')
                       WHEN male THEN zipf(male_names(), person_id, 'fn', 1.8) ELSE zipf(female_names(), person_id, 'fn', 1.8) END AS fn1,
                  CASE WHEN male THEN pick(male_names(), person_id, 'fn2') ELSE pick(female_names(), person_id, 'fn2') END AS fn2
        FROM m
    ), hh AS (
        SELECT *, list(fn1) OVER (PARTITION BY household_id ORDER BY member
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier,
               first_value(fn1) OVER (PARTITION BY household_id ORDER BY member) AS head_fn,
               first_value(male) OVER (PARTITION BY household_id ORDER BY member) AS head_male
        FROM named
    ), dob AS (
        SELECT *, DATE '2026-01-01' - INTERVAL (8000 + hash(household_id, 'age') % 22000) DAY AS head_dob FROM hh
    )
    , base AS (
        SELECT person_id, household_id, member, male, landline, shared_email, twins,
            CASE WHEN junior AND member = 2 AND head_male THEN head_fn
                 WHEN list_contains(coalesce(earlier, []), fn1) THEN fn2 ELSE fn1 END AS first_name,
            CASE WHEN member = 1 AND u(household_id, 'maiden') < 0.15 THEN zipf(surnames(), person_id, 'sn2', 2.6)
                 ELSE surname END AS last_name,
            CAST(CASE WHEN member = 0 THEN head_dob
                 WHEN member = 1 THEN head_dob + INTERVAL ((hash(person_id, 'sp') % 4000)::INT - 2000) DAY
                 ELSE least(head_dob + INTERVAL (7300 + hash(person_id, 'kid') % 6000) DAY, DATE '2009-06-01')
                      - INTERVAL (hash(person_id, 'kd') % 700) DAY END AS DATE) AS dob0,
            CASE WHEN u(person_id, 'mob') < 0.75 THEN '3' || printf('%09d', (hash(person_id, 'mobile') % 999999999)::BIGINT) END AS mobile
        FROM dob
    ), mail AS (
        SELECT *, CASE WHEN u(person_id, 'em') < 0.8 THEN lower(
            CASE hash(person_id, 'ep') % 4 WHEN 0 THEN first_name || '.' || regexp_replace(last_name, '[^A-Za-z]', '', 'g')
                 WHEN 1 THEN left(first_name, 1) || regexp_replace(last_name, '[^A-Za-z]', '', 'g') || (hash(person_id, 'en') % 100)::VARCHAR
                 WHEN 2 THEN first_name || regexp_replace(last_name, '[^A-Za-z]', '', 'g') || (1950 + hash(person_id, 'ey') % 60)::VARCHAR
                 ELSE first_name || '_' || left(regexp_replace(last_name, '[^A-Za-z]', '', 'g'), 3) || (hash(person_id, 'ez') % 1000)::VARCHAR END
            || '@' || pick(domains(), person_id, 'dom')) END AS email0
        FROM base
    )
    , uniq AS (
        SELECT * REPLACE (CASE WHEN row_number() OVER (PARTITION BY email0 ORDER BY person_id) > 1
            THEN replace(email0, '@', (person_id % 9973)::VARCHAR || '@') ELSE email0 END AS email0) FROM mail
    )
    SELECT person_id, household_id, member, male, first_name, last_name, landline, mobile,
        CASE WHEN twins AND member = 3 THEN lag(dob0) OVER w ELSE dob0 END AS dob,
        CASE WHEN shared_email AND member = 1 THEN first_value(email0) OVER w ELSE email0 END AS email,
        CASE WHEN email0 IS NOT NULL AND u(person_id, 'em2') < 0.15 THEN lower(left(first_name, 1)
            || regexp_replace(last_name, '[^A-Za-z]', '', 'g') || (hash(person_id, 'e2n') % 1000)::VARCHAR || '@'
            || pick(domains(), person_id, 'dom2')) END AS email2
    FROM uniq WINDOW w AS (PARTITION BY household_id ORDER BY member);
    """).fetchall()


def _records(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
    CREATE TABLE recs AS WITH r AS (
        SELECT p.*, person_id * 8 + j AS r, j,
            {_lit(SOURCES)}[1 + ((hash(person_id, 's0') + j + CASE WHEN j > 0 AND u(person_id * 8 + j, 'same') < 0.15
                THEN 2 ELSE 0 END) % 3)::INT] AS source
        FROM (SELECT *, unnest(range(CASE WHEN u(person_id, 'k') < 0.50 THEN 1 WHEN u(person_id, 'k') < 0.80 THEN 2
                 WHEN u(person_id, 'k') < 0.94 THEN 3 WHEN u(person_id, 'k') < 0.99 THEN 4 ELSE 5 END)) AS j
              FROM people) p
    ), d AS (
        SELECT r.*, h.old_addr, h.moved_on,
            DATE '2019-06-01' + (hash(r, 'asof') % 2300)::INT AS as_of,
            CASE source WHEN 'web' THEN 0 WHEN 'ecom' THEN 1 ELSE 2 END AS s
        FROM r JOIN households h USING (household_id)
    ), a AS (
        SELECT d.*, CASE WHEN old_addr IS NOT NULL AND as_of < moved_on AND u(r, 'old') < 0.85 THEN old_addr
                         ELSE household_id END AS addr_id
        FROM d
    ), f AS (
        SELECT a.*, ad.zip, ad.state, ad.city, ad.number, ad.dir, ad.street, ad.unit, ad.suffix_i
        FROM a JOIN addresses ad ON ad.a = a.addr_id
    )
    , g AS (
        SELECT f.*,
            CASE WHEN nicks()[first_name] IS NOT NULL AND u(r, 'nick') < [0.10, 0.08, 0.22][s + 1]
                 THEN pick(nicks()[first_name], r, 'nk') ELSE first_name END AS fn_v,
            CASE WHEN u(r, 'dty') < 0.02 THEN (CASE WHEN day(dob) <= 12 AND hash(r, 'dk') % 2 = 0
                    THEN make_date(year(dob), day(dob), month(dob))
                    ELSE dob + INTERVAL (CASE WHEN hash(r, 'dk') % 2 = 0 THEN 10 ELSE -365 END) DAY END)::DATE
                 ELSE dob END AS dob_v,
            CASE WHEN mobile IS NOT NULL AND (landline IS NULL OR u(r, 'which') < 0.7) THEN mobile ELSE landline END AS ph_v
        FROM f
    )
    SELECT source, person_id, household_id, r, as_of,
        CASE WHEN u(r, 'fnm') < 0.01 THEN NULL WHEN u(r, 'ini') < 0.01 THEN left(fn_v, 1)
             WHEN u(r, 'fty') < 0.03 THEN typo(fn_v, r || 'f') ELSE fn_v END AS first_name,
        CASE WHEN u(r, 'lnm') < 0.01 THEN NULL WHEN u(r, 'lty') < 0.03 THEN typo(last_name, r || 'l')
             ELSE replace(last_name, '-', ' ') END AS last_name,
        CASE WHEN u(r, 'dobp') < [0.45, 0.25, 0.85][s + 1] THEN
            CASE s WHEN 0 THEN strftime(dob_v, '%Y-%m-%d') WHEN 1 THEN strftime(dob_v, '%m/%d/%Y')
                   ELSE strftime(dob_v, '%Y%m%d') END END AS birth_date,
        u(r, 'addrp') < [0.65, 0.97, 0.90][s + 1] AS has_addr,
        number || ' ' || coalesce(dir || ' ', '')
            || CASE WHEN u(r, 'sty') < 0.02 THEN typo(street, r || 's') ELSE street END || ' '
            || CASE WHEN u(r, 'abbr') < 0.5 THEN suf_full()[suffix_i] ELSE suf_abbr()[suffix_i] END
            || CASE WHEN unit IS NOT NULL AND u(r, 'u1') < 0.4 THEN ' #' || unit ELSE '' END AS line1,
        CASE WHEN unit IS NOT NULL AND u(r, 'u1') >= 0.4 THEN pick(['Apt ', 'Unit ', 'APT ', 'Apartment '], r, 'us') || unit END AS line2,
        CASE WHEN u(r, 'cty') < 0.02 THEN typo(city, r || 'c') ELSE city END AS city_v,
        state,
        CASE WHEN u(r, 'z4') < 0.2 THEN zip || '-' || printf('%04d', (hash(r, 'z4v') % 10000)::INT)
             WHEN s = 1 AND u(r, 'z0') < 0.5 THEN ltrim(zip, '0') ELSE zip END AS postal_code,
        CASE WHEN u(r, 'emp') < [0.98, 0.95, 0.5][s + 1] THEN (CASE WHEN email2 IS NOT NULL AND u(r, 'e2') < 0.4 THEN email2
             WHEN u(r, 'ety') < 0.01 THEN typo(email, r || 'e')
             WHEN u(r, 'ecase') < 0.1 THEN upper(email) WHEN u(r, 'ecase') < 0.2 THEN upper(email[1]) || email[2:]
             ELSE email END) END AS email,
        CASE WHEN u(r, 'php') < [0.5, 0.6, 0.85][s + 1] THEN
            CASE hash(r, 'pf') % 4 WHEN 0 THEN ph_v WHEN 1 THEN '(' || ph_v[1:3] || ') ' || ph_v[4:6] || '-' || ph_v[7:10]
                 WHEN 2 THEN ph_v[1:3] || '-' || ph_v[4:6] || '-' || ph_v[7:10]
                 ELSE '+1 ' || ph_v[1:3] || ' ' || ph_v[4:6] || ' ' || ph_v[7:10] END END AS phone
    FROM g;
    CREATE TABLE out AS SELECT source,
        CASE source WHEN 'web' THEN 'W' WHEN 'ecom' THEN 'E' ELSE 'L' END
            || printf('%08d', row_number() OVER (PARTITION BY source ORDER BY hash(r, 'key'), r)) AS source_key,
        person_id, household_id,
        CASE WHEN u(r, 'case') < 0.12 THEN upper(first_name) WHEN u(r, 'case') < 0.18 THEN lower(first_name) ELSE first_name END AS first_name,
        CASE WHEN u(r, 'case') < 0.12 THEN upper(last_name) WHEN u(r, 'case') < 0.18 THEN lower(last_name) ELSE last_name END AS last_name,
        CASE WHEN has_addr THEN CASE WHEN u(r, 'acase') < 0.15 THEN upper(line1) ELSE line1 END END AS address_line1,
        CASE WHEN has_addr THEN line2 END AS address_line2,
        CASE WHEN has_addr OR u(r, 'cityp') < 0.5 THEN city_v END AS city,
        CASE WHEN has_addr OR u(r, 'cityp') < 0.5 THEN state END AS state,
        CASE WHEN has_addr OR u(r, 'zipp') < 0.9 THEN postal_code END AS postal_code,
        'US' AS country, email, phone, birth_date, strftime(as_of, '%Y-%m-%d') AS updated_at
    FROM recs;
    """).fetchall()


SOURCES_TOML = """# Synthetic people sources written by bench/synth.py
[sources.web]
kind = "people"
cadence = "daily"
priority = 3
mode = "full"
as_of = "updated_at"

[sources.ecom]
kind = "people"
cadence = "daily"
priority = 2
mode = "full"
as_of = "updated_at"

[sources.loyalty]
kind = "people"
cadence = "weekly"
priority = 1
mode = "full"
as_of = "updated_at"
"""

LISTS = ("mail_preference", "do_not_call", "email_unsubscribes")

LISTS_TOML = """
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
"""


def _lists(con: duckdb.DuckDBPyConnection, out: Path) -> dict[str, int]:
    """The three suppression lists (see the module's docstring), written from the population and its records."""
    n = con.execute("SELECT count(*) FROM people").fetchall()[0][0]
    strangers = max(5, n // 100)
    files = {
        "mail_preference": (f"""SELECT first_name, last_name, address, city, state, zip FROM (
            SELECT first_name, last_name, address, city, state, zip, k FROM (
                SELECT first_name, last_name, address_line1 || coalesce(' ' || address_line2, '') AS address, city,
                    state, postal_code AS zip, hash(source_key, 'mpk') AS k,
                    row_number() OVER (PARTITION BY person_id ORDER BY hash(source_key, 'mpr')) AS i
                FROM out WHERE u(person_id, 'mps') < 0.06 AND address_line1 IS NOT NULL AND last_name IS NOT NULL
                    AND postal_code IS NOT NULL) WHERE i = 1
            UNION ALL
            SELECT pick(female_names(), s, 'xf'), zipf(surnames(), s, 'xs', 2.6),
                (1 + hash(s, 'xn') % 9000)::VARCHAR || ' ' || pick(streets(), s, 'xt') || ' ' || pick(suf_abbr(), s, 'xa'),
                city, state, zip, hash(s, 'mpk')
            FROM range({strangers}) t(s) JOIN zips ON zips.z = s % (SELECT count(*) FROM zips)) ORDER BY k""",
                            "HEADER true"),
        "do_not_call": (f"""SELECT ph[1:3] AS area_code, ph[4:10] AS phone FROM (
            SELECT CASE WHEN mobile IS NOT NULL AND (landline IS NULL OR u(person_id, 'dnw') < 0.6) THEN mobile
                        ELSE landline END AS ph, hash(person_id, 'dnk') AS k
            FROM people WHERE u(person_id, 'dnc') < 0.10 AND (mobile IS NOT NULL OR landline IS NOT NULL)
            UNION ALL SELECT '4' || printf('%09d', (hash(s, 'dnx') % 999999999)::BIGINT), hash(s, 'dnk')
            FROM range({strangers * 2}) t(s)) ORDER BY k""", "HEADER false"),
        "email_unsubscribes": (f"""SELECT email, unsubscribed_on FROM (
            SELECT CASE WHEN u(person_id, 'ucase') < 0.1 THEN upper(email) ELSE email END AS email,
                strftime(DATE '2024-01-01' + (hash(person_id, 'ud') % 700)::INT, '%Y-%m-%d') AS unsubscribed_on,
                hash(person_id, 'uk') AS k
            FROM people WHERE u(person_id, 'uns') < 0.08 AND email IS NOT NULL
            UNION ALL SELECT 'nobody' || s::VARCHAR || '@' || pick(domains(), s, 'ux'), '2024-06-01', hash(s, 'uk')
            FROM range({strangers}) t(s)) ORDER BY k""", "HEADER true"),
    }
    counts = {}
    for name, (sql, header) in files.items():
        path = out / f"{name}.csv"
        con.execute(f"COPY ({sql}) TO '{path}' ({header}, DELIMITER ',')").fetchall()
        counts[name] = con.execute(f"SELECT count(*) FROM read_csv('{path}', all_varchar=true, "
                                   f"header={'true' if 'true' in header else 'false'})").fetchall()[0][0]
    return counts


COLUMNS = ("source_key, first_name, last_name, address_line1, address_line2, city, state, postal_code, country, "
           "email, phone, birth_date, updated_at")


def generate(out_dir: str | Path, rows: int, seed: int = 7, lists: bool = False) -> dict:
    """Write the three source extracts, sources.toml and truth.csv under ``out_dir`` (and the suppression
    lists when ``lists``); return counts."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    con = duckdb.connect()
    _setup(con, seed)
    _population(con, rows)
    _records(con)
    counts = {}
    for source in SOURCES:
        path = out / f"{source}.csv"
        con.execute(f"COPY (SELECT {COLUMNS} FROM out WHERE source = '{source}' ORDER BY source_key) "
                    f"TO '{path}' (HEADER, DELIMITER ',')").fetchall()
        counts[source] = con.execute("SELECT count(*) FROM out WHERE source = ?", [source]).fetchall()[0][0]
    con.execute(f"COPY (SELECT source, source_key, person_id, household_id FROM out ORDER BY source, source_key) "
                f"TO '{out / 'truth.csv'}' (HEADER)").fetchall()
    if lists:
        counts.update(_lists(con, out))
    (out / "sources.toml").write_text(SOURCES_TOML + (LISTS_TOML if lists else ""), encoding="utf-8")
    stats = con.execute("SELECT count(*), count(DISTINCT person_id), count(DISTINCT household_id) FROM out").fetchall()[0]
    con.close()
    return {"records": stats[0], "persons": stats[1], "households": stats[2], "per_source": counts,
            "out": str(out), "seconds": round(time.perf_counter() - started, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", default="bench/out/synth")
    parser.add_argument("--lists", action="store_true", help="Also write three suppression lists.")
    args = parser.parse_args()
    print(generate(args.out, args.rows, args.seed, args.lists))


if __name__ == "__main__":
    main()
