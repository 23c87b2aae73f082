#!/usr/bin/env python3
"""Build the benchmark SQLite file, deterministically.

    python3 bench/gen_snapshot_db.py OUT.sqlite [--rows N] [--seed S]

Three tables, sizes proportional to --rows (default 5,000,000 rows, about 500 MB):
  customers  10 %   integer key, text, REAL, NUMERIC(12,2), DATETIME text, JSON text
  orders     30 %   integer key, FK to customers, REAL, NUMERIC(10,2), BLOB, DATETIME text,
                    secondary index on customer_id
  events     60 %   integer key, text, REAL, JSON text, BLOB

Every value is valid for its declared type: REAL values are arbitrary doubles (so
rounding to float4 would show), NUMERIC values have at most 2 decimals (integer cents
/ 100; SQLite keeps them as REAL, or INTEGER when whole), datetimes are real dates,
JSON is valid with unique keys. The same --rows and --seed always give the same rows.
The file is left in WAL mode, checkpointed and truncated.
"""
import argparse
import datetime
import json
import os
import random
import sqlite3
import sys
import time

BATCH = 50_000
KINDS = ["click", "view", "purchase", "signup", "logout", "search", "share", "error"]
FIRST = ["Ada", "Bruno", "Chloe", "Dmitri", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jonas",
         "Kemal", "Lea", "Marta", "Noah", "Olga", "Pablo", "Qi", "Rosa", "Sven", "Tariq",
         "Ugo", "Vera", "Wen", "Xavier", "Yara", "Zoé"]
LAST = ["Almeida", "Brandt", "Castillo", "Dubois", "Eriksen", "Fischer", "García", "Horvat",
        "Ivanova", "Jensen", "Kowalski", "López", "Müller", "Nakamura", "O'Brien", "Petrov",
        "Quinn", "Rossi", "Schmidt", "Tanaka", "Ulrich", "Virtanen", "Weber", "Yilmaz", "Zhang"]
COUNTRIES = ["DE", "FR", "ES", "IT", "PL", "NL", "SE", "JP", "BR", "US", "CA", "IN"]
EPOCH = datetime.datetime(2015, 1, 1)
SPAN_SECONDS = 10 * 365 * 86400  # ten years of timestamps


def split_rows(total):
    customers = max(1, total // 10)
    orders = max(1, total * 3 // 10)
    events = max(1, total - customers - orders)
    return customers, orders, events


def stamp(rng):
    return (EPOCH + datetime.timedelta(seconds=rng.randrange(SPAN_SECONDS))).strftime("%Y-%m-%d %H:%M:%S")


def customer_rows(rng, n):
    for i in range(1, n + 1):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        name = f"{first} {last}"
        email = f"{first.lower()}.{i}@example.{rng.choice(['com', 'org', 'net'])}"
        balance = rng.random() * 1e6 - 2e5                      # arbitrary double
        credit = rng.randrange(0, 10**10) / 100                  # fits NUMERIC(12,2)
        profile = json.dumps({
            "country": rng.choice(COUNTRIES),
            "tier": rng.randrange(1, 6),
            "newsletter": rng.random() < 0.5,
            "score": round(rng.random() * 100, 3),
            "tags": rng.sample(KINDS, rng.randrange(0, 4)),
        }, ensure_ascii=False)
        yield (i, name, email, balance, credit, stamp(rng), profile)


def order_rows(rng, n, customers):
    for i in range(1, n + 1):
        yield (i,
               rng.randrange(1, customers + 1),
               rng.random() * 1e6,                                 # full-precision double
               rng.randrange(0, 10**10) / 100,                    # fits NUMERIC(10,2)
               rng.randbytes(rng.randrange(16, 65)),
               stamp(rng))


def event_rows(rng, n):
    for i in range(1, n + 1):
        kind = rng.choice(KINDS)
        data = json.dumps({"kind": kind, "n": rng.randrange(1000), "ok": rng.random() < 0.9,
                           "ratio": round(rng.random(), 6)})
        yield (i, kind, rng.random() * 1e6, data, rng.randbytes(rng.randrange(8, 33)))


def batched(it, size):
    batch = []
    for row in it:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def fill(con, sql, rows, label, total):
    started = time.monotonic()
    done = 0
    for batch in batched(rows, BATCH):
        con.execute("BEGIN")
        con.executemany(sql, batch)
        con.execute("COMMIT")
        done += len(batch)
    print(f"  {label}: {done} rows in {time.monotonic() - started:.1f}s", file=sys.stderr)
    if done != total:
        raise SystemExit(f"error: {label}: wrote {done} rows, expected {total}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", help="SQLite file to create (replaced if it exists)")
    ap.add_argument("--rows", type=int, default=5_000_000, help="total rows over the three tables")
    ap.add_argument("--seed", type=int, default=20240601, help="random seed (default fixed)")
    args = ap.parse_args()
    if args.rows < 3:
        ap.error("--rows must be at least 3")

    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(args.out + suffix):
            os.remove(args.out + suffix)
    n_cust, n_ord, n_evt = split_rows(args.rows)
    rng = random.Random(args.seed)

    con = sqlite3.connect(args.out, isolation_level=None)
    mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise SystemExit(f"error: could not switch {args.out} to WAL (got {mode})")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA foreign_keys=ON")
    con.executescript("""
        CREATE TABLE customers (
            id      INTEGER PRIMARY KEY,
            name    TEXT NOT NULL,
            email   TEXT NOT NULL,
            balance REAL NOT NULL,
            credit  NUMERIC(12,2) NOT NULL,
            created DATETIME NOT NULL,
            profile JSON NOT NULL
        );
        CREATE TABLE orders (
            id          INTEGER PRIMARY KEY,
            customer_id INTEGER NOT NULL REFERENCES customers(id),
            amount      REAL NOT NULL,
            total       NUMERIC(10,2) NOT NULL,
            payload     BLOB NOT NULL,
            created     DATETIME NOT NULL
        );
        CREATE TABLE events (
            id    INTEGER PRIMARY KEY,
            kind  TEXT NOT NULL,
            value REAL NOT NULL,
            data  JSON NOT NULL,
            blob  BLOB NOT NULL
        );
    """)
    print(f"generating {args.out}: {n_cust} customers, {n_ord} orders, {n_evt} events (seed {args.seed})",
          file=sys.stderr)
    fill(con, "INSERT INTO customers VALUES (?,?,?,?,?,?,?)", customer_rows(rng, n_cust), "customers", n_cust)
    fill(con, "INSERT INTO orders VALUES (?,?,?,?,?,?)", order_rows(rng, n_ord, n_cust), "orders", n_ord)
    fill(con, "INSERT INTO events VALUES (?,?,?,?,?)", event_rows(rng, n_evt), "events", n_evt)
    con.execute("CREATE INDEX orders_customer_id ON orders(customer_id)")
    con.execute("ANALYZE")
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    mode = con.execute("PRAGMA journal_mode").fetchone()[0]
    con.close()
    size = os.path.getsize(args.out)
    print(f"done: {args.rows} rows, {size / 1e6:.1f} MB, journal_mode={mode}", file=sys.stderr)


if __name__ == "__main__":
    main()
