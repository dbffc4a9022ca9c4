"""`atlas`: a thin command line over the library (parse args, call, one clear line on error)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from indexer.fields import FACETS, YEAR

EPILOG = {
    "parse": "example: atlas parse data/sample/ > records.jsonl",
    "generate": "example: atlas generate --count 12000 --seed 1 --out data/generated",
    "build": "example: atlas build data/sample data/generated --index index",
    "update": "example: atlas update new_pages/ --index index",
    "delete": "example: atlas delete 000_671a6b7235ccf533 --index index",
    "search": "example: atlas search 'eau potable' --country SN --theme 'Eau et assainissement'",
    "serve": "example: atlas serve --index index --port 8000 --workers 2",
    "versions": "example: atlas versions --index index",
    "rollback": "example: atlas rollback --index index   (or: atlas rollback VERSION)",
    "check": "example: atlas check --index index   (or: atlas check --version VERSION)",
}


WRITE_EXITS = """

exit status: 0 done; 2 done, with skipped inputs (each named on stderr; a new version
is published with the good records); 1 nothing published (no good record, --strict and a
skipped input, a usage error or another error)"""


class CliError(Exception):
    """An error worth one line on stderr and a non-zero exit."""


def default_index() -> Path:
    return Path(os.environ.get("ATLAS_INDEX") or "index")


def _index_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--index", type=Path, default=None,
                   help="index directory (default: $ATLAS_INDEX or ./index)")


DONE_WITH_SKIPS = 2  # the exit status of a write that published but skipped some inputs


def _strict_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--strict", action="store_true",
                   help="any skipped input is fatal: exit 1 before publishing anything")


def _write_args(p: argparse.ArgumentParser) -> None:
    _index_arg(p)
    p.add_argument("--wait", type=float, default=600, metavar="SECONDS",
                   help="how long to wait for another writer's lock (default: 600)")
    p.add_argument("--keep", type=int, default=2, metavar="N",
                   help="versions to keep: the live one and N-1 before it (default: 2)")


class _Parser(argparse.ArgumentParser):
    """argparse with usage errors exiting 1, not 2: 2 means "done, with skipped inputs"."""

    def error(self, message: str):  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(1, f"{self.prog}: error: {message}\n")


def _memory_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument("--memory", default=None, metavar="SIZE",
                   help="postings and phrase pairs a build holds in memory before it sorts "
                        "them into runs on disk, e.g. 512M or 2G (default: 192M)")


def make_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="atlas",
        description="Search the Atlas français de la coopération décentralisée.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        epilog = EPILOG[name] + (WRITE_EXITS if name in ("build", "update") else "")
        return sub.add_parser(name, help=help_text, description=help_text, epilog=epilog,
                              formatter_class=argparse.RawDescriptionHelpFormatter)

    p = command("parse", "Parse Atlas pages into JSON records, one per line on stdout.")
    p.add_argument("paths", nargs="+", metavar="FILE|DIR")

    p = command("generate", "Write N synthetic Atlas pages (deterministic for a seed).")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", type=Path, required=True)

    p = command("build", "Build a fresh index from pages (.txt) and JSON Lines (.jsonl).")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    p.add_argument("--timings", action="store_true",
                   help="also print the seconds each step of the build took")
    _strict_arg(p)
    _write_args(p)
    _memory_arg(p)

    p = command("update", "Add or replace records by id.")
    p.add_argument("sources", nargs="+", metavar="SOURCE")
    _strict_arg(p)
    _write_args(p)

    p = command("delete", "Remove records by id.")
    p.add_argument("ids", nargs="+", metavar="ID")
    _write_args(p)

    p = command("versions", "List the kept index versions, newest first, the live one marked.")
    _index_arg(p)

    p = command("rollback", "Make the previous (or the named) version live, atomically.")
    p.add_argument("version", nargs="?", default=None, metavar="VERSION")
    _write_args(p)

    p = command("check", "Check every part of the live (or the named) version against its "
                         "checksum and open it; exit 1 naming the damaged parts.")
    p.add_argument("--version", default=None, metavar="VERSION",
                   help="the kept version to check (default: the live one)")
    _index_arg(p)

    p = command("search", "Search the index from the terminal.")
    p.add_argument("query", nargs="?", default="", metavar="QUERY")
    for facet in FACETS:
        p.add_argument(f"--{facet.param.replace('_', '-')}", dest=facet.param, action="append",
                       default=[], metavar="VALUE", help=f"{facet.label} (repeatable)")
    for name in YEAR.params:
        p.add_argument(f"--{name.replace('_', '-')}", dest=name, type=int)
    p.add_argument("--sort", default="relevance",
                   choices=["relevance", "year_desc", "year_asc", "funding_desc"])
    p.add_argument("--match", default="auto", choices=["auto", "all"],
                   help="auto: when few records meet every word, the most frequent words "
                        "become optional; all: every word is required (default: auto)")
    p.add_argument("--page", type=int, default=1)
    p.add_argument("--limit", type=int, default=20, help="results per page (1-100)")
    p.add_argument("--json", action="store_true", help="print what GET /api/search returns")
    _index_arg(p)

    p = command("serve", "Serve the web UI and the JSON API.")
    _index_arg(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--root-path", default=None, metavar="PATH",
                   help="the sub-path a reverse proxy serves the site under, e.g. /atlas "
                        "(ATLAS_ROOT_PATH)")
    from search_app.web.limits import Limits

    limits = Limits()
    p.add_argument("--http", choices=["guarded", "httptools", "h11"], default="guarded",
                   help="uvicorn's HTTP protocol: 'guarded' (httptools with the limits below, "
                        "the default); the others are for comparison and lack limits")
    p.add_argument("--header-timeout", type=float, default=limits.header_timeout,
                   help="seconds to receive a request's headers before the connection closes")
    p.add_argument("--keep-alive", type=int, default=limits.keep_alive,
                   help="seconds an idle connection stays open between requests")
    p.add_argument("--write-timeout", type=float, default=limits.write_timeout,
                   help="seconds a client may stop reading an answer before it is cut")
    p.add_argument("--max-connections", type=int, default=limits.max_connections,
                   help="open connections per worker; beyond it, 503 with Retry-After")
    p.add_argument("--max-head-bytes", type=int, default=limits.max_head_bytes,
                   help="bytes of request line and headers; beyond it, 431")
    p.add_argument("--max-exports", type=int, default=None,
                   help="exports streamed at once per worker; beyond it, 503 with Retry-After "
                        "(default 4, or $ATLAS_MAX_EXPORTS)")
    return parser


# ---------------------------------------------------------------- commands


def cmd_parse(args: argparse.Namespace) -> int:
    from indexer.sources import Failure, expand, read_sources

    missing: list[Failure] = []
    paths = expand(args.paths, missing)
    for failure in missing:
        print(f"atlas: {failure}", file=sys.stderr)
    failed = len(missing)
    out = sys.stdout
    for item in read_sources(paths):
        if isinstance(item, Failure):
            failed += 1
            print(f"atlas: {item}", file=sys.stderr)
        else:
            out.write(json.dumps(item.to_dict(), ensure_ascii=False) + "\n")
    return 1 if failed else 0


def cmd_generate(args: argparse.Namespace) -> int:
    from indexer.generate import generate

    if args.count < 0:
        raise CliError("--count must be 0 or more")
    written = generate(args.count, args.seed, args.out, progress=sys.stderr.isatty())
    print(f"wrote {written} synthetic pages to {args.out}", file=sys.stderr)
    return 0


def _report(report) -> int:
    for failure in report.failures:
        print(f"atlas: skipped {failure}", file=sys.stderr)
    print(report.summary(), file=sys.stderr)
    if report.failures:
        print(f"atlas: done, with skipped inputs ({len(report.failures)})", file=sys.stderr)
        return DONE_WITH_SKIPS
    return 0


def _write_options(args: argparse.Namespace):
    from indexer.build import WriteOptions

    if args.keep < 1:
        raise CliError("--keep must be 1 or more")
    if args.wait < 0:
        raise CliError("--wait must be 0 or more seconds")
    extra = {}
    if getattr(args, "memory", None) is not None:
        from indexer.collect import parse_size

        try:
            extra["memory"] = parse_size(args.memory)
        except ValueError as exc:
            raise CliError(f"--memory: {exc}") from None
    return WriteOptions(wait=args.wait, keep=args.keep, strict=getattr(args, "strict", False),
                        on_wait=lambda text: print(f"atlas: {text}", file=sys.stderr), **extra)


def _target_index(args: argparse.Namespace) -> Path:
    index = args.index or default_index()
    if index.exists() and not index.is_dir():
        raise CliError(f"--index {index} is a file, not an index folder")
    return index


def cmd_build(args: argparse.Namespace) -> int:
    from indexer.build import build

    report = build(args.sources, _target_index(args), options=_write_options(args))
    if args.timings:
        for step, seconds in report.phases.items():
            print(f"  {step}: {seconds:.2f} s", file=sys.stderr)
        print(f"  sorted runs spilled: {report.runs}", file=sys.stderr)
    return _report(report)


def cmd_update(args: argparse.Namespace) -> int:
    from indexer.build import update

    return _report(update(args.sources, _target_index(args), options=_write_options(args)))


def cmd_delete(args: argparse.Namespace) -> int:
    from indexer.build import delete

    report, missing = delete(args.ids, _target_index(args), options=_write_options(args))
    for rid in missing:
        print(f"atlas: not in the index: {rid}", file=sys.stderr)
    print(f"deleted {report.indexed} records; index now holds {report.records} records "
          f"(version {report.version})", file=sys.stderr)
    return 1 if missing else 0


def cmd_versions(args: argparse.Namespace) -> int:
    from indexer import version

    index = _target_index(args)
    kept = version.versions(index)
    if not kept:
        raise CliError(f"no index versions at {index}")
    for v in kept:
        mark = "*" if v.live else " "
        note = "" if v.complete else "  (older format: rebuild to use)"
        print(f"{mark} {v.name}  {v.records} records  built {v.built_at}{note}")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from indexer import version

    index = _target_index(args)
    options = _write_options(args)
    with version.write_lock(index, options.wait, "rollback", options.on_wait):
        target = version.rollback(index, args.version, keep=options.keep)
    print(f"version {target.name} is live ({target.records} records)", file=sys.stderr)
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from indexer import version

    index = _target_index(args)
    if args.version is None:
        layout = version.current(index)
    else:
        if args.version not in {v.name for v in version.versions(index)}:
            raise CliError(f"no version {args.version!r} in {index} "
                           f"(see 'atlas versions --index {index}')")
        layout = version.Layout(index / version.VERSIONS / args.version)
    found = version.inspect(layout)
    if found.problem:
        print(f"atlas: version {found.name}: {found.problem}", file=sys.stderr)
        return 1
    if found.parts is None:
        print(f"version {found.name}: no checksums (made by an older atlas); it opens")
    else:
        print(f"version {found.name}: {found.parts} parts, every checksum matches; it opens")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from search_app.engine.request import LIST_FIELDS, SearchParams
    from search_app.engine.service import SearchService
    from search_app.settings import Settings
    from search_app.web.answers import search_answer
    from search_app.web.hints import warnings

    try:
        filters = {name: getattr(args, name) for name in (*LIST_FIELDS, *YEAR.params)}
        params = SearchParams(q=args.query, sort=args.sort, match=args.match, page=args.page,
                              size=args.limit, **filters)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise CliError(f"invalid {'.'.join(map(str, first['loc']))}: {first['msg']}") from None
    service = SearchService(args.index or default_index(),
                            synonyms=Settings.from_env().synonyms())
    try:
        reader = service.reader()
        result = search_answer(reader, params)
        result["warnings"] = warnings([], reader.unknown_values(params))
    finally:
        service.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(render_text(result))
        for warning in result["warnings"]:
            print(f"atlas: warning: {warning}", file=sys.stderr)
    return 0


def render_text(result: dict, width: int | None = None) -> str:
    """The answer as terminal text, every line within `width` columns (the terminal's,
    `$COLUMNS` or 80 by default); snippets cut at a word with « … »."""
    import html
    import re
    import shutil
    import textwrap

    width = max(40, width or shutil.get_terminal_size((80, 24)).columns)
    total, pages = int(result["total"]), max(int(result["pages"]), 1)
    count = f"{total} projet{'s' if total > 1 else ''}" if total else "aucun projet"
    lines = textwrap.wrap(f"{count} (page {result['page']}/{pages}, {result['took_ms']} ms)",
                          width)
    if result.get("suggestion"):
        lines += textwrap.wrap(f"Essayez : {result['suggestion']}", width)
    indent = " " * 6
    for n, hit in enumerate(result["hits"], start=(result["page"] - 1) * result["size"] + 1):
        countries = ", ".join(c["name"] for c in hit["countries"])
        lines += textwrap.wrap(f"{n:>4}. {hit['title']}  [{hit['id']}]", width,
                               subsequent_indent=indent)
        meta = " · ".join(str(x) for x in (hit["theme"], hit["status"], hit["start_year"],
                                            countries) if x)
        lines += textwrap.wrap(meta, width, initial_indent=indent, subsequent_indent=indent)
        snippet = html.unescape(re.sub(r"</?mark>", "*", hit["snippet"] or ""))
        if snippet:
            lines += textwrap.wrap(cut_at_word(snippet, 3 * (width - len(indent))), width,
                                   initial_indent=indent, subsequent_indent=indent)
    return "\n".join(lines)


def cut_at_word(text: str, limit: int) -> str:
    """`text` within `limit` characters, cut after a whole word and ended by « … » (never
    « .… »: the punctuation before the cut is dropped)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    head = text[:cut if cut > limit // 2 else limit - 1]
    return head.rstrip(" .,;:…") + "…"


def check_index(index: Path) -> str | None:
    """Open the index fully once; None when it is usable, else the reason."""
    from indexer.errors import IndexUnavailable
    from search_app.engine.service import SearchService

    try:
        SearchService(index).open().close()
        return None
    except IndexUnavailable as exc:
        problem = str(exc)
    except Exception as exc:
        # The service's own error already says "cannot open index at …": said once.
        problem = getattr(exc, "detail", None) or \
            f"cannot open index at {index}: {type(exc).__name__}: {exc}"
    from indexer import version

    fallback = version.intact_fallback(index)
    if fallback:
        problem += (f"; version {fallback} is intact: run 'atlas rollback {fallback} "
                    f"--index {index}'")
    return problem


def check_serving(index: Path) -> str | None:
    """The settings, the synonyms and the index as a worker will load them; None when all
    are usable, else one line saying what is wrong."""
    from search_app.settings import Settings, SettingsError

    try:
        settings = Settings.from_env(index_dir=index)
    except SettingsError as exc:
        return str(exc)
    from indexer.synonyms import SynonymsError

    try:
        settings.synonyms()
    except SynonymsError as exc:
        return str(exc)
    return check_index(index)


def _check_in_child(index: Path) -> str | None:
    # In a child process, so the server's supervisor keeps neither the index's memory nor
    # the modules loading it needs (about 15 MB of the supervisor's resident memory).
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(1) as pool:
        return pool.apply(check_serving, (index,))


def cmd_serve(args: argparse.Namespace) -> int:
    from indexer import version
    from indexer.errors import IndexUnavailable

    index = (args.index or default_index()).resolve()
    if args.root_path is not None:
        os.environ["ATLAS_ROOT_PATH"] = args.root_path  # read by check_serving and the workers
    try:
        version.current(index)
    except IndexUnavailable as exc:
        raise CliError(str(exc)) from None
    # A bad setting, a malformed synonyms line or an unusable index: one line now, not
    # one per worker or per request.
    problem = _check_in_child(index)
    if problem:
        raise CliError(problem)
    os.environ["ATLAS_INDEX"] = str(index)
    from search_app.web.limits import Limits

    os.environ.update(Limits(
        max_head_bytes=args.max_head_bytes, header_timeout=args.header_timeout,
        keep_alive=args.keep_alive, write_timeout=args.write_timeout,
        max_connections=args.max_connections).to_env())
    if args.max_exports is not None:
        os.environ["ATLAS_MAX_EXPORTS"] = str(args.max_exports)
    # Workers answer from a thread pool; glibc's default of 8 malloc arenas per core lets
    # each thread's garbage hold its own pages (measured: -8 MB after a load test).
    os.environ.setdefault("MALLOC_ARENA_MAX", "2")
    workers = max(1, args.workers)
    if workers > 1 and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        # /metrics adds up every worker's counters from files there (prometheus-client).
        import tempfile

        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="atlas-metrics-")
    print(f"serving {index} on http://{args.host}:{args.port}", file=sys.stderr)
    sys.stderr.flush()
    # uvicorn in place of this process: its supervisor then holds only uvicorn, not the
    # modules this command line loaded (about 25 MB of resident memory).
    os.execv(sys.executable, [
        sys.executable, "-m", "search_app.web.serving", "--host", args.host,
        "--port", str(args.port), "--workers", str(max(1, args.workers)), "--http", args.http])
    return 0  # not reached


COMMANDS = {
    "parse": cmd_parse, "generate": cmd_generate, "build": cmd_build, "update": cmd_update,
    "delete": cmd_delete, "search": cmd_search, "serve": cmd_serve,
    "versions": cmd_versions, "rollback": cmd_rollback, "check": cmd_check,
}


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    from indexer.errors import BuildError, IndexUnavailable, SourceError
    from indexer.synonyms import SynonymsError

    try:
        return COMMANDS[args.command](args)
    except (CliError, BuildError, SourceError, IndexUnavailable, SynonymsError) as exc:
        for failure in getattr(exc, "failures", ()):
            print(f"atlas: skipped {failure}", file=sys.stderr)
        print(f"atlas: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("atlas: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except Exception as exc:  # one clear line rather than a traceback
        from search_app.engine.errors import EngineError

        if isinstance(exc, EngineError):
            print(f"atlas: error: {exc.detail}", file=sys.stderr)
            return 1
        print(f"atlas: error: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
