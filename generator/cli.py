"""The `pufa` command: parse arguments, call one library function, report.

No logic lives here. Each command imports its stage lazily, so `pufa --help` stays fast
and a missing optional part only affects the command that needs it.
"""
from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path
from typing import Callable, Sequence

from .errors import PufaError


def _cmd_init(args: argparse.Namespace) -> int:
    from .site.init import init_project
    init_project(Path(args.dir))
    print(f"created a new pufa project in {args.dir}")
    return 0


def _cmd_import_cases(args: argparse.Namespace) -> int:
    from .importer.run import import_cases
    result = import_cases([Path(f) for f in args.files], into=Path(args.into), sheet=args.sheet,
                          force=args.force, report_dir=Path(args.report_dir) if args.report_dir else None,
                          columns=Path(args.columns) if args.columns else None,
                          include_hidden=args.include_hidden)
    print(result.summary())
    return 0


def _cmd_build(args: argparse.Namespace) -> int:
    from .site.build import build_site
    report = build_site(Path(args.project), progress=not args.quiet, strict=args.strict, as_of=args.as_of)
    print(report.summary())
    return 0


def _cmd_cases_withdraw(args: argparse.Namespace) -> int:
    from .site.publication import withdraw_case
    print(withdraw_case(Path(args.project), args.id, args.reason, args.date))
    return 0


def _cmd_cases_status(args: argparse.Namespace) -> int:
    from .site.publication import cases_status
    print(cases_status(Path(args.project), within=args.within, as_of=args.as_of).summary())
    return 0


def _cmd_export_credit(args: argparse.Namespace) -> int:
    from .site.credit import export_credit
    print(export_credit(Path(args.project), Path(args.out), as_of=args.as_of).summary())
    return 0


def _date_arg(value: str):
    """YYYY-MM-DD for --as-of / --date (argparse prints the error and exits 2)."""
    import datetime as dt
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date in YYYY-MM-DD form") from None


def _cmd_check(args: argparse.Namespace) -> int:
    from .site.leakgate import check_site
    report = check_site(Path(args.site_dir), cases_dir=Path(args.cases) if args.cases else None)
    print(report.summary())
    return 0 if report.ok else 3


def _cmd_serve(args: argparse.Namespace) -> int:
    from .site.serve import serve
    serve(Path(args.project), port=args.port, build_first=not args.no_build)
    return 0


def _cmd_transcribe(args: argparse.Namespace) -> int:
    from .speech.run import transcribe_files
    results = transcribe_files([Path(m) for m in args.media], into=Path(args.into), id=args.id,
                               model=args.model, device=args.device, progress=not args.quiet, link=args.link)
    for result in results:
        print(result.summary())
    return 0


def _cmd_subtitles_import(args: argparse.Namespace) -> int:
    from .speech.subtitles import import_subtitles
    result = import_subtitles(Path(args.file), into=Path(args.into), id=args.id, force=args.force)
    print(result.summary())
    return 0


def _cmd_subtitles_export(args: argparse.Namespace) -> int:
    from .speech.subtitles import export_subtitles
    for path in export_subtitles(Path(args.transcript_dir), redacted=not args.unredacted):
        print(f"wrote {path}")
    return 0


def _cmd_annotate(args: argparse.Namespace) -> int:
    from .annotate.server import run_annotation_tool
    run_annotation_tool(Path(args.project), port=args.port, open_browser=not args.no_browser)
    return 0


def _cmd_doctor(args: argparse.Namespace) -> int:
    from .doctor import run_doctor
    report = run_doctor(Path(args.project) if args.project else None)
    print(report.summary())
    return 0 if report.ok else 1


def _cmd_review(args: argparse.Namespace) -> int:
    from .review.server import review_command
    return review_command(Path(args.project), port=args.port, approve_all=args.approve_all, by=args.by,
                          open_browser=not args.no_browser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pufa",
        description="普法: build the public legal-education site from anonymised cases and transcribed livestreams.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("init", help="create a new, empty site project")
    p.add_argument("dir", help="folder to create (must be empty or absent)")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser("import-cases", help="raw case exports → anonymised public records + review report")
    p.add_argument("files", nargs="+", metavar="FILE", help=".xlsx, .csv (UTF-8/UTF-8-BOM/GBK/GB18030) or .json")
    p.add_argument("--into", required=True, metavar="DIR", help="folder of public case records (cases_public/)")
    p.add_argument("--sheet", metavar="NAME", help="sheet to read when an .xlsx has several")
    p.add_argument("--force", action="store_true", help="overwrite records that a person has edited")
    p.add_argument("--report-dir", metavar="DIR", help="where to write the review report (default: reports/ beside DIR)")
    p.add_argument("--columns", metavar="MAP.yaml", help="columns file: export header → known column, ignore or personal")
    p.add_argument("--include-hidden", action="store_true",
                   help="also import hidden rows and sheets of an .xlsx (skipped and reported by default)")
    p.set_defaults(func=_cmd_import_cases)

    p = sub.add_parser("build", help="validate inputs, generate pages, build, leak-check, swap into site/")
    p.add_argument("--project", default=".", metavar="DIR", help="project folder (default: current)")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.add_argument("--strict", action="store_true", help="warnings are errors: exit non-zero, site/ unchanged (for CI)")
    p.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD",
                   help="publish as on this date (publicity periods, withdrawals; default: today)")
    p.set_defaults(func=_cmd_build)

    p = sub.add_parser("cases", help="publication lifecycle: withdraw a case, see what expires or awaits withdrawal")
    subsub = p.add_subparsers(dest="subcommand", required=True, metavar="ACTION")
    q = subsub.add_parser("withdraw", help="record that a decision was changed or revoked (行政处罚法 第四十八条)")
    q.add_argument("id", metavar="ID", help="case id, e.g. 2024-1001")
    q.add_argument("--reason", required=True, metavar="TEXT", help="published on the 撤回说明 page")
    q.add_argument("--date", type=_date_arg, metavar="YYYY-MM-DD", help="when it was changed or revoked (default: today)")
    q.add_argument("--project", default=".", metavar="DIR")
    q.set_defaults(func=_cmd_cases_withdraw)
    q = subsub.add_parser("status", help="what expires soon and what awaits withdrawal")
    q.add_argument("--within", type=int, default=30, metavar="DAYS", help="publicity ending within DAYS (default 30)")
    q.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD", help="default: today")
    q.add_argument("--project", default=".", metavar="DIR")
    q.set_defaults(func=_cmd_cases_status)

    p = sub.add_parser("export", help="exports for other systems")
    subsub = p.add_subparsers(dest="subcommand", required=True, metavar="KIND")
    q = subsub.add_parser("credit", help="双公示 penalty columns for the credit platform (法人/其他组织 only)")
    q.add_argument("--out", required=True, metavar="FILE.csv")
    q.add_argument("--as-of", type=_date_arg, metavar="YYYY-MM-DD", help="default: today")
    q.add_argument("--project", default=".", metavar="DIR")
    q.set_defaults(func=_cmd_export_credit)

    p = sub.add_parser("check", help="the leak gate: scan a built site for personal data and outside references")
    p.add_argument("site_dir", nargs="?", default="site", metavar="SITE_DIR", help="built site (default: site)")
    p.add_argument("--cases", metavar="DIR", help="also scan public case records in DIR")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser("serve", help="live preview of the site on 127.0.0.1 (with Range support)")
    p.add_argument("--project", default=".", metavar="DIR")
    p.add_argument("--port", type=int, default=8000, metavar="N")
    p.add_argument("--no-build", action="store_true", help="serve the existing site/ without building first")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("transcribe", help="speech → transcripts/<id>/ (transcript.json, meta.yaml, .vtt, .srt)")
    p.add_argument("media", nargs="+", metavar="MEDIA", help=".mp4 .flv .mkv .m4a .mp3 .wav .ogg")
    p.add_argument("--into", default="transcripts", metavar="DIR", help="transcripts folder (default: transcripts)")
    p.add_argument("--id", metavar="ID", help="transcript id (default: a slug of the file name; one media only)")
    p.add_argument("--model", default="base", metavar="NAME_OR_PATH",
                   help="'base' (bundled, offline), a named model such as 'small' or 'large-v3', or a local CTranslate2 folder")
    p.add_argument("--device", default="auto", choices=("auto", "cpu", "cuda"))
    p.add_argument("--link", action="store_true",
                   help="hard-link media from outside the project into its media folder instead of copying")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_transcribe)

    p = sub.add_parser("subtitles", help="import or export SRT/WebVTT")
    subsub = p.add_subparsers(dest="subcommand", required=True, metavar="ACTION")
    q = subsub.add_parser("import", help="SRT/WebVTT from another editor → a transcript")
    q.add_argument("file", metavar="FILE")
    q.add_argument("--into", default="transcripts", metavar="DIR")
    q.add_argument("--id", required=True, metavar="ID")
    q.add_argument("--force", action="store_true", help="replace an existing transcript with this id")
    q.set_defaults(func=_cmd_subtitles_import)
    q = subsub.add_parser("export", help="a transcript → .vtt and .srt with corrections and redactions applied")
    q.add_argument("transcript_dir", metavar="DIR", help="transcripts/<id>")
    q.add_argument("--unredacted", action="store_true", help="for staff only: keep redacted spans")
    q.set_defaults(func=_cmd_subtitles_export)

    p = sub.add_parser("annotate", help="the local annotation tool on 127.0.0.1")
    p.add_argument("--project", default=".", metavar="DIR")
    p.add_argument("--port", type=int, default=8765, metavar="N")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=_cmd_annotate)

    p = sub.add_parser("doctor", help="check the installation and a project; says what to do for each problem")
    p.add_argument("--project", metavar="DIR", help="project folder (default: the current one, if it is a project)")
    p.set_defaults(func=_cmd_doctor)

    p = sub.add_parser("review", help="approve imported cases before they are published (local page on 127.0.0.1)")
    p.add_argument("--project", default=".", metavar="DIR")
    p.add_argument("--port", type=int, default=8766, metavar="N")
    p.add_argument("--approve-all", action="store_true", help="approve every pending case from the command line")
    p.add_argument("--by", metavar="NAME", help="the reviewer's name, recorded with each approval")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser window")
    p.set_defaults(func=_cmd_review)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except PufaError as exc:
        for line in str(exc).splitlines():
            print(f"pufa {args.command}: error: {line}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"pufa {args.command}: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:
        # A full disk, a permission problem: say which file, never hide it.
        print(f"pufa {args.command}: error: {os_error_text(exc)}", file=sys.stderr)
        return 1


_DISK_FULL = {errno.ENOSPC: "磁盘已满 / disk full", errno.EDQUOT: "超出磁盘配额 / disk quota exceeded",
              errno.EFBIG: "文件超过大小上限 / file too large for this disk or limit"}


def os_error_text(exc: OSError) -> str:
    """'file: reason': a copy names its target (filename2) too, since a full disk fails
    the file being written, not the one being read."""
    where = str(exc.filename) if exc.filename is not None else ""
    if getattr(exc, "filename2", None) is not None:
        where += f" → {exc.filename2}"
    reason = exc.strerror or str(exc)
    if exc.errno in _DISK_FULL:
        reason = f"{_DISK_FULL[exc.errno]} ({reason}): free some space and run the command again"
    return f"{where}: {reason}" if where else reason


# Commands that run once over many records and then end: the process is left at
# once, without Python freeing a million objects one by one (0.15–0.3 s of a rebuild).
_BATCH_COMMANDS = {"build", "import-cases", "check"}


def entry() -> None:
    """The `pufa` executable. Batch commands allocate hundreds of thousands of objects
    that live to the end, so the cyclic garbage collector is told to run less often (it
    re-walked them all: a third of a one-case rebuild), and the process exits without
    tearing them down."""
    import gc
    argv = sys.argv[1:]
    batch = bool(argv) and argv[0] in _BATCH_COMMANDS
    if batch:
        gc.set_threshold(100_000, 50, 1000)
    code = main(argv)
    if batch:
        import atexit
        atexit._run_exitfuncs()         # what exit would run (logging, measurements), nothing else
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":
    entry()
