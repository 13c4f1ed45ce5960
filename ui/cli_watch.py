"""``councilqa watch``: saved searches that report the decisions new or changed since they last ran (issue #20).
Thin, as ``ui.cli``: the library is ``qa.watches`` and ``index.watchstore``; runs are delivered by ``ui.watching``,
digests by ``ui.mail``. ``ingest`` and ``fetch`` call ``after_build`` to report the watches after each build."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ui.cli import EXIT_OK, _index_dir

WATCH_HELP = "saved searches: the decisions new or changed since each last ran that match it"


def add_parser(sub) -> None:
    p = sub.add_parser("watch", help=WATCH_HELP, description=WATCH_HELP)
    actions = p.add_subparsers(dest="action", metavar="ACTION", required=True)

    a = actions.add_parser("add", help="save a search as a watch")
    a.add_argument("name", metavar="NAME", help="letters, digits, . _ - (the feed is /feeds/NAME.atom)")
    a.add_argument("query", metavar="QUERY", help='what to follow, e.g. "temporary accommodation"')
    a.add_argument("--filter", action="append", default=[], metavar="NAME=VALUE",
                   help="council, maker, status, key (yes/no), type, from, to, decision; repeatable")
    a.add_argument("--email", action="append", default=[], metavar="ADDRESS",
                   help="send this watch's digests here (default: the addresses of `watch mail --to`); repeatable")
    a.add_argument("--existing", action="store_true",
                   help="also report the matching decisions already indexed at its first run (default: only those "
                   "new or changed from now on)")

    a = actions.add_parser("list", help="the watches, with when each last ran")
    a.add_argument("--json", action="store_true")

    a = actions.add_parser("remove", help="delete a watch (and its feed)")
    a.add_argument("name", metavar="NAME")

    a = actions.add_parser("run", help="report what is new or changed since each watch (or NAME) last ran")
    a.add_argument("name", metavar="NAME", nargs="?")
    a.add_argument("--model", help="embedding model (default: the one the index was built with)")
    a.add_argument("--no-email", action="store_true", help="do not send the digests this time")
    a.add_argument("--json", action="store_true")

    a = actions.add_parser("alerts", help="what a watch reported before (what its feed carries), newest first")
    a.add_argument("name", metavar="NAME")
    a.add_argument("--limit", type=int, default=20, help="at most this many, 1 to 100 (default 20)")
    a.add_argument("--json", action="store_true")

    a = actions.add_parser("mail", help="e-mail a digest of each watch run through your SMTP server")
    a.add_argument("--host", help="SMTP server")
    a.add_argument("--port", type=int, help="default 587 (starttls), 465 (ssl), 25 (none)")
    a.add_argument("--security", choices=["starttls", "ssl", "none"], default="starttls")
    a.add_argument("--user", default="", help="login name, if the server wants one")
    a.add_argument("--password-env", default="", metavar="VAR",
                   help="the environment variable that holds the password (read at each run, never stored)")
    a.add_argument("--password-file", default="", metavar="FILE",
                   help="a file (chmod 600) whose first line is the password (read at each run, never stored)")
    a.add_argument("--from", dest="sender", metavar="ADDRESS", help="the digests' sender")
    a.add_argument("--to", action="append", default=[], metavar="ADDRESS", help="recipient; repeatable")
    a.add_argument("--app-url", default="", metavar="URL",
                   help="where the app is served (e.g. https://councilqa.example.org), for links in the digests")
    a.add_argument("--off", action="store_true", help="stop sending digests (forget these settings)")
    a.add_argument("--test", action="store_true", help="send a test message with the saved settings")
    a.add_argument("--json", action="store_true")

    for a in actions.choices.values():
        a.add_argument("--index", help="index directory (default: $COUNCILQA_INDEX or .councilqa/index)")


def cmd_watch(args: argparse.Namespace) -> int:
    return {"add": _add, "list": _list, "remove": _remove, "run": _run, "alerts": _alerts,
            "mail": _mail}[args.action](args)


def _add(args) -> int:
    from index.filters import parse_filters
    from index.requests import text
    from index.watchstore import WatchStore

    query = text(args.query, "query")
    filters = parse_filters(args.filter)
    index_dir = _index_dir(args.index)
    with WatchStore(index_dir) as store:
        watch = store.add(args.name, query, filters, args.email, existing=args.existing)
    shown = ", ".join(f"{k}={v}" for k, v in watch.to_dict()["filters"].items())
    print(f"watch {watch.name} added: \"{watch.query}\"" + (f" ({shown})" if shown else "") +
          (": the decisions already indexed are reported at its first run" if args.existing else
           ": it reports decisions new or changed from now on (`councilqa watch run`, and after each ingest and "
           "fetch)"))
    return EXIT_OK


def _list(args) -> int:
    from index.watchstore import WatchStore

    index_dir = _index_dir(args.index)
    watches = []
    if WatchStore.exists(index_dir):
        with WatchStore(index_dir) as store:
            watches = store.list()
    if args.json:
        print(json.dumps({"watches": [w.to_dict() for w in watches]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not watches:
        print("no watches: add one with `councilqa watch add NAME QUERY`")
    for w in watches:
        filters = ", ".join(f"{k}={v}" for k, v in w.to_dict()["filters"].items())
        print(f"{w.name}  \"{w.query}\"" + (f"  ({filters})" if filters else "") +
              f"  last run: {w.last_run or 'never'}" + (f"  e-mail: {', '.join(w.email)}" if w.email else "") +
              (f"  NOT RUN: {w.problem}" if w.problem else ""))
    return EXIT_OK


def _remove(args) -> int:
    from index.watchstore import WatchStore

    with WatchStore(_index_dir(args.index)) as store:
        store.remove(args.name)
    print(f"watch {args.name} removed")
    return EXIT_OK


def _say_not_run(index_dir: Path) -> None:
    """Each watch that cannot run as saved, one sentence each on stderr (the others run)."""
    from index.watchstore import WatchStore

    if WatchStore.exists(index_dir):
        with WatchStore(index_dir) as store:
            for w in store.list():
                if w.problem:
                    print(f"not run: {w.problem}", file=sys.stderr)


def _run(args) -> int:
    from ui.watching import watch_run

    index_dir = _index_dir(args.index)

    def open_searcher():
        from index.backends import open_searcher as open_index

        return open_index(index_dir, model=args.model)

    if not args.name:
        _say_not_run(index_dir)
    with watch_run(index_dir, [args.name] if args.name else None, open_searcher=open_searcher,
                   email=not args.no_email) as run:
        if args.json:
            print(json.dumps({"watches": run.to_dict()}, ensure_ascii=False, indent=2), flush=True)
        else:
            if not run.reports:
                print("no watches: add one with `councilqa watch add NAME QUERY`")
            print_reports(run)
            sys.stdout.flush()
    return EXIT_OK


def after_build(args: argparse.Namespace, index_dir: Path, embedder, out: dict | None = None) -> bool:
    """Run every watch after an ingest or fetch (the searcher uses the build's embedder, loaded once; none with
    ``--no-watches``). ``out``: the command's JSON object, printed here with a "watches" key (returns True when
    printed); else the reports are printed after the command's own lines. A watch run that fails leaves the
    ingest done: it is said in one sentence, and its decisions come again at the next run."""
    from index.errors import IndexError_
    from index.sanitise import printable
    from index.watchstore import WatchStore
    from ui.watching import watch_run

    if getattr(args, "no_watches", False) or not WatchStore.exists(index_dir):
        return False

    def open_searcher():
        from index.backends import open_searcher as open_index

        return open_index(index_dir, embedder=embedder)

    printed = False
    try:
        with watch_run(index_dir, open_searcher=open_searcher) as run:
            if out is not None:
                printed = True
                print(json.dumps({**out, "watches": run.to_dict()}, ensure_ascii=False, indent=2), flush=True)
            else:
                print("\nWatches:")
                print_reports(run)
                sys.stdout.flush()
    except IndexError_ as exc:
        print(f"councilqa: watches not run: {printable(str(exc))}", file=sys.stderr)
        if out is not None and not printed:
            print(json.dumps({**out, "watches_error": str(exc)}, ensure_ascii=False, indent=2))
            printed = True
    return printed


def print_reports(run) -> None:
    from index.sanitise import printable

    for r in run.reports:
        head = f"watch {r.watch.name} (\"{r.watch.query}\"): "
        if not r.alerts:
            print(head + f"nothing new ({r.considered} decision{'s' if r.considered != 1 else ''} new or changed, "
                  "none matching)" if r.considered else head + "nothing new")
        else:
            print(head + f"{len(r.alerts)} of {r.considered} decision{'s' if r.considered != 1 else ''} new or "
                  "changed match")
        for a in r.alerts:
            ref = f"  (ref {a.reference})" if a.reference and a.reference != a.decision else ""
            print(f"  {printable(a.decision)}  {printable(a.title)}{printable(ref)}\n"
                  f"    {a.change} · {a.status or 'status unknown'} · {a.date or 'no date'} · "
                  f"{printable(a.council) or 'council unknown'}\n"
                  f"    {printable(a.citation)} \"{printable(a.quote)}\"")
            if a.page or a.source:
                print(f"    on the council's site: {printable(a.page or a.source)}")
        why = run.mail.get(r.watch.name)
        if why:
            print(f"  e-mail not sent: {printable(why)}; these decisions will be reported again at the next run")
        elif r.watch.name in run.mail:
            print("  digest e-mailed")


def _alerts(args) -> int:
    from index.requests import k_value
    from index.watchstore import WatchStore

    limit = k_value(args.limit, "--limit")
    with WatchStore(_index_dir(args.index)) as store:
        store.get(args.name)
        alerts = store.alerts(args.name, limit)
    if args.json:
        print(json.dumps({"watch": args.name, "alerts": alerts}, ensure_ascii=False, indent=2))
        return EXIT_OK
    if not alerts:
        print(f"watch {args.name} has reported nothing yet")
    for a in alerts:
        print(f"{a['reported']}  {a['decision']}  {a['title']}\n  {a['change']} · {a['status']} · {a['date']}\n"
              f"  {a['citation']} \"{a['quote']}\"")
    return EXIT_OK


def _mail(args) -> int:
    from index.watchstore import WatchError, WatchStore
    from ui import mail

    with WatchStore(_index_dir(args.index)) as store:
        if args.off:
            mail.save(store, None)
            print("watch digests are no longer e-mailed")
            return EXIT_OK
        if args.host:
            if not args.sender:
                raise WatchError("--from ADDRESS is needed: the digests' sender")
            port = args.port or {"starttls": 587, "ssl": 465, "none": 25}[args.security]
            settings = mail.MailSettings(args.host, args.sender, tuple(args.to), port, args.security, args.user,
                                         args.password_env, args.password_file, app_url=args.app_url)
            mail.save(store, settings)
        settings = mail.load(store)
    if settings is None:
        print("digests are not e-mailed: set them up with `councilqa watch mail --host HOST --from ADDRESS --to "
              "ADDRESS [--user USER --password-env VAR]`")
        return EXIT_OK
    if args.test:
        from email.message import EmailMessage

        msg = EmailMessage()
        msg["Subject"], msg["From"], msg["To"] = "councilqa: test message", settings.sender, ", ".join(settings.to)
        msg.set_content("This is a test of the councilqa watch digest settings.")
        mail.send(settings, msg)
        print(f"test message sent to {', '.join(settings.to)} through {settings.host}:{settings.port}")
        return EXIT_OK
    shown = {k: v for k, v in settings.to_dict().items() if v not in ("", [], None)}
    if args.json:
        print(json.dumps(shown, indent=2))
    else:
        print("digests are e-mailed: " + ", ".join(f"{k}={v}" for k, v in shown.items()))
    return EXIT_OK
