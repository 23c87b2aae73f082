#!/usr/bin/python3
"""Compare two `app.py dump --json` outputs (e.g. taken on SQLite and on PostgreSQL after a copy).

  dump_diff.py A.json B.json [--examples N] [--json]

Rows are matched by their pk value (loosely: a uuid read back as a string still matches). Prints per model: rows only in A / only in B (by pk), and per column the number of rows whose
value reads back differently, with up to N examples. Exit 1 if anything differs.
"""
import argparse
import json
import sys

sys.dont_write_bytecode = True


def loose(v):
    """A pk value for matching rows across the two dumps: typed wrappers unwrapped, uuid dashes and case
    ignored (the pk's exact representation is still compared as a column)."""
    if isinstance(v, dict) and len(v) == 1:
        v = next(iter(v.values()))
    if isinstance(v, str):
        return v.replace('-', '').lower()
    return v


def pk_of(row, pk_cols):
    return json.dumps([loose(row.get(c)) for c in pk_cols], sort_keys=True)


def guess_pk(rows):
    if not rows:
        return ['id']
    keys = list(rows[0].keys())
    if 'id' in keys:
        return ['id']
    ids = [k for k in keys if k.endswith('_id')]
    return ids or keys


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('a')
    ap.add_argument('b')
    ap.add_argument('--examples', type=int, default=2)
    ap.add_argument('--json', action='store_true')
    args = ap.parse_args(argv)
    a = json.load(open(args.a))
    b = json.load(open(args.b))
    report = {}
    for model in sorted(set(a) | set(b)):
        ra = a.get(model, {}).get('rows')
        rb = b.get(model, {}).get('rows')
        if ra is None or rb is None:
            report[model] = {'missing_in': 'B' if rb is None else 'A'}
            continue
        pk_cols = guess_pk(ra or rb)
        ma = {pk_of(r, pk_cols): r for r in ra}
        mb = {pk_of(r, pk_cols): r for r in rb}
        entry = {}
        only_a = sorted(set(ma) - set(mb))
        only_b = sorted(set(mb) - set(ma))
        if only_a:
            entry['rows_only_in_A'] = {'count': len(only_a), 'examples': only_a[:args.examples]}
        if only_b:
            entry['rows_only_in_B'] = {'count': len(only_b), 'examples': only_b[:args.examples]}
        cols = {}
        for k in sorted(set(ma) & set(mb)):
            x, y = ma[k], mb[k]
            for c in sorted(set(x) | set(y)):
                if x.get(c) != y.get(c):
                    e = cols.setdefault(c, {'count': 0, 'of': len(set(ma) & set(mb)), 'examples': []})
                    e['count'] += 1
                    if len(e['examples']) < args.examples:
                        e['examples'].append({'pk': k, 'A': x.get(c), 'B': y.get(c)})
        if cols:
            entry['columns'] = cols
        if entry:
            report[model] = entry
    if args.json:
        print(json.dumps(report, indent=1, sort_keys=True, ensure_ascii=False))
    else:
        for model, e in report.items():
            if 'missing_in' in e:
                print('%s: model missing in %s' % (model, e['missing_in']))
                continue
            for side in ('A', 'B'):
                o = e.get('rows_only_in_' + side)
                if o:
                    print('%s: %d rows only in %s, e.g. pk %s' % (model, o['count'], side, ', '.join(o['examples'])))
            for c, ce in e.get('columns', {}).items():
                ex = '; '.join('pk %s: %s | %s' % (x['pk'], json.dumps(x['A'], ensure_ascii=False),
                                                   json.dumps(x['B'], ensure_ascii=False)) for x in ce['examples'])
                print('%s.%s: %d/%d rows differ, e.g. %s' % (model, c, ce['count'], ce['of'], ex))
        if not report:
            print('dumps are equal')
    return 1 if report else 0


if __name__ == '__main__':
    sys.exit(main())
