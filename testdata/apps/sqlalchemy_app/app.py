#!/usr/bin/python3
"""CLI of the SQLAlchemy 1.4 + Alembic 1.8 test application.

  APP_DB=sqlite:/path/file.db | postgresql://user@host:port/db?schema=NAME
  app.py setup_db                       alembic upgrade head (creates the schema NAME on PostgreSQL if missing)
  app.py workload --ops N --seed S [--json]
  app.py dump [--json]                  every row of every table through the mapped types, canonical JSON
  app.py apply_next [--check]           applies next_versions/ (in a temporary copy of this app)
APP_STATE=next selects the models as they are after apply_next (for workload/dump after it).
APP_SQLITE_FK=0 leaves SQLite's foreign keys off (SQLAlchemy's default; the app turns them on otherwise).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import warnings

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(1, APPS)

# SQLite has no native Decimal: SQLAlchemy warns on every Numeric column; the values are rounded to the scale
warnings.filterwarnings('ignore', message='Dialect sqlite\\+pysqlite does \\*not\\* support Decimal objects natively')


def alembic_config():
    from alembic.config import Config
    cfg = Config(os.path.join(HERE, 'alembic.ini'))
    cfg.set_main_option('script_location', os.path.join(HERE, 'migrations'))
    return cfg


def cmd_setup_db(args):
    import appcommon
    appcommon.parse_app_db().ensure_schema()
    from alembic import command
    cfg = alembic_config()
    if args.quiet:
        cfg.attributes['no_logging'] = True
    command.upgrade(cfg, 'head')
    if args.check:
        return check_models()


def check_models():
    """Alembic 1.8 has no `alembic check`: compare the models with the database."""
    import appcommon
    import models
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    engine = models.make_engine(appcommon.parse_app_db(), for_migrations=True)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), models.Base.metadata)
    for d in diff:
        print('model/database difference: %r' % (d,))
    if not diff:
        print('models and database agree')
    return 1 if diff else 0


def cmd_workload(args):
    import appcommon
    import models
    from workload import Workload
    engine = models.make_engine(appcommon.parse_app_db())
    appcommon.print_summary(Workload(engine, args.seed).run(args.ops), args.json)


def cmd_dump(args):
    import appcommon
    import models
    from sqlalchemy import select
    engine = models.make_engine(appcommon.parse_app_db())
    out = {}
    with engine.connect() as conn:
        for table in sorted(models.Base.metadata.tables.values(), key=lambda t: t.name):
            pk = [c.name for c in table.primary_key.columns]
            rows = []
            for r in conn.execute(select(table)).mappings():
                rows.append({k: appcommon.canon(v) for k, v in r.items()})
                rows[-1]['__pk'] = tuple(r[c] for c in pk)
            rows.sort(key=lambda r: appcommon.pk_sort_key(r['__pk'][0] if len(pk) == 1 else r['__pk']))
            for r in rows:
                del r['__pk']
            out[table.name] = {'table': table.name, 'rows': rows}
    if args.json:
        appcommon.print_json(out)
    else:
        for name, t in out.items():
            print('%s: %d rows' % (name, len(t['rows'])))


def cmd_apply_next(args):
    """Copies this app to a temporary directory, puts next_versions/*.py into its migrations/versions/
    and runs `alembic upgrade head` there with APP_STATE=next. The repository stays unchanged."""
    tmp = tempfile.mkdtemp(prefix='sqlalchemy_app_next_')
    try:
        dst = os.path.join(tmp, 'sqlalchemy_app')
        shutil.copytree(HERE, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc', '*.db'))
        shutil.copy2(os.path.join(APPS, 'appcommon.py'), tmp)
        nxt = os.path.join(dst, 'next_versions')
        for f in sorted(os.listdir(nxt)):
            if f.endswith('.py'):
                shutil.copy2(os.path.join(nxt, f), os.path.join(dst, 'migrations', 'versions', f))
        env = dict(os.environ, APP_STATE='next', PYTHONDONTWRITEBYTECODE='1')
        cmd = [sys.executable, os.path.join(dst, 'app.py'), 'setup_db']
        if args.quiet:
            cmd.append('--quiet')
        if args.check:
            cmd.append('--check')
        return subprocess.call(cmd, env=env, cwd=dst)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('setup_db')
    p.add_argument('--quiet', action='store_true')
    p.add_argument('--check', action='store_true', help='then compare the models with the database')
    p = sub.add_parser('workload')
    p.add_argument('--ops', type=int, required=True)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--json', action='store_true')
    p = sub.add_parser('dump')
    p.add_argument('--json', action='store_true')
    p = sub.add_parser('apply_next')
    p.add_argument('--quiet', action='store_true')
    p.add_argument('--check', action='store_true', help='then compare the next models with the database')
    args = ap.parse_args(argv)
    return globals()['cmd_' + args.cmd](args) or 0


if __name__ == '__main__':
    sys.exit(main())
