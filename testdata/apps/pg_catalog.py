#!/usr/bin/python3
"""Dump a PostgreSQL schema's catalog as JSON, or diff two schemas.

  pg_catalog.py [--db URL] SCHEMA                      JSON on stdout
  pg_catalog.py [--db URL] --diff SCHEMA_A SCHEMA_B     one line per difference, exit 1 if any
  (A and B may be in different databases: --db-b URL)

URL: postgresql://user@host:port/db (default: $PG_CATALOG_DB, else APP_DB without its schema,
else postgresql://postgres@127.0.0.1:5432/postgres). --ignore-table NAME (repeatable) leaves a table out.

Per table: columns (name, formatted type, not null, default, identity, generated), constraints
(name, type p/u/f/c/x, deferrable, initially deferred, pg_get_constraintdef without the deferral
clause, FK on delete/update actions, the index behind it), indexes (name, definition with the
index name and the schema left out, unique, primary, constraint it backs), triggers (non-internal).
Per schema: sequences (type, start, increment, min, max, cycle, owned by, last_value; last_value is
not diffed), views (definition).

Diff lines look like `<table>: <kind> <object>: <attribute>: <A> | <B>` and are sorted; --summary\nadds the count per kind of difference (lines starting with `--`). Constraints and indexes
are matched by name; an unmatched pair with the same definition is reported once as a name difference.
"""
import argparse
import json
import os
import re
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

FK_ACTIONS = {'a': 'NO ACTION', 'r': 'RESTRICT', 'c': 'CASCADE', 'n': 'SET NULL', 'd': 'SET DEFAULT'}
DEFER_RE = re.compile(r'\s+(NOT\s+)?DEFERRABLE(\s+INITIALLY\s+(DEFERRED|IMMEDIATE))?', re.I)


def connect(url):
    import psycopg2
    import appcommon
    db = appcommon.parse_app_db(url)
    if db.is_sqlite:
        raise SystemExit('pg_catalog: not a PostgreSQL URL: %s' % url)
    return psycopg2.connect(**db.psycopg2_kwargs())


def default_url():
    if os.environ.get('PG_CATALOG_DB'):
        return os.environ['PG_CATALOG_DB']
    v = os.environ.get('APP_DB', '')
    if v.startswith('postgres'):
        return v.split('?')[0]
    return 'postgresql://postgres@127.0.0.1:5432/postgres'


def q(cur, sql, args):
    cur.execute(sql, args)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r)) for r in cur.fetchall()]


def unqualify(text, schema):
    if text is None:
        return None
    for pre in ('"%s".' % schema, '%s.' % schema):
        text = text.replace(pre, '')
    return text


def catalog(conn, schema, ignore=()):
    cur = conn.cursor()
    cur.execute('SELECT oid FROM pg_namespace WHERE nspname = %s', (schema,))
    row = cur.fetchone()
    if row is None:
        raise SystemExit('pg_catalog: no schema %r' % schema)
    ns = row[0]
    out = {'schema': schema, 'tables': {}, 'sequences': {}, 'views': {}}
    tables = q(cur, """SELECT c.oid, c.relname FROM pg_class c
                       WHERE c.relnamespace = %s AND c.relkind IN ('r','p') ORDER BY c.relname""", (ns,))
    for t in tables:
        if t['relname'] in ignore:
            continue
        oid = t['oid']
        cols = q(cur, """
            SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull AS not_null,
                   pg_get_expr(d.adbin, d.adrelid) AS default, a.attidentity AS identity,
                   a.attgenerated AS generated, a.attnum AS position
            FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = %s AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum""", (oid,))
        for c in cols:
            c['default'] = unqualify(c['default'], schema)
            c['identity'] = {'a': 'ALWAYS', 'd': 'BY DEFAULT'}.get(c['identity'] or '', None)
            c['generated'] = 'STORED' if c['generated'] == 's' else None
        cons = q(cur, """
            SELECT con.conname AS name, con.contype AS type, con.condeferrable AS deferrable,
                   con.condeferred AS deferred, pg_get_constraintdef(con.oid) AS definition,
                   con.confdeltype AS on_delete, con.confupdtype AS on_update,
                   ic.relname AS index
            FROM pg_constraint con LEFT JOIN pg_class ic ON ic.oid = con.conindid AND con.contype IN ('p','u','x')
            WHERE con.conrelid = %s ORDER BY con.conname""", (oid,))
        for c in cons:
            c['definition'] = unqualify(DEFER_RE.sub('', c['definition']), schema)
            if c['type'] == 'f':
                c['on_delete'] = FK_ACTIONS.get(c['on_delete'], c['on_delete'])
                c['on_update'] = FK_ACTIONS.get(c['on_update'], c['on_update'])
            else:
                c['on_delete'] = c['on_update'] = None
        idx = q(cur, """
            SELECT ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition, i.indisunique AS unique,
                   i.indisprimary AS primary, con.conname AS constraint
            FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
            LEFT JOIN pg_constraint con ON con.conindid = i.indexrelid AND con.conrelid = i.indrelid
                                        AND con.contype IN ('p','u','x')
            WHERE i.indrelid = %s ORDER BY ic.relname""", (oid,))
        for i in idx:
            d = unqualify(i['definition'], schema)
            i['definition'] = re.sub(r'^(CREATE (?:UNIQUE )?INDEX )(?:"[^"]+"|\S+) ON ', r'\1ON ', d)
        trg = q(cur, """SELECT tgname AS name, pg_get_triggerdef(oid) AS definition FROM pg_trigger
                        WHERE tgrelid = %s AND NOT tgisinternal ORDER BY tgname""", (oid,))
        for tr in trg:
            tr['definition'] = unqualify(tr['definition'], schema)
        out['tables'][t['relname']] = {
            'columns': cols,
            'constraints': {c.pop('name'): c for c in cons},
            'indexes': {i.pop('name'): i for i in idx},
            'triggers': {tr.pop('name'): tr for tr in trg},
        }
    seqs = q(cur, """
        SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart AS start,
               s.seqincrement AS increment, s.seqmin AS min, s.seqmax AS max, s.seqcycle AS cycle,
               (SELECT tc.relname || '.' || a.attname || CASE d.deptype WHEN 'i' THEN ' (identity)' ELSE '' END
                  FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid
                  JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
                 WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid AND d.deptype IN ('a','i')
                 LIMIT 1) AS owned_by
        FROM pg_class c JOIN pg_sequence s ON s.seqrelid = c.oid
        WHERE c.relnamespace = %s ORDER BY c.relname""", (ns,))
    for s in seqs:
        cur.execute('SELECT last_value, is_called FROM "%s"."%s"' % (schema.replace('"', '""'), s['name'].replace('"', '""')))
        lv, called = cur.fetchone()
        s['last_value'] = lv if called else None
        out['sequences'][s.pop('name')] = s
    views = q(cur, """SELECT c.relname AS name, c.relkind AS kind, pg_get_viewdef(c.oid) AS definition FROM pg_class c
                      WHERE c.relnamespace = %s AND c.relkind IN ('v','m') ORDER BY c.relname""", (ns,))
    for v in views:
        out['views'][v.pop('name')] = {'kind': v['kind'], 'definition': unqualify(v['definition'], schema)}
    conn.rollback()
    return out


def fmt(v):
    return '-' if v is None else str(v)


CON_KIND = {'p': 'primary key', 'u': 'unique', 'f': 'foreign key', 'c': 'check', 'x': 'exclusion'}


def diff_named(lines, table, kind, a, b, attrs, pair_key, label=None):
    """Objects matched by name; unmatched ones with the same pair_key are reported once as a name
    difference (plus their other differing attributes). label(obj) names the kind of object."""
    lab = label or (lambda o: kind)
    only_a = sorted(set(a) - set(b))
    only_b = sorted(set(b) - set(a))
    for name in sorted(set(a) & set(b)):
        for attr in attrs:
            if a[name].get(attr) != b[name].get(attr):
                lines.append('%s: %s %s: %s: %s | %s' % (table, lab(a[name]), name, attr, fmt(a[name].get(attr)), fmt(b[name].get(attr))))
    used_b = set()
    for na in only_a:
        match = next((nb for nb in only_b if nb not in used_b and pair_key(a[na]) == pair_key(b[nb])), None)
        if match is None:
            lines.append('%s: %s only in A: %s %s' % (table, lab(a[na]), na, pair_key(a[na])))
            continue
        used_b.add(match)
        lines.append('%s: %s name: %s | %s (same definition)' % (table, lab(a[na]), na, match))
        for attr in attrs:
            if a[na].get(attr) != b[match].get(attr) and attr not in ('index', 'constraint'):
                lines.append('%s: %s %s~%s: %s: %s | %s' % (table, lab(a[na]), na, match, attr, fmt(a[na].get(attr)), fmt(b[match].get(attr))))
    for nb in only_b:
        if nb not in used_b:
            lines.append('%s: %s only in B: %s %s' % (table, lab(b[nb]), nb, pair_key(b[nb])))


def diff(a, b):
    lines = []
    ta, tb = a['tables'], b['tables']
    for t in sorted(set(ta) - set(tb)):
        lines.append('%s: table only in A' % t)
    for t in sorted(set(tb) - set(ta)):
        lines.append('%s: table only in B' % t)
    for t in sorted(set(ta) & set(tb)):
        ca = {c['name']: c for c in ta[t]['columns']}
        cb = {c['name']: c for c in tb[t]['columns']}
        for c in sorted(set(ca) - set(cb)):
            lines.append('%s: column only in A: %s %s' % (t, c, ca[c]['type']))
        for c in sorted(set(cb) - set(ca)):
            lines.append('%s: column only in B: %s %s' % (t, c, cb[c]['type']))
        for c in sorted(set(ca) & set(cb)):
            for attr in ('type', 'not_null', 'default', 'identity', 'generated'):
                if ca[c][attr] != cb[c][attr]:
                    lines.append('%s: column %s: %s: %s | %s' % (t, c, attr, fmt(ca[c][attr]), fmt(cb[c][attr])))
        oa = [c['name'] for c in ta[t]['columns'] if c['name'] in cb]
        ob = [c['name'] for c in tb[t]['columns'] if c['name'] in ca]
        if oa != ob:
            lines.append('%s: column order: %s | %s' % (t, ','.join(oa), ','.join(ob)))
        diff_named(lines, t, 'constraint', ta[t]['constraints'], tb[t]['constraints'],
                   ('type', 'definition', 'deferrable', 'deferred', 'on_delete', 'on_update'),
                   lambda c: '%s' % c['definition'], lambda c: CON_KIND.get(c['type'], c['type']))
        # indexes behind a PRIMARY KEY / UNIQUE constraint are compared as constraints (above)
        ia = {k: v for k, v in ta[t]['indexes'].items() if not v['constraint']}
        ib = {k: v for k, v in tb[t]['indexes'].items() if not v['constraint']}
        diff_named(lines, t, 'index', ia, ib, ('definition', 'unique', 'primary'), lambda i: i['definition'])
        diff_named(lines, t, 'trigger', ta[t]['triggers'], tb[t]['triggers'], ('definition',),
                   lambda tr: tr['definition'])
    diff_named(lines, '(schema)', 'sequence', a['sequences'], b['sequences'],
               ('type', 'start', 'increment', 'min', 'max', 'cycle', 'owned_by'), lambda s: 'owned by %s' % s['owned_by'])
    diff_named(lines, '(schema)', 'view', a['views'], b['views'], ('kind', 'definition'), lambda v: v['definition'])
    return sorted(lines)


_KIND_RES = [
    (re.compile(r'^[^:]+: (table only in [AB])'), r'\1'),
    (re.compile(r'^[^:]+: (column only in [AB])'), r'\1'),
    (re.compile(r'^[^:]+: (column order):'), r'\1'),
    (re.compile(r'^[^:]+: column [^:]+: (\w+):'), r'column \1'),
    (re.compile(r'^[^:]+: (.+?) only in ([AB]):'), r'\1 only in \2'),
    (re.compile(r'^[^:]+: (.+?) name:'), r'\1 name'),
    (re.compile(r'^[^:]+: (.+?) \S+: (\w+):'), r'\1 \2'),
]


def kind_of(line):
    for rx, rep in _KIND_RES:
        m = rx.match(line)
        if m:
            return m.expand(rep)
    return 'other'


def summary(lines):
    counts = {}
    for line in lines:
        k = kind_of(line)
        counts[k] = counts.get(k, 0) + 1
    return counts


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('--db', default=None, help='postgresql://user@host:port/db')
    ap.add_argument('--db-b', default=None, help='database of SCHEMA_B when it is another one')
    ap.add_argument('--diff', action='store_true', help='compare SCHEMA_A and SCHEMA_B')
    ap.add_argument('--ignore-table', action='append', default=[])
    ap.add_argument('--summary', action='store_true', help='with --diff: then the number of differences by kind')
    ap.add_argument('schemas', nargs='+')
    args = ap.parse_args(argv)
    url = args.db or default_url()
    conn = connect(url)
    if not args.diff:
        if len(args.schemas) != 1:
            ap.error('one SCHEMA, or --diff SCHEMA_A SCHEMA_B')
        print(json.dumps(catalog(conn, args.schemas[0], args.ignore_table), indent=1, sort_keys=True, default=str))
        return 0
    if len(args.schemas) != 2:
        ap.error('--diff needs SCHEMA_A SCHEMA_B')
    a = catalog(conn, args.schemas[0], args.ignore_table)
    conn_b = connect(args.db_b) if args.db_b else conn
    b = catalog(conn_b, args.schemas[1], args.ignore_table)
    lines = diff(a, b)
    for line in lines:
        print(line)
    if args.summary:
        print('-- %d difference(s)' % len(lines))
        for k, n in sorted(summary(lines).items(), key=lambda kv: (-kv[1], kv[0])):
            print('-- %5d  %s' % (n, k))
    return 1 if lines else 0


if __name__ == '__main__':
    sys.exit(main())
