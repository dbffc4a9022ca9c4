"""The terms Lucene's FrenchAnalyzer gives texts, through `bench/lucene/FrenchTerms.java`.

Where the Lucene jars come from (a "source"):

- `maven`: org.apache.lucene:lucene-core and lucene-analysis-common 9.12.3, copied by
  `mvn dependency:copy` into the cache (Java 17+). Needs a reachable Maven repository.
- `debian`: the jars of Debian's `liblucene8-java` (Lucene 8.8.1) in /usr/share/java
  (`apt-get install liblucene8-java`).
- `pypi`: the Lucene 10.5.1 jars bundled in the PyPI wheel nlp4j-local-search 0.8.1.0,
  downloaded with pip into the cache (Java 21+).
- a directory holding lucene-core-*.jar and lucene-analysis-common-*.jar (or, for Lucene 8,
  lucene-analyzers-common-*.jar).

The program is compiled with javac into a temporary directory on every run (about a second),
so it always matches the jars and the JDK it runs with.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

JAVA_SOURCE = Path(__file__).resolve().parent / "lucene" / "FrenchTerms.java"
DEFAULT_CACHE = Path.home() / ".cache" / "atlas-lucene"
MAVEN_VERSION = "9.12.3"
MAVEN_ARTIFACTS = ("lucene-core", "lucene-analysis-common")
# Pinned rather than the plugin Maven 3.8 defaults to (2.8, which drags in a tail of old poms).
MAVEN_PLUGIN = "org.apache.maven.plugins:maven-dependency-plugin:3.6.1"
DEBIAN_DIR = Path("/usr/share/java")
PYPI_WHEEL = "nlp4j-local-search==0.8.1.0"
SOURCES = ("maven", "debian", "pypi")


class LuceneUnavailable(RuntimeError):
    """A source cannot be used here; the message is one line saying why and what to do."""


@dataclass(frozen=True)
class Jdk:
    """A JDK: its `java` and `javac` and its major version."""

    java: Path
    javac: Path
    version: str
    major: int


@dataclass(frozen=True)
class Lucene:
    """Lucene jars ready to run FrenchTerms with a JDK that can read them."""

    source: str  # how the jars were found, for the report
    jars: tuple[Path, ...]
    jdk: Jdk

    def classpath(self, extra: Path | None = None) -> str:
        parts = [str(extra)] if extra else []
        return os.pathsep.join(parts + [str(j) for j in self.jars])


# ---------------------------------------------------------------- JDKs


def _jdk_at(home: Path) -> Jdk | None:
    java, javac = home / "bin" / "java", home / "bin" / "javac"
    if not (java.is_file() and javac.is_file()):
        return None
    try:
        done = subprocess.run([str(java), "-version"], capture_output=True, text=True,
                              timeout=60)
    except OSError:
        return None
    found = re.search(r'version "([^"]+)"', done.stderr)
    if not found:
        return None
    version = found.group(1)
    numbers = [int(n) for n in re.findall(r"\d+", version)[:2]]
    major = numbers[1] if numbers[0] == 1 and len(numbers) > 1 else numbers[0]  # "1.8.0"
    return Jdk(java=java, javac=javac, version=version, major=major)


def find_jdk(min_major: int) -> Jdk:
    """The JDK on JAVA_HOME or PATH if recent enough, else the oldest one in /usr/lib/jvm that
    is; LuceneUnavailable when there is none."""
    homes: list[Path] = []
    if os.environ.get("JAVA_HOME"):
        homes.append(Path(os.environ["JAVA_HOME"]))
    javac = shutil.which("javac")
    if javac:
        homes.append(Path(javac).resolve().parent.parent)
    first = [jdk for jdk in map(_jdk_at, homes) if jdk]
    for jdk in first:
        if jdk.major >= min_major:
            return jdk
    jvm = Path("/usr/lib/jvm")
    others = [jdk for jdk in map(_jdk_at, sorted(jvm.iterdir()) if jvm.is_dir() else []) if jdk]
    recent = [jdk for jdk in others if jdk.major >= min_major]
    if recent:
        return min(recent, key=lambda jdk: jdk.major)
    have = ", ".join(sorted({jdk.version for jdk in first + others})) or "none"
    raise LuceneUnavailable(f"java and javac {min_major}+ not found (found: {have}); "
                            f"install a JDK {min_major}+ or set JAVA_HOME")


# ---------------------------------------------------------------- the jars


def _pick(directory: Path, patterns: Sequence[str]) -> tuple[Path, ...]:
    """One jar per pattern (the newest name when several match), or LuceneUnavailable."""
    picked = []
    for pattern in patterns:
        matches = sorted(directory.glob(pattern))
        if not matches:
            raise LuceneUnavailable(f"no {pattern} in {directory}")
        picked.append(matches[-1])
    return tuple(picked)


def _maven(cache: Path) -> tuple[Path, ...]:
    target = cache / f"maven-{MAVEN_VERSION}"
    wanted = [target / f"{a}-{MAVEN_VERSION}.jar" for a in MAVEN_ARTIFACTS]
    if all(j.is_file() for j in wanted):
        return tuple(wanted)
    mvn = shutil.which("mvn")
    if mvn is None:
        raise LuceneUnavailable("mvn not found: install Maven (apt-get install maven), or use "
                                "--lucene debian,pypi or a directory of Lucene jars")
    target.mkdir(parents=True, exist_ok=True)
    for artifact in MAVEN_ARTIFACTS:
        done = subprocess.run(
            [mvn, "-B", "-q", f"{MAVEN_PLUGIN}:copy",
             f"-Dartifact=org.apache.lucene:{artifact}:{MAVEN_VERSION}:jar",
             f"-DoutputDirectory={target}"],
            capture_output=True, text=True, cwd=tempfile.gettempdir(), timeout=900)
        if done.returncode != 0:
            said = re.search(r"(Unknown host|Could not resolve host|Connection refused)[^\n:]*",
                             done.stdout + done.stderr)
            raise LuceneUnavailable(
                f"mvn could not fetch org.apache.lucene:{artifact}:{MAVEN_VERSION} "
                f"({said.group(0) if said else 'see mvn ' + MAVEN_PLUGIN + ':copy'}); "
                "use --lucene debian,pypi or a directory of Lucene jars")
    return tuple(wanted)


def _debian() -> tuple[Path, ...]:
    try:
        return _pick(DEBIAN_DIR, ("lucene-core-8*.jar", "lucene-analyzers-common-8*.jar"))
    except LuceneUnavailable:
        raise LuceneUnavailable("Debian's Lucene 8 jars are not in /usr/share/java: "
                                "apt-get install liblucene8-java") from None


def _pypi(cache: Path) -> tuple[Path, ...]:
    target = cache / "pypi-nlp4j-local-search-0.8.1.0"
    try:
        return _pick(target, ("lucene-core-*.jar", "lucene-analysis-common-*.jar"))
    except LuceneUnavailable:
        pass
    wheels = target / "wheel"
    done = subprocess.run([sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                           "--only-binary", ":all:", "-d", str(wheels), PYPI_WHEEL],
                          capture_output=True, text=True, timeout=900)
    found = sorted(wheels.glob("nlp4j_local_search-*.whl"))
    if done.returncode != 0 or not found:
        raise LuceneUnavailable(f"pip could not download {PYPI_WHEEL}")
    # The wheel holds one fat jar, which holds the Lucene jars as they are.
    with zipfile.ZipFile(found[-1]) as wheel:
        fat = next(n for n in wheel.namelist() if n.endswith(".jar"))
        with zipfile.ZipFile(io.BytesIO(wheel.read(fat))) as inner:
            for name in inner.namelist():
                if re.fullmatch(r"lucene-(core|analysis-common)-[\d.]+\.jar", name):
                    (target / name).write_bytes(inner.read(name))
    return _pick(target, ("lucene-core-*.jar", "lucene-analysis-common-*.jar"))


def _directory(path: Path) -> tuple[Path, ...]:
    try:
        return _pick(path, ("lucene-core-*.jar", "lucene-analysis-common-*.jar"))
    except LuceneUnavailable:
        return _pick(path, ("lucene-core-*.jar", "lucene-analyzers-common-*.jar"))


def _lucene_major(jars: Sequence[Path]) -> int:
    """Lucene's major version from its core jar's manifest (its file name may lie)."""
    with zipfile.ZipFile(jars[0]) as jar:
        manifest = jar.read("META-INF/MANIFEST.MF").decode("utf-8", "replace")
    found = re.search(r"^Specification-Version:\s*(\d+)", manifest, re.MULTILINE)
    return int(found.group(1)) if found else 0


def resolve(source: str, cache: Path = DEFAULT_CACHE) -> Lucene:
    """Lucene jars and a JDK for `source` (maven, debian, pypi or a directory of jars),
    fetching what is missing into `cache`; LuceneUnavailable says why not."""
    if source == "maven":
        jars, label = _maven(cache), f"Maven org.apache.lucene {MAVEN_VERSION}"
    elif source == "debian":
        jars, label = _debian(), "Debian liblucene8-java"
    elif source == "pypi":
        jars, label = _pypi(cache), f"PyPI {PYPI_WHEEL} (bundled jars)"
    elif Path(source).is_dir():
        jars, label = _directory(Path(source)), f"jars in {source}"
    else:
        raise LuceneUnavailable(f"unknown Lucene source {source!r}: use "
                                f"{', '.join(SOURCES)} or a directory of jars")
    # Lucene 10 is built for Java 21; Lucene 9 for 11; any JDK 17 reads 8 and 9.
    jdk = find_jdk(21 if _lucene_major(jars) >= 10 else 17)
    return Lucene(source=label, jars=jars, jdk=jdk)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ---------------------------------------------------------------- running it


def _run(lucene: Lucene, args: list[str], stdin: str) -> str:
    with tempfile.TemporaryDirectory(prefix="french-terms-") as classes:
        compiled = subprocess.run(
            [str(lucene.jdk.javac), "-encoding", "UTF-8", "-d", classes,
             "-cp", lucene.classpath(), str(JAVA_SOURCE)],
            capture_output=True, text=True, timeout=300)
        if compiled.returncode != 0:
            raise RuntimeError(f"javac failed:\n{compiled.stderr}")
        done = subprocess.run(
            [str(lucene.jdk.java), "-cp", lucene.classpath(Path(classes)), "FrenchTerms",
             *args], input=stdin.encode("utf-8"), capture_output=True, timeout=600)
        if done.returncode != 0:
            raise RuntimeError(f"FrenchTerms failed:\n{done.stderr.decode('utf-8', 'replace')}")
        return done.stdout.decode("utf-8")


def version(lucene: Lucene) -> str:
    """Lucene's own idea of its version (org.apache.lucene.util.Version.LATEST)."""
    return _run(lucene, ["--version"], "").strip()


def analyze(lucene: Lucene, texts: Sequence[str]) -> list[list[str]]:
    """The FrenchAnalyzer terms of each text, in order, in one JVM."""
    # One text a line: a line break inside a text would split it, and it only separates words.
    lines = [re.sub(r"[\r\n]+", " ", text) for text in texts]
    out = _run(lucene, [], "".join(line + "\n" for line in lines))
    rows = out.split("\n")[:-1]
    if len(rows) != len(lines):
        raise RuntimeError(f"FrenchTerms answered {len(rows)} lines for {len(lines)} texts")
    return [row.split("\t") if row else [] for row in rows]
