"""`fiscal`: the warehouse's command line. Heavy libraries load inside the commands that need them."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ingest.limits import connect_duckdb, table_exists
from orchestration import execute as runs
from orchestration.execute import execute, materialize
from orchestration.lock import data_docs
from orchestration.outcome import BlockedByChecks, CliError, findings
from orchestration.settings import DBT_PROJECT_DIR, ENGINES, Settings, dbt_sources
from orchestration.summary import held_reports, print_blocking, print_run_summary, print_summary


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings.from_env().with_overrides(
        db=getattr(args, "db", None), out=getattr(args, "out", None), inputs=getattr(args, "input", None),
        engine=getattr(args, "engine", None),
    )
    if settings.engine not in ENGINES:
        raise CliError(f"engine {settings.engine!r}: expected one of {', '.join(ENGINES)}")
    if settings.engine == "spark":
        _require_spark()
    return settings


def _require_spark() -> None:
    from importlib.util import find_spec

    if find_spec("pyspark") is None or find_spec("dbt.adapters.spark") is None:
        raise CliError("the Spark engine needs PySpark and dbt-spark: run `make setup-spark`")


def _manifest_is_current() -> bool:
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    if not manifest.exists():
        return False
    # a file moved or removed changes its folder's time, not its own
    folders = [p for folder in ("models", "seeds", "macros", "tests") for p in [DBT_PROJECT_DIR / folder,
               *(DBT_PROJECT_DIR / folder).rglob("*")] if p.is_dir()]
    return manifest.stat().st_mtime >= max(p.stat().st_mtime for p in [*dbt_sources(), *folders] if p.exists())


def _ensure_manifest() -> None:
    """The dbt manifest is built by `make setup`; rebuild it here when the dbt project changed since."""
    if _manifest_is_current():
        return
    import subprocess

    dbt = Path(sys.prefix) / "bin" / "dbt"
    result = subprocess.run(
        [str(dbt if dbt.exists() else "dbt"), "parse", "--quiet", "--profiles-dir", str(DBT_PROJECT_DIR)],
        cwd=DBT_PROJECT_DIR,
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise CliError(f"dbt parse failed in {DBT_PROJECT_DIR}: {result.stdout.strip() or result.stderr.strip()}")


def _definitions(settings: Settings):
    _ensure_manifest()
    from orchestration.build import build_definitions

    return build_definitions(settings)


def _require_inputs(paths, settings: Settings | None = None) -> None:
    """The inputs exist, and the source registry (when there is one) reads: said in one line before
    anything runs, not as a failed step."""
    for path in paths:
        if not Path(path).exists():
            raise CliError(f"{path}: no such file or folder")
    if settings is not None and settings.sources.exists():
        from ingest.registry import RegistryError, load_registry

        try:
            load_registry(settings.sources)
        except RegistryError as exc:
            raise CliError(str(exc)) from exc


def cmd_run(args: argparse.Namespace) -> int:
    from orchestration import last_run
    from orchestration.lock import never_input

    settings = _settings(args).resolved()
    _require_inputs(settings.inputs, settings)
    # taken before anything is read: a file changed while the run reads it is read again next time
    basis = last_run.basis(settings.inputs, never_input(settings.db_path, settings.out_dir), settings.sources,
                           settings.engine)
    if _nothing_to_do(settings, basis, args.allow_errors):
        return 0
    from orchestration.execute import warehouse_instance

    with warehouse_instance(settings.db_path) as instance:  # the build's and the reports' runs, for the UI
        code = _run(args, settings, instance)
    if code == 0:
        with connect_duckdb(settings.db_path) as con:
            last_run.record(con, basis)
    return code


def _nothing_to_do(settings: Settings, basis, allow_errors: bool) -> bool:
    """When the warehouse already holds what a run from `basis` would make (`last_run.up_to_date`),
    say so and print its summary."""
    from orchestration.last_run import up_to_date

    since = up_to_date(settings.db_path, settings.out_dir, basis, allow_errors)
    if since is None:
        return False
    print(f"nothing to do: no input file, model, rule or vocabulary changed since the run of {since:%Y-%m-%d %H:%M:%S %Z}")
    with connect_duckdb(settings.db_path, read_only=True) as con:
        reports = held_reports(con, settings.out_dir, quiet=True)
    print_run_summary(settings.db_path, reports)
    return True


def _run(args: argparse.Namespace, settings: Settings, instance, definitions=None, paths: list[str] | None = None) -> int:
    """Ingest, build, check and report: the whole run, on `paths` (default: every input), with the
    Definitions `definitions(settings)` makes (default: a build's own dbt process)."""
    from dataclasses import replace

    from orchestration.lock import staged_warehouse

    definitions = definitions or _definitions
    run_config = {"ops": {"ingest_documents": {"config": {"paths": paths}}}} if paths else None
    blocked = None
    # The run builds a copy and swaps it in at the end: killed half-way, the warehouse is untouched.
    with staged_warehouse(settings.db_path) as work:
        defs = definitions(replace(settings, db_path=work))
        try:
            build = execute(defs, "build_warehouse", instance, run_config)
        except BlockedByChecks as exc:
            blocked, build = exc, exc.result
    found = findings(build)
    if blocked is not None and not args.allow_errors:
        print_summary(settings.db_path, [], found=found)
        print(f"fiscal: {blocked}", file=sys.stderr)
        print_blocking(settings.db_path)
        return 1
    if blocked is not None:
        print(f"fiscal: {blocked}; writing the reports anyway (--allow-errors): regions that failed are marked 未通过",
              file=sys.stderr)
    # The job writes the years whose reports the warehouse records as due (those its documents
    # changed since their reports were last written: orchestration/changes.py), and any year
    # without its report.
    execute(definitions(settings), "due_reports", instance)
    with connect_duckdb(settings.db_path, read_only=True) as con:
        reports = held_reports(con, settings.out_dir)
    print_run_summary(settings.db_path, reports, found)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from orchestration.serve import RESTART, Server, restart

    settings = _settings(args).resolved()
    if settings.engine != "duckdb":
        raise CliError("serve builds with dbt in its own process, on DuckDB: use `fiscal run --engine spark` for Spark")
    _require_inputs(settings.inputs, settings)
    code = Server(args, settings).serve()
    if code == RESTART:
        restart()
    global _EXIT_IN_FULL
    # a server's modules (dbt's adapters among them) hold semaphores their finalizers release
    _EXIT_IN_FULL = True
    return code


def cmd_ingest(args: argparse.Namespace) -> int:
    settings = _settings(args).resolved()
    paths = [str(Path(p).resolve()) for p in args.paths]
    _require_inputs(paths, settings)
    defs = _definitions(settings)
    from orchestration.assets.ingest import ingest_documents

    materialize(defs, [ingest_documents], settings.db_path, {"ops": {"ingest_documents": {"config": {"paths": paths}}}},
                "ingest")
    print_summary(settings.db_path, [], raw=True)
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    settings = _settings(args).resolved()
    defs = _definitions(settings)
    from orchestration.assets.dbt import warehouse_models

    run_config = {"ops": {"warehouse_models": {"config": {"full_refresh": args.full_refresh}}}}
    built = materialize(defs, [warehouse_models], settings.db_path, run_config, what="dbt build")
    print_summary(settings.db_path, [], found=findings(built))
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    settings = _settings(args).resolved()
    if not settings.db_path.exists():
        raise CliError(f"{settings.db_path}: no warehouse here; run `fiscal run` first")
    if settings.engine == "spark":
        from orchestration import spark

        run = spark.check_and_record(settings.db_path)
    else:
        from expectations.audit import check_and_record

        run = check_and_record(settings.db_path, docs_dir=data_docs(settings.db_path))
    counts = run.counts()
    for result in run.results:
        state = "ok" if result.success else ("could not run: " + result.exception if result.exception else "violations")
        print(f"{result.rule.id:8} {result.rule.applies_to:28} rows {result.rows_checked:6}  violations {len(result.violations):4}  {state}")
    print(f"violations: error {counts['error']}, warning {counts['warning']}, info {counts['info']}")
    if settings.engine != "spark":
        print(f"data docs: {data_docs(settings.db_path) / 'index.html'}")
    broken = any(r.exception for r in run.results)
    if broken:
        return 1
    if args.fail_on == "error" and counts["error"]:
        return 1
    if args.fail_on == "warning" and (counts["error"] or counts["warning"]):
        return 1
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    settings = _settings(args).resolved()
    if not settings.db_path.exists():
        raise CliError(f"{settings.db_path}: no warehouse here; run `fiscal run` first")
    from orchestration.changes import reportable_years

    reportable = reportable_years()
    years = [args.year] + ([args.compare] if args.compare else [])
    for year in years:
        if str(year) not in reportable:
            raise CliError(f"--year {year}: reports cover fiscal years {min(reportable)}–{max(reportable)}")
    from orchestration.changes import held_years

    with connect_duckdb(settings.db_path, read_only=True) as con:
        held = held_years(con) if table_exists(con, "marts.dim_document") else []
    for year in years:
        if year not in held:  # a report of nothing would say that no problems were found
            holds = f"it holds {', '.join(map(str, held))}" if held else "it holds none yet"
            raise CliError(f"--year {year}: the warehouse holds no documents of fiscal year {year} ({holds})")
    from orchestration.execute import warehouse_instance
    from reporting.yearly import report_paths

    defs = _definitions(settings)
    with warehouse_instance(settings.db_path) as instance:
        for year in years:
            execute(defs, "yearly_report", instance, partition_key=str(year))
            paths = report_paths(settings.out_dir, year)
            print(f"report {year}: {paths.xlsx}  {paths.html}")
    return 0


def cmd_extract(args: argparse.Namespace) -> int:
    from ingest.reading import ingest_file
    from ingest.registry import EMPTY, RegistryError, load_registry
    from orchestration.extract import describe

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"{path}: no such file")
    sources = _settings(args).sources
    try:
        registry = load_registry(sources) if sources.exists() else EMPTY
    except RegistryError as exc:
        raise CliError(str(exc)) from exc
    parsed = ingest_file(path, registry)
    print(describe(parsed, as_json=args.json))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from demo.generator import generate

    try:
        first, last = (int(y) for y in args.years.split("-")) if "-" in args.years else (int(args.years),) * 2
    except ValueError as exc:
        raise CliError(f"--years {args.years}: expected a year or a range like 2023-2024") from exc
    if last < first:
        raise CliError(f"--years {args.years}: the range runs backwards")
    try:
        formats = tuple(f.strip().lower() for f in args.formats.split(",")) if args.formats else None
        corpus = generate(Path(args.out), args.counties, (first, last), args.province, args.seed, args.error_rate,
                          args.departments, formats)
    except ValueError as exc:
        raise CliError(str(exc)) from exc
    planted = sum(1 for p in corpus.projects + corpus.accounts + corpus.budgets if p.planted)
    counties = len({p.adcode for p in corpus.projects})
    print(f"wrote {corpus.documents} synthetic documents ({len(corpus.projects)} project reports, "
          f"{len(corpus.accounts)} final accounts, {len(corpus.budgets)} budgets) for {counties} counties of {args.province}, {first}–{last}, "
          f"{planted} with planted inconsistencies, into {args.out} (truth.json beside them)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fiscal", description="Chinese local public-finance disclosure warehouse.")
    parser.add_argument("-v", "--verbose", action="store_true", help="show the orchestration and dbt logs")
    parser.add_argument(
        "--wait", type=float, default=0.0, metavar="SECONDS",
        help="if another fiscal command is writing the warehouse, wait this long for it (default: stop at once)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def common(p: argparse.ArgumentParser, out: bool = False) -> None:
        p.add_argument("--db", help="warehouse DuckDB file (default: $FISCAL_DB or warehouse/fiscal.duckdb)")
        p.add_argument("--engine", choices=ENGINES,
                       help="what builds and checks the marts (default: $FISCAL_ENGINE or duckdb; spark needs "
                            "`make setup-spark`)")
        if out:
            p.add_argument("--out", help="report folder (default: $FISCAL_OUT or reports/)")
        verbose(p)

    def verbose(p: argparse.ArgumentParser) -> None:
        # after the subcommand as well as before it; unset there, the command's own default stands
        p.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                       help="show the orchestration and dbt logs")

    for name, func, about, inputs in (
        ("run", cmd_run, "ingest, build, check and report (the main job)", "ingest"),
        ("serve", cmd_serve, "keep the warehouse up to date as input files arrive, in one long-lived process",
         "watch and ingest"),
    ):
        whole = sub.add_parser(name, help=about)
        whole.add_argument("--input", action="append", help=f"file or folder to {inputs} (repeatable; default: bundled samples)")
        whole.add_argument("--allow-errors", action="store_true",
                           help="write the reports even when error-level findings block them; failed regions are marked")
        common(whole, out=True)
        whole.set_defaults(func=func)

    ingest = sub.add_parser("ingest", help="read files into the raw layer")
    ingest.add_argument("paths", nargs="+", metavar="PATH", help="a file or a folder to read (every file under it)")
    common(ingest)
    ingest.set_defaults(func=cmd_ingest)

    build = sub.add_parser("build", help="build the dbt models and run their tests")
    build.add_argument("--full-refresh", action="store_true", help="rebuild the incremental models from scratch")
    common(build)
    build.set_defaults(func=cmd_build)

    check = sub.add_parser("check", help="run the integrity rules")
    check.add_argument("--fail-on", choices=["error", "warning", "never"], default="error",
                       help="exit 1 on findings of this severity or worse (default: error)")
    common(check)
    check.set_defaults(func=cmd_check)

    report = sub.add_parser("report", help="write the yearly comparison report")
    report.add_argument("--year", type=int, required=True, help="the fiscal year to report")
    report.add_argument("--compare", type=int, help="also write the report of this earlier year")
    common(report, out=True)
    report.set_defaults(func=cmd_report)

    generate = sub.add_parser("generate", help="write a synthetic province's documents (marked synthetic), with their truth")
    generate.add_argument("--out", required=True, help="folder to write the documents and truth.json into")
    generate.add_argument("--counties", type=int, default=10, help="how many of the province's counties (default: 10)")
    generate.add_argument("--years", default="2023-2024", help="a year or a range, e.g. 2023-2024")
    generate.add_argument("--province", default="山西省", help="the province whose real counties are used (default: 山西省)")
    generate.add_argument("--seed", type=int, default=1, help="the same seed writes the same documents (default: 1)")
    generate.add_argument("--departments", type=int, default=3, help="departments per county (1–12)")
    generate.add_argument("--error-rate", type=float, default=0.1, help="share of documents with a planted inconsistency")
    generate.add_argument("--formats", help="formats to write the documents in, in turn, e.g. pdf,pdf,docx,xlsx (any of "
                          "txt, md, html, pdf, docx, xlsx; a format named twice is written twice as often; default: "
                          "text, Markdown and HTML)")
    verbose(generate)
    generate.set_defaults(func=cmd_generate)

    extract = sub.add_parser("extract", help="show what the parsers read from one file")
    extract.add_argument("file", help="the file to read")
    extract.add_argument("--json", action="store_true", help="print the records as JSON")
    verbose(extract)
    extract.set_defaults(func=cmd_extract)
    return parser


def main(argv: list[str] | None = None) -> int:
    import warnings

    # PySpark, where it is installed (`make setup-spark`), warns of the pandas beside it on import,
    # whichever engine runs (Great Expectations imports it too): nothing a user can act on
    warnings.filterwarnings("ignore", message="PySpark does not yet fully support pandas", category=FutureWarning)
    args = build_parser().parse_args(argv)
    runs.VERBOSE = args.verbose
    from orchestration import progress

    # the long steps say where they are on a terminal; the logs say more with --verbose
    progress.ENABLED = sys.stderr.isatty() and not args.verbose
    try:
        if args.command in ("extract", "generate"):
            return args.func(args)
        from orchestration.lock import WarehouseBusy, WarehouseDamaged, settle, warehouse_lock

        db_path = _settings(args).resolved().db_path
        try:
            with warehouse_lock(db_path, wait_seconds=args.wait):
                settle(db_path)  # the file alone is the warehouse: a log left by a crash folded in
                return args.func(args)
        except (WarehouseBusy, WarehouseDamaged) as exc:
            raise CliError(str(exc)) from exc
    except CliError as exc:
        print(f"fiscal: {exc}", file=sys.stderr)
        return 2
    except FileNotFoundError as exc:
        print(f"fiscal: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:  # a full disk, a folder that cannot be written: the file and the cause
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"fiscal: {where}{exc.strerror or exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        import duckdb

        if not isinstance(exc, duckdb.Error):
            raise
        # the warehouse held by another program (a DuckDB shell, a notebook), or not a warehouse
        print(f"fiscal: {str(exc).strip().splitlines()[0]}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0
    except KeyboardInterrupt:
        print("fiscal: interrupted", file=sys.stderr)
        return 130


_EXIT_IN_FULL = False  # set by a command whose process must end with its finalizers run


def entry() -> None:
    """The `fiscal` command. Once the command has finished and its output is flushed, the process
    ends at once: tearing down the interpreter's modules (Dagster, dbt, Great Expectations) would
    add a second or more to every run and changes nothing on disk. A server, which ends once after
    many runs, ends in full."""
    import logging
    import os

    code = main()
    if _EXIT_IN_FULL:
        sys.exit(code)
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # a reader that went away, or a stream already closed
            pass
    os._exit(code)


if __name__ == "__main__":
    entry()
