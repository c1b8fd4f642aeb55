"""Reading an extract file into a staging table of text columns, with parser rejects kept.

Checks that come before any SQL: the file exists, is a file, is not empty or binary, its encoding
(UTF-8 with or without BOM, else Latin-1/cp1252, transcoded to a temporary UTF-8 copy), its delimiter,
and its header (at most :data:`MAX_COLUMNS` columns).
"""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from workbench.errors import InputFileError
from workbench.ingest.copies import transcode as _transcode
from workbench.ingest.fields import CANONICAL
from workbench.ingest.sources import Source
from workbench.store.sql import quote_ident, quote_literal, rows, run, scalar

MAX_COLUMNS = 2_000
MAX_LINE_BYTES = 4 * 1024 * 1024  # a longer line is a reject, not a hang
MAX_RAW_CHARS = 10_000  # what a reject keeps of a raw line
_CHUNK = 4 * 1024 * 1024
_MAGIC = {
    b"PK\x03\x04": "a zip archive (or an Excel .xlsx file: save it as CSV first)",
    b"\x89PNG": "a PNG image",
    b"%PDF": "a PDF document",
    b"\x7fELF": "a program",
    b"GIF8": "a GIF image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\xd0\xcf\x11\xe0": "an old Excel/Office file (save it as CSV first)",
    b"\x1f\x8b": "a gzip archive",
}
_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_HIGH = re.compile(rb"[\x80-\xff]")


@dataclass
class ExtractFile:
    """What was learnt about an extract before reading it."""

    path: Path
    format: str
    bytes: int
    sha256: str
    encoding: str = "utf-8"
    delimiter: str | None = None
    columns: list[str] = field(default_factory=list)
    read_path: Path | None = None  # a transcoded UTF-8 copy, when the file was not UTF-8 (or CR-only lines)
    replaced_bytes: int = 0
    nul_bytes: int = 0  # NUL bytes anywhere in the file (counted while hashing): their rows are rejected
    extra_copies: list[Path] = field(default_factory=list)  # private copies with unclosed-quote lines put aside

    def cleanup(self) -> None:
        copies = [*self.extra_copies, *([self.read_path] if self.read_path and self.read_path != self.path else [])]
        for copy in copies:
            try:
                os.unlink(copy)
            except OSError:
                pass
        self.extra_copies = []


def infer_format(path: Path, source: Source) -> str:
    if source.format:
        return source.format
    suffixes = [s.lower() for s in path.suffixes]
    for ext in reversed(suffixes):
        ext = ext.lstrip(".")
        if ext in ("csv", "txt", "dat"):
            return "csv"
        if ext in ("tsv", "tab"):
            return "tsv"
        if ext in ("parquet", "pq"):
            return "parquet"
        if ext in ("jsonl", "ndjson"):
            return "ndjson"
        if ext == "json":
            return "json"
    return "csv"


def inspect(path: str | Path, source: Source, compute_hash: bool = True) -> ExtractFile:
    """Check the file and learn its format, encoding, delimiter and header (and its SHA-256)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such file.", "Check the path (relative paths start in the "
                             f"current directory, {Path.cwd()}).")
    if path.is_dir():
        raise InputFileError(f"{path} is a directory, not an extract file.",
                             "Name the file(s) inside it, e.g. `workbench load SOURCE DIR/*.csv`.")
    size = path.stat().st_size
    if size == 0:
        raise InputFileError(f"{path} is empty (0 bytes): nothing to load.",
                             "Ask the source system for a new extract; the database is unchanged.")
    fmt = infer_format(path, source)
    with open(path, "rb") as fh:
        head = fh.read(65536)
    sha, nuls_in_file = _sha256(path) if compute_hash else ("", 0)
    info = ExtractFile(path=path, format=fmt, bytes=size, sha256=sha, read_path=path, nul_bytes=nuls_in_file)
    if fmt == "parquet":
        if not head.startswith(b"PAR1"):
            raise InputFileError(f"{path} is not a Parquet file (no PAR1 marker).",
                                 f"Set `format` for source {source.name!r} to what the file is.")
        return info
    if head.startswith(b"PAR1"):
        raise InputFileError(f"{path} is a Parquet file, but source {source.name!r} reads {fmt}.",
                             f"Set format = \"parquet\" for source {source.name!r} (or name the file .parquet).")
    for magic, what in _MAGIC.items():
        if head.startswith(magic):
            raise InputFileError(f"{path} looks like {what}, not a {fmt.upper()} extract.")
    utf16 = head.startswith((b"\xff\xfe", b"\xfe\xff"))  # a UTF-16 byte order mark: text, read as such
    nuls = head.count(b"\x00")
    if not utf16 and nuls > max(16, len(head) // 100):
        raise InputFileError(f"{path} looks like a binary file ({nuls} NUL bytes in its "
                             f"first {len(head):,} bytes), not a {fmt.upper()} extract.",
                             "If it is UTF-16 text without a byte order mark, save it as UTF-8.")
    info.encoding = "utf-16" if utf16 else source.encoding or detect_encoding(path)
    cr_only = b"\r" in head and b"\n" not in head  # old Mac line ends: DuckDB reads lines ended by \n
    if utf16:
        info.nul_bytes = 0  # every other byte of UTF-16 text is NUL
    if info.encoding != "utf-8" or cr_only:
        info.read_path, info.replaced_bytes = _transcode(path, info.encoding, cr_only)
    if fmt in ("json", "ndjson"):
        _check_json_top(info, source)
        return info
    info.delimiter = "\t" if fmt == "tsv" and not source.delimiter else source.delimiter
    header_line = _first_line(info.read_path or path)
    if info.delimiter is None:
        info.delimiter = detect_delimiter(header_line)
    if source.header:
        names = _split_header(header_line, info.delimiter)
        if len(names) > MAX_COLUMNS:
            raise InputFileError(f"{path}: the header has {len(names):,} columns; workbench reads at most "
                                 f"{MAX_COLUMNS:,}.", "Check the delimiter or cut the extract's columns.")
        info.columns = _unique_names(names)
        if not any(c.strip() for c in names):
            raise InputFileError(f"{path}: the first line is empty; expected a header row.")
    else:
        info.columns = list(source.column_names or [])
    return info


def detect_encoding(path: Path) -> str:
    """UTF-8 when the bytes decode as UTF-8 (BOM or not); Latin-1/cp1252 when they clearly do not.

    A file that is mostly valid UTF-8 with a few broken lines stays UTF-8: those lines become rejects.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    valid = high = 0
    clean = True
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            if clean:
                try:
                    decoder.decode(chunk)
                    continue
                except UnicodeDecodeError:
                    clean = False
            valid += len(_UTF8_MULTIBYTE.findall(chunk))
            high += len(_HIGH.findall(chunk))
    if clean:
        return "utf-8"
    # each valid multibyte sequence holds 2-4 high bytes; most high bytes in valid sequences = UTF-8
    return "utf-8" if valid * 2 >= high * 0.6 else "cp1252"


def detect_delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t", "|")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] > 0 else ","


def stage(conn: duckdb.DuckDBPyConnection, info: ExtractFile, source: Source, table: str = "_stage",
          limit: int | None = None) -> tuple[list[str], str]:
    """Read the file into TEMP ``table`` (all text, plus ``_row``: the data row ordinal).

    Returns (column names, name of the parser-rejects table, holding line/reason/raw).
    """
    rej = f"{table}_parse_rejects"
    raw_table = f"{table}_raw"  # rows in file order, numbered (_row) by row_number() OVER () as they are read
    run(conn, f"DROP VIEW IF EXISTS {table}")
    run(conn, f"DROP TABLE IF EXISTS {raw_table}")
    run(conn, f"CREATE OR REPLACE TEMP TABLE {rej} (line BIGINT, reason VARCHAR, raw VARCHAR)")
    path = quote_literal(str(info.read_path or info.path))
    lim = f" LIMIT {int(limit)}" if limit else ""
    try:
        if info.format in ("csv", "tsv"):
            _stage_csv(conn, info, source, table, raw_table, rej, lim)
        elif info.format == "parquet":
            run(conn, f"CREATE TEMP TABLE {raw_table} AS SELECT row_number() OVER () AS _row, "
                      f"COLUMNS(*)::VARCHAR FROM read_parquet({path}){lim}")
            info.columns = [c for c in _table_columns(conn, raw_table) if c != "_row"]
        else:
            _stage_json(conn, info, source, table, raw_table, rej, lim)
    except (duckdb.Error, OSError, RuntimeError, ValueError) as exc:  # DuckDB raises some as OSError
        text = exc.filename if isinstance(exc, OSError) and isinstance(exc.filename, str) else str(exc)
        raise InputFileError(f"{info.path}: cannot be read as {info.format.upper()}: "
                             f"{_message_line(text)}") from None
    run(conn, f"CREATE TEMP VIEW {table} AS SELECT * FROM {raw_table}")
    return info.columns, rej


# A quote that opens a field and never closes on its line makes DuckDB read on, across line ends, until a
# closing quote or the end of the file: one reject would swallow every line after it. Such a line is
# put aside (replaced, in a private copy, by a marker line DuckDB rejects on its own) and the file read
# again, so that line alone is a reject and reading resumes on the next line.
MAX_QUOTE_REPAIRS = 20  # rounds of repair (each round repairs every swallowing line it found)
_MARK = "\x01wbq"
UNCLOSED_QUOTE = "a quote that is not closed on its line"
# DuckDB's text of a rejected line may start with the LF of the CR LF before it
_TRIMMED = "trim(csv_line, chr(13) || chr(10))"


def _stage_csv(conn: duckdb.DuckDBPyConnection, info: ExtractFile, source: Source, table: str, raw_table: str,
               rej: str, lim: str) -> None:
    cols = "{" + ", ".join(f"{quote_literal(c)}: 'VARCHAR'" for c in info.columns) + "}"
    read_from = Path(info.read_path or info.path)
    put_aside: list[str] = []  # the original lines replaced by markers, by marker number
    for _ in range(MAX_QUOTE_REPAIRS + 1):
        for t in (raw_table, f"{table}_rej", f"{table}_scan", "reject_errors", "reject_scans"):
            run(conn, f"DROP TABLE IF EXISTS {t}")
        run(
            conn,
            f"CREATE TEMP TABLE {raw_table} AS SELECT row_number() OVER () AS _row, * FROM read_csv("
            f"{quote_literal(str(read_from))}, columns = {cols}, header = {'true' if source.header else 'false'}, "
            f"auto_detect = false, sep = {quote_literal(info.delimiter or ',')}, quote = '\"', escape = '\"', "
            f"store_rejects = true, rejects_table = '{table}_rej', rejects_scan = '{table}_scan', "
            f"max_line_size = {MAX_LINE_BYTES}, null_padding = false, strict_mode = true){lim}",
        )
        # a reject whose text runs over a line end started at an unclosed quote
        swallowing = [r[0] for r in conn.execute(
            f"SELECT DISTINCT line_byte_position FROM {table}_rej WHERE contains({_TRIMMED}, chr(10)) "
            f"AND NOT starts_with({_TRIMMED}, {quote_literal(_MARK)}) AND line_byte_position IS NOT NULL "
            "ORDER BY 1").fetchall()]
        if not swallowing:
            break
        if len(put_aside) >= MAX_QUOTE_REPAIRS * 50 or _ == MAX_QUOTE_REPAIRS:
            raise InputFileError(f"{info.path}: too many quotes that are not closed on their line "
                                 f"({len(put_aside)}+); the file is not {info.format.upper()} as source "
                                 f"{source.name!r} reads it.", "Check the quote character and the delimiter.")
        spans = []
        for pos in swallowing:
            start, end, original = _line_at(read_from, int(pos))
            marker = (info.delimiter or ",").join([f"{_MARK}{len(put_aside)}\x01"] * (len(info.columns) + 1))
            put_aside.append(original.decode("utf-8", errors="replace")[:MAX_RAW_CHARS])
            spans.append((start, end, marker.encode()))
        read_from = _transcode_spans(read_from, spans, info)
    # DuckDB may report several errors for one line (a short line: one per missing field): one
    # reject per line, saying how many fields it has
    found = "try_cast(regexp_extract(error_message, 'Found: (\\d+)', 1) AS INTEGER)"
    run(
        conn,
        f"INSERT INTO {rej} SELECT line, "
        f"CASE WHEN starts_with({_TRIMMED}, {quote_literal(_MARK)}) THEN {quote_literal(UNCLOSED_QUOTE)} "
        "WHEN error_type = 'MISSING COLUMNS' THEN "
        f"'wrong number of fields: expected {len(info.columns)}, found ' || coalesce(min_found::VARCHAR, '?') "
        "WHEN error_type = 'TOO MANY COLUMNS' THEN "
        f"'wrong number of fields: expected {len(info.columns)}, found ' || coalesce(max_found::VARCHAR, '?') "
        "WHEN error_type = 'INVALID ENCODING' THEN 'undecodable bytes (not valid UTF-8)' "
        "WHEN error_type = 'UNQUOTED VALUE' THEN 'a quote that is not closed properly' "
        "WHEN error_type = 'LINE SIZE OVER MAXIMUM' THEN 'line longer than the limit of "
        f"{MAX_LINE_BYTES // (1024 * 1024)} MB' "
        "ELSE lower(error_type) || ': ' || error_message END, "
        f"CASE WHEN starts_with({_TRIMMED}, {quote_literal(_MARK)}) THEN "
        f"list_extract(?::VARCHAR[], 1 + try_cast(regexp_extract({_TRIMMED}, '^{_MARK}(\\d+)', 1) AS INTEGER)) "
        f"ELSE left(csv_line, {MAX_RAW_CHARS}) END FROM ("
        "SELECT line, arg_min(error_type, coalesce(byte_position, 0)) AS error_type, "
        "arg_min(error_message, coalesce(byte_position, 0)) AS error_message, any_value(csv_line) AS csv_line, "
        f"min({found}) AS min_found, max({found}) AS max_found FROM {table}_rej GROUP BY line)",
        [put_aside],
    )


def _line_at(path: Path, position: int) -> tuple[int, int, bytes]:
    """(start, end, bytes) of the line DuckDB reports at ``position`` (its line_byte_position: the line's
    first byte, the one after it, or the line end before it when lines end in CR LF), without its line end."""
    with open(path, "rb") as fh:
        at = max(0, position - 1)
        fh.seek(at)
        ahead = fh.read(8)
        at += len(ahead) - len(ahead.lstrip(b"\r\n"))  # the line's first byte, or one of it
        start = 0
        while at > 0:
            back = min(at, 64 * 1024)
            fh.seek(at - back)
            cut = fh.read(back).rfind(b"\n")
            if cut >= 0:
                start = at - back + cut + 1
                break
            at -= back
        fh.seek(start)
        data = b""
        while b"\n" not in data and len(data) <= MAX_LINE_BYTES:
            chunk = fh.read(65536)
            if not chunk:
                break
            data += chunk
    nl = data.find(b"\n")
    line = data if nl < 0 else data[:nl]
    if line.endswith(b"\r"):
        line = line[:-1]
    return start, start + len(line), line


def _transcode_spans(path: Path, spans: list[tuple[int, int, bytes]], info: ExtractFile) -> Path:
    from workbench.ingest.copies import replace_spans

    copy = replace_spans(path, spans)
    info.extra_copies.append(copy)
    return copy


# JSON: every record is read as one JSON object and each field as text (a string's characters without its
# quotes, a number or a boolean as written), whatever type the other records give that field. A line of an
# NDJSON file that is not a JSON object is a reject of that line; a record whose value for a field the
# source reads (a canonical field, as_of, keep_when) is an object or a list is a reject of that record.
def _stage_json(conn: duckdb.DuckDBPyConnection, info: ExtractFile, source: Source, table: str, raw_table: str,
                rej: str, lim: str) -> None:
    path = quote_literal(str(info.read_path or info.path))
    objects = f"{table}_json"
    if info.format == "ndjson":
        for t in (f"{table}_rej", f"{table}_scan"):
            run(conn, f"DROP TABLE IF EXISTS {t}")
        # the file's lines, one text column (no delimiter, no quotes); an undecodable line is a reject
        run(conn, f"CREATE OR REPLACE TEMP TABLE {table}_lines AS SELECT row_number() OVER () AS _row, l "
                  f"FROM read_csv({path}, columns = {{'l': 'VARCHAR'}}, header = false, auto_detect = false, "
                  "sep = '', quote = '', escape = '', strict_mode = false, null_padding = false, "
                  f"max_line_size = {MAX_LINE_BYTES * 4}, store_rejects = true, rejects_table = '{table}_rej', "
                  f"rejects_scan = '{table}_scan')")
        gaps = f"(SELECT DISTINCT line FROM {table}_rej)"
        run(conn, f"INSERT INTO {rej} SELECT line, CASE WHEN any_value(error_type) = 'INVALID ENCODING' THEN "
                  "'undecodable bytes (not valid UTF-8)' ELSE 'unreadable line: ' || any_value(error_message) END, "
                  f"left(any_value(csv_line), {MAX_RAW_CHARS}) FROM {table}_rej GROUP BY line")
        unreadable = scalar(conn, f"SELECT count(*) FROM {table}_rej")
        run(conn, f"CREATE OR REPLACE TEMP TABLE {table}_lines2 AS SELECT "
                  f"{line_expr(gaps, False) if unreadable else '_row'} AS _row, "
                  f"l FROM {table}_lines WHERE l IS NOT NULL AND length(trim(l)) > 0 AND trim(l) <> chr(9)")
        run(conn, f"INSERT INTO {rej} SELECT _row, CASE WHEN NOT json_valid(l) THEN 'not valid JSON' "
                  "ELSE 'not a JSON object (each record is one {...} object)' END, "
                  f"left(l, {MAX_RAW_CHARS}) FROM {table}_lines2 "
                  "WHERE NOT json_valid(l) OR json_type(CASE WHEN json_valid(l) THEN l END::JSON) <> 'OBJECT'")
        run(conn, f"CREATE OR REPLACE TEMP TABLE {objects} AS SELECT _row, l::JSON AS j FROM {table}_lines2 "
                  f"WHERE _row NOT IN (SELECT line FROM {rej})")
        for t in (f"{table}_lines", f"{table}_lines2"):
            run(conn, f"DROP TABLE IF EXISTS {t}")
    else:
        run(conn, f"CREATE OR REPLACE TEMP TABLE {objects} AS SELECT row_number() OVER () AS _row, json AS j "
                  f"FROM read_json_objects({path}, format = 'array', maximum_object_size = {MAX_LINE_BYTES * 4})")
        run(conn, f"INSERT INTO {rej} SELECT _row, 'not a JSON object (each record is one {{...}} object)', "
                  f"left(j::VARCHAR, {MAX_RAW_CHARS}) FROM {objects} WHERE json_type(j) <> 'OBJECT'")
        run(conn, f"DELETE FROM {objects} WHERE json_type(j) <> 'OBJECT'")
    # the fields, in the order they first appear
    keys = [r[0] for r in conn.execute(
        f"SELECT k FROM (SELECT unnest(json_keys(j)) AS k, _row * 100000 + generate_subscripts(json_keys(j), 1) AS o "
        f"FROM {objects}) GROUP BY k ORDER BY min(o) LIMIT {MAX_COLUMNS + 1}").fetchall()]
    if len(keys) > MAX_COLUMNS:
        raise InputFileError(f"{info.path}: the records have more than {MAX_COLUMNS:,} fields; workbench reads at "
                             f"most {MAX_COLUMNS:,}.", "Cut the extract's fields.")
    paths = {k: quote_literal('$."' + k.replace("\\", "\\\\").replace('"', '\\"') + '"') for k in keys}
    scalar_fields = {source.column_for(f) for f in CANONICAL[source.kind]} | set(source.keep_when)
    scalar_fields |= {source.as_of} if source.as_of else set()
    checked = [k for k in keys if k in scalar_fields]
    if checked:
        when = " ".join(f"WHEN json_type(j, {paths[k]}) IN ('OBJECT', 'ARRAY') THEN "
                        f"{quote_literal(f'field {k} holds a list or an object, not a value')}" for k in checked)
        # only records whose text has a list or an object inside can hold one
        run(conn, f"INSERT INTO {rej} SELECT _row, reason, left(j::VARCHAR, {MAX_RAW_CHARS}) FROM "
                  f"(SELECT _row, j, CASE {when} END AS reason FROM {objects} "
                  "WHERE contains(substr(j::VARCHAR, 2), '{') OR contains(j::VARCHAR, '[')) WHERE reason IS NOT NULL")
    fields = ", ".join(f"json_extract_string(j, {paths[k]}) AS {quote_ident(k)}" for k in keys)
    run(conn, f"CREATE TEMP TABLE {raw_table} AS SELECT _row{', ' + fields if fields else ''} FROM {objects} "
              f"WHERE _row NOT IN (SELECT line FROM {rej}) ORDER BY _row{lim}")
    run(conn, f"DROP TABLE IF EXISTS {objects}")
    info.columns = keys


def row_line_expr(info: ExtractFile, source: Source, rejects_table: str) -> str:
    """SQL for the line of a staged row ``_row``: for JSON, ``_row`` is the record's line (NDJSON) or its
    place in the array; for CSV, see :func:`line_expr`."""
    if info.format in ("json", "ndjson"):
        return "_row"
    return line_expr(rejects_table, source.header)


def drop_stage(conn: duckdb.DuckDBPyConnection, table: str = "_stage") -> None:
    run(conn, f"DROP VIEW IF EXISTS {table}")
    for t in (f"{table}_raw", f"{table}_parse_rejects", f"{table}_rej", f"{table}_scan", f"{table}_json",
              f"{table}_lines", f"{table}_lines2"):
        run(conn, f"DROP TABLE IF EXISTS {t}")


def row_count(conn: duckdb.DuckDBPyConnection, table: str) -> int:
    return scalar(conn, f"SELECT count(*) FROM {table}")


def line_expr(rejects_table: str, has_header: bool) -> str:
    """SQL for the file line (record number, header = line 1) of a staged row ``_row``.

    Parser rejects leave gaps in ``_row``; each reject at line L (rank j) sits after L - h - j
    accepted rows, so a row's line is ``_row + h`` plus the rejects before it.
    """
    h = 1 if has_header else 0
    return (f"(_row + {h} + (SELECT count(*) FROM (SELECT line - {h} - row_number() OVER (ORDER BY line) "
            f"AS t FROM {rejects_table}) WHERE t < _row))")


def raw_line_expr(columns: list[str], delimiter: str | None, alias: str = "s") -> str:
    """SQL rebuilding the raw line of a staged row (``alias`` is the staged table's alias)."""
    parts = ", ".join(f"coalesce({alias}.{quote_ident(c)}, '')" for c in columns) or "''"
    return f"left(concat_ws({quote_literal(delimiter or ',')}, {parts}), {MAX_RAW_CHARS})"


# -- internals ----------------------------------------------------------------------------------
def _sha256(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and how many NUL bytes it holds (one pass)."""
    h = hashlib.sha256()
    nuls = 0
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            h.update(chunk)
            nuls += chunk.count(b"\x00")
    return h.hexdigest(), nuls


def _message_line(text: str) -> str:
    """The first line of a DuckDB error, without its query excerpt."""
    line = _first_line_of(text)
    return line[:300]


def _first_line_of(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else text


def _first_line(path: Path | str, limit: int = MAX_LINE_BYTES) -> str:
    with open(path, "rb") as fh:
        data = fh.read(limit)
    end = data.find(b"\n")
    line = data if end < 0 else data[:end]
    return line.decode("utf-8", errors="replace").lstrip("\ufeff").rstrip("\r")


def _split_header(line: str, delimiter: str) -> list[str]:
    import csv

    try:
        return next(csv.reader([line], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return line.split(delimiter)


def _unique_names(names: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, raw in enumerate(names):
        name = raw.strip() or f"column{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


def _table_columns(conn: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    return [r["column_name"] for r in rows(conn, f"DESCRIBE {table}")]


def _check_json_top(info: ExtractFile, source: Source) -> None:
    with open(info.read_path or info.path, "rb") as fh:
        head = fh.read(4096).lstrip(b"\xef\xbb\xbf \t\r\n")
    first = head[:1]
    if info.format == "json" and first != b"[":
        if first == b"{":
            # one object per line is fine as ndjson; a single wrapping object is not
            line = _first_line(info.read_path or info.path)
            try:
                top = json.loads(line)
            except ValueError:
                top = None
            if isinstance(top, dict) and info.bytes <= len(line.encode("utf-8")) + 4:
                wrapped = [k for k, v in top.items() if isinstance(v, list) and v and isinstance(v[0], dict)]
                if wrapped:
                    raise InputFileError(
                        f"{info.path}: the top level of this JSON file is an object; its records sit in the list "
                        f"under {wrapped[0]!r}. Source {source.name!r} expects an array of records ([{{...}}, {{...}}]) "
                        "or one record per line (format = \"ndjson\").",
                        f"Export the list itself (e.g. jq '.{wrapped[0]}' FILE > records.json).")
            if top is not None:
                info.format = "ndjson"
                return
        raise InputFileError(
            f"{info.path}: the top level of this JSON file is "
            f"{'an object' if first == b'{' else 'not an array'}; source {source.name!r} expects an array "
            "of records ([{...}, {...}]) or one record per line (format = \"ndjson\").",
            "Export the records as a JSON array, or unwrap the list they sit in.")
    if info.format == "json" and first == b"[" and head[1:].lstrip(b" \t\r\n")[:1] == b"[":
        raise InputFileError(f"{info.path}: the records of this JSON file are arrays ([[...], [...]]); source "
                             f"{source.name!r} expects objects with named fields ([{{\"source_key\": ...}}, ...]).",
                             "Export the records as objects, or as CSV with a header.")
    if info.format == "ndjson" and first not in (b"{",):
        raise InputFileError(f"{info.path}: expected one JSON object per line (ndjson), but the file starts "
                             f"with {head[:20]!r}.")
