"""Shared helpers for the framework test applications (django_app, sqlalchemy_app).

APP_DB convention (environment variable):
  sqlite:/path/to/file.db                              (sqlite:///abs/path also accepted)
  postgresql://user[:password]@host[:port]/db?schema=NAME   (schema defaults to public)
"""
import datetime
import decimal
import json
import os
import sys
import uuid
from urllib.parse import urlparse, parse_qs, unquote

sys.dont_write_bytecode = True


class AppDb:
    def __init__(self, kind, path=None, user=None, password=None, host=None, port=None,
                 dbname=None, schema=None, extra=None):
        self.kind = kind
        self.path = path
        self.user = user
        self.password = password
        self.host = host
        self.port = port
        self.dbname = dbname
        self.schema = schema
        self.extra = extra or {}

    @property
    def is_sqlite(self):
        return self.kind == 'sqlite'

    def psycopg2_kwargs(self):
        kw = dict(host=self.host, port=self.port, user=self.user, dbname=self.dbname)
        if self.password:
            kw['password'] = self.password
        kw.update(self.extra)
        return kw

    def ensure_schema(self):
        """PostgreSQL: CREATE SCHEMA IF NOT EXISTS <schema>."""
        if self.is_sqlite or self.schema in (None, 'public'):
            return
        import psycopg2
        from psycopg2 import sql
        conn = psycopg2.connect(**self.psycopg2_kwargs())
        try:
            conn.autocommit = True
            with conn.cursor() as cur:
                cur.execute(sql.SQL('CREATE SCHEMA IF NOT EXISTS {}').format(sql.Identifier(self.schema)))
        finally:
            conn.close()


def parse_app_db(value=None):
    value = value if value is not None else os.environ.get('APP_DB')
    if not value:
        raise SystemExit('APP_DB is not set (sqlite:/path/file.db or postgresql://user@host:port/db?schema=NAME)')
    if value.startswith('sqlite:'):
        path = value[len('sqlite:'):]
        if path.startswith('///'):
            path = path[2:]
        elif path.startswith('//'):
            path = path[2:]
        if not path:
            raise SystemExit('APP_DB: sqlite: needs a file path')
        return AppDb('sqlite', path=os.path.abspath(path))
    if value.startswith('postgresql://') or value.startswith('postgres://'):
        u = urlparse(value)
        q = {k: v[-1] for k, v in parse_qs(u.query).items()}
        schema = q.pop('schema', 'public')
        return AppDb('postgresql', user=unquote(u.username or 'postgres'),
                     password=unquote(u.password) if u.password else None,
                     host=u.hostname or '127.0.0.1', port=u.port or 5432,
                     dbname=(u.path or '/postgres').lstrip('/') or 'postgres',
                     schema=schema, extra=q)
    raise SystemExit('APP_DB: unsupported value %r' % value)


# ---------------------------------------------------------------- canonical values for dump

_UTC = datetime.timezone.utc


def canon(value):
    """Canonical JSON-able form of a value read through an ORM."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if value != value or value in (float('inf'), float('-inf')):
            return {'float': repr(value)}
        return value
    if isinstance(value, decimal.Decimal):
        return {'decimal': str(value)}
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None and value.utcoffset() is not None:
            return {'datetime': value.astimezone(_UTC).isoformat()}
        return {'naive_datetime': value.isoformat()}
    if isinstance(value, datetime.date):
        return {'date': value.isoformat()}
    if isinstance(value, datetime.time):
        return {'time': value.isoformat()}
    if isinstance(value, datetime.timedelta):
        return {'duration_us': (value.days * 86400 + value.seconds) * 1000000 + value.microseconds}
    if isinstance(value, uuid.UUID):
        return {'uuid': str(value)}
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {'hex': bytes(value).hex()}
    if isinstance(value, (dict, list)):
        # JSON documents: kept as nested JSON (keys sorted when printed)
        return {'json': value}
    return {'repr:' + type(value).__name__: repr(value)}


def pk_sort_key(value):
    if isinstance(value, int) and not isinstance(value, bool):
        return (0, value, '')
    if isinstance(value, tuple):
        return (1, 0, json.dumps([str(v) for v in value]))
    return (1, 0, str(value))


def print_json(obj):
    sys.stdout.write(json.dumps(obj, sort_keys=True, indent=1, ensure_ascii=False) + '\n')


# ---------------------------------------------------------------- workload bookkeeping

class ReadBackMismatch(Exception):
    """A value read back through the ORM is not the value written / expected.
    Message: '<what> | <details>'; the error kind is <what> alone."""


def check(cond, what):
    if not cond:
        raise ReadBackMismatch(what)


def error_kind(exc):
    """'<exception class>: <first 120 characters of the message's first line>' (the part before ' | '
    for ReadBackMismatch, whose details vary from row to row)."""
    msg = str(exc).strip().splitlines()[0] if str(exc).strip() else ''
    if isinstance(exc, ReadBackMismatch):
        msg = msg.split(' | ')[0]
    return '%s: %s' % (type(exc).__name__, msg[:120])


class OpRunner:
    def __init__(self):
        self.ops = 0
        self.errors = 0
        self.kinds = {}
        self.by_op = {}
        self.errors_by_op = {}

    def run(self, name, fn):
        self.ops += 1
        self.by_op[name] = self.by_op.get(name, 0) + 1
        try:
            fn()
            return True
        except Exception as e:  # noqa: BLE001 -- every failure is counted, the caller judges
            self.errors += 1
            k = error_kind(e)
            self.kinds[k] = self.kinds.get(k, 0) + 1
            self.errors_by_op[name] = self.errors_by_op.get(name, 0) + 1
            if os.environ.get('APP_TRACE'):
                import traceback
                traceback.print_exc()
            return False

    def summary(self):
        return {'ops': self.ops, 'errors': self.errors, 'error_kinds': self.kinds,
                'ops_by_kind': self.by_op, 'errors_by_op': self.errors_by_op}


def print_summary(summary, as_json):
    if as_json:
        print_json(summary)
    else:
        sys.stdout.write('ops=%d errors=%d\n' % (summary['ops'], summary['errors']))
        for k, n in sorted(summary['error_kinds'].items(), key=lambda kv: (-kv[1], kv[0])):
            sys.stdout.write('  %5d  %s\n' % (n, k))
