#!/usr/bin/env python3
"""Forge the audit log the way issue #19 did: edit a record, then recompute
the whole chain as plain SHA-256 and fix the stored head, with nothing but
the database file. Against the plain chain of older builds this passed
`verify`; against the keyed chain it must fail.

usage: forge_plain_chain.py DB SEQ NEW_ACTOR
"""
import hashlib
import json
import sqlite3
import sys

db, seq_to_edit, new_actor = sys.argv[1], int(sys.argv[2]), sys.argv[3]
con = sqlite3.connect(db)
con.executescript(
    "DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;"
)
con.execute("UPDATE audit_log SET actor = ? WHERE seq = ?", (new_actor, seq_to_edit))
prev, last = "0" * 64, 0
rows = con.execute("SELECT seq, ts, kind, actor, payload FROM audit_log ORDER BY seq").fetchall()
for seq, ts, kind, actor, payload in rows:
    record = {"actor": actor, "kind": kind, "payload": json.loads(payload),
              "prev_hash": prev, "seq": seq, "ts": ts}
    body = json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(body.encode()).hexdigest()
    con.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
    prev, last = digest, seq
con.execute("UPDATE meta SET value = ? WHERE key = 'audit_head'", (f"{last}:{prev}",))
con.commit()
print(f"recomputed {len(rows)} records, head {last}:{prev[:12]}")
