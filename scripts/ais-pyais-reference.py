#!/usr/bin/env python3
"""pyais's reading of an NMEA file, message by message: the reference the maritime tests compare with.

Usage: scripts/ais-pyais-reference.py FILE.nmea > tests/fixtures/ais/pyais-NAME.jsonl

Needs pyais from PyPI (`pip install pyais==3.3.1`). Lines are read the way pyais's own file stream
reads them (`pyais.stream.AssembleMessages`: a multi-part message is assembled from fragments with
the same sequence id, channel, talker, sentence type and fragment count, strictly in order; an
orphan or out-of-order fragment is dropped), but here every line keeps its number so that each
message can be compared with Resolute's. One JSON object per outcome:
- {"lines": [n, …], "valid": bool, "msg": {field: value}} for a decoded message (fields of the
  message types Resolute decodes: 1–5, 18, 19, 24, 27; other types keep msg_type, repeat, mmsi);
- {"lines": [n], "error": "ExceptionName"} for a sentence or message pyais could not read or decode;
- {"lines": [n], "dropped": "reason"} for a fragment the stream dropped.
A last line {"summary": {...}} gives the counts.
"""
import json
import sys
from collections import Counter

import pyais
from pyais.messages import AISSentence, NMEAMessage, NMEASentenceFactory

KEEP_ALL = {1, 2, 3, 4, 5, 18, 19, 24, 27}
SKIP = {"spare_1", "spare_2", "spare_3", "spare_4", "reserved_1", "reserved_2"}


def plain(value):
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):  # IntEnum (status, ship_type, epfd, maneuver) → its number
        return int(value)
    if isinstance(value, float):
        return value
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return value if isinstance(value, (str, list, dict)) else str(value)


def fields_of(decoded):
    data = decoded.asdict()
    if data.get("msg_type") not in KEEP_ALL:
        return {k: plain(data.get(k)) for k in ("msg_type", "repeat", "mmsi")}
    return {k: plain(v) for k, v in data.items() if k not in SKIP}


def main(path):
    counts = Counter()
    types = Counter()
    buffer = {}  # slot -> [(line_no, sentence) or None]
    out = sys.stdout
    with open(path, "rb") as f:
        for line_no, raw in enumerate(f, start=1):
            raw = raw.strip()
            if not raw:
                continue
            counts["lines"] += 1
            try:
                sentence = NMEASentenceFactory.produce(raw)
            except Exception as e:  # noqa: BLE001 - every failure is reported with its name
                counts["sentence_errors"] += 1
                out.write(json.dumps({"lines": [line_no], "error": type(e).__name__}) + "\n")
                continue
            if sentence.TYPE != AISSentence.TYPE:
                counts["not_ais"] += 1
                out.write(json.dumps({"lines": [line_no], "dropped": "not an AIS sentence"}) + "\n")
                continue
            msg = sentence
            if msg.is_single:
                parts = [(line_no, msg)]
            else:
                seq_id = -1 if msg.seq_id is None else msg.seq_id
                slot = (seq_id, msg.channel, msg.talker_id, msg.type, msg.frag_cnt)
                if msg.frag_num == 1:
                    for old in buffer.get(slot, []) or []:
                        if old is not None:
                            counts["dropped"] += 1
                            out.write(json.dumps({"lines": [old[0]], "dropped": "overwritten by a new first fragment"}) + "\n")
                    buffer[slot] = [(line_no, msg)] + [None] * (msg.frag_cnt - 1)
                elif slot in buffer and msg.frag_num == sum(p is not None for p in buffer[slot]) + 1:
                    buffer[slot][msg.frag_num - 1] = (line_no, msg)
                else:
                    counts["dropped"] += 1
                    reason = "out-of-order fragment" if slot in buffer else "orphan fragment"
                    out.write(json.dumps({"lines": [line_no], "dropped": reason}) + "\n")
                    continue
                got = [p for p in buffer[slot] if p is not None]
                if len(got) != msg.frag_cnt:
                    continue
                del buffer[slot]
                parts = got
                msg = NMEAMessage.assemble_from_iterable([p[1] for p in parts])
            lines = [p[0] for p in parts]
            try:
                decoded = msg.decode()
            except Exception as e:  # noqa: BLE001
                counts["decode_errors"] += 1
                out.write(json.dumps({"lines": lines, "error": type(e).__name__}) + "\n")
                continue
            fields = fields_of(decoded)
            counts["messages"] += 1
            types[str(fields["msg_type"])] += 1
            out.write(json.dumps({"lines": lines, "valid": bool(msg.is_valid), "msg": fields}) + "\n")
    for parts in buffer.values():
        for p in parts:
            if p is not None:
                counts["dropped"] += 1
                out.write(json.dumps({"lines": [p[0]], "dropped": "incomplete at end of file"}) + "\n")
    summary = dict(counts)
    summary["types"] = dict(sorted(types.items(), key=lambda kv: int(kv[0])))
    summary["pyais"] = pyais.__version__
    out.write(json.dumps({"summary": summary}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1])
