#!/usr/bin/python3
"""CLI of the Django test application.

  APP_DB=sqlite:/path/file.db | postgresql://user@host:port/db?schema=NAME
  app.py setup_db                       migrate (creates the schema NAME on PostgreSQL if missing)
  app.py workload --ops N --seed S [--json]
  app.py dump [--json]                  every row of every model, canonical JSON, sorted by pk
  app.py apply_next                     applies shop/next_migrations/ (in a temporary copy of this app)
APP_STATE=next selects the models as they are after apply_next (for workload/dump after it).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
APPS = os.path.dirname(HERE)
sys.path.insert(0, HERE)
sys.path.insert(1, APPS)


def django_setup():
    import warnings
    # a schema with naive timestamps makes Django warn on every row: the workload counts the failures instead
    warnings.filterwarnings('ignore', message='DateTimeField .* received a naive datetime')
    os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'appsite.settings')
    import django
    django.setup()


def cmd_setup_db(args):
    import appcommon
    appcommon.parse_app_db().ensure_schema()
    django_setup()
    from django.core.management import call_command
    call_command('migrate', interactive=False, verbosity=1 if not args.quiet else 0)


def cmd_workload(args):
    django_setup()
    import appcommon
    from shop.workload import Workload
    appcommon.print_summary(Workload(args.seed).run(args.ops), args.json)


def cmd_dump(args):
    django_setup()
    import appcommon
    from django.apps import apps
    out = {}
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label_lower):
        fields = [f for f in model._meta.concrete_fields]
        rows = []
        for obj in model._base_manager.all().iterator():
            rows.append({f.attname: appcommon.canon(getattr(obj, f.attname)) for f in fields})
        pk = model._meta.pk.attname
        rows.sort(key=lambda r: appcommon.pk_sort_key(_raw(r[pk])))
        out[model._meta.label_lower] = {'table': model._meta.db_table, 'rows': rows}
    if args.json:
        appcommon.print_json(out)
    else:
        for label, t in out.items():
            print('%s (%s): %d rows' % (label, t['table'], len(t['rows'])))


def _raw(v):
    if isinstance(v, dict) and len(v) == 1:
        return next(iter(v.values()))
    return v


def cmd_apply_next(args):
    """Copies this app to a temporary directory, puts shop/next_migrations/*.py into its
    shop/migrations/ and runs migrate there with APP_STATE=next. The repository stays unchanged."""
    tmp = tempfile.mkdtemp(prefix='django_app_next_')
    try:
        dst = os.path.join(tmp, 'django_app')
        shutil.copytree(HERE, dst, ignore=shutil.ignore_patterns('__pycache__', '*.pyc', '*.db'))
        shutil.copy2(os.path.join(APPS, 'appcommon.py'), tmp)
        nxt = os.path.join(dst, 'shop', 'next_migrations')
        for f in sorted(os.listdir(nxt)):
            if f.endswith('.py'):
                shutil.copy2(os.path.join(nxt, f), os.path.join(dst, 'shop', 'migrations', f))
        env = dict(os.environ, APP_STATE='next', PYTHONDONTWRITEBYTECODE='1')
        cmd = [sys.executable, os.path.join(dst, 'manage.py'), 'migrate', '--noinput']
        if args.quiet:
            cmd += ['-v', '0']
        rc = subprocess.call(cmd, env=env, cwd=dst)
        if rc == 0 and args.check:
            rc = subprocess.call([sys.executable, os.path.join(dst, 'manage.py'), 'makemigrations', 'shop',
                                  '--check', '--dry-run'], env=env, cwd=dst)
        return rc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest='cmd', required=True)
    p = sub.add_parser('setup_db')
    p.add_argument('--quiet', action='store_true')
    p = sub.add_parser('workload')
    p.add_argument('--ops', type=int, required=True)
    p.add_argument('--seed', type=int, default=1)
    p.add_argument('--json', action='store_true')
    p = sub.add_parser('dump')
    p.add_argument('--json', action='store_true')
    p = sub.add_parser('apply_next')
    p.add_argument('--quiet', action='store_true')
    p.add_argument('--check', action='store_true', help='also check that the next models need no further migration')
    args = ap.parse_args(argv)
    rc = globals()['cmd_' + args.cmd](args)
    return rc or 0


if __name__ == '__main__':
    sys.exit(main())
