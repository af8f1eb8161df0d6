#!/usr/bin/env python3
"""Build the DPRK name-matching test set from the real lists in data/lists.

Writes (deterministically; standard library only):
  tests/fixtures/matching/dprk-pairs.csv      name_bench-format pairs (case_group,schema,name1,name2,is_match,quality,category,notes)
  tests/fixtures/matching/dprk-queries.jsonl  search queries: OFAC DPRK-program individuals linked to a UN entry
                                               (same passport, or same full date of birth and an equivalent surname),
                                               {"id","schema","properties","expected"}

Positives (is_match=true):
  un_good_alias   UN DPRK entry: alias of QUALITY Good vs the primary name (variant spellings written by the UN)
  un_low_alias    UN DPRK entry: alias of QUALITY Low vs the primary name
  ofac_vs_un      OFAC DPRK-program individual vs the UN primary name of the same person (linked as above)
  anchor_5_2      the Korean cases measured in shared/reference/screening-anchors.md section 5.2
Hard negatives (is_match=false), always two different entries of the same list:
  same_skeleton   two DPRK individuals with the same surname and one identical given-name syllable (Kim Jong Man / Kim Jong Sik)
  same_surname    two DPRK individuals with only the surname in common (sampled)
  org_shared_words two DPRK entities sharing two or more words
  anchor_5_2_neg  the Korean negatives of section 5.2 (Kim Jong Il / Kim Jong Un, siblings)

Usage: python3 scripts/eval-dprk-build.py [UN.xml] [SDN.csv]
"""
import csv
import json
import random
import re
import sys
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UN = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "data/lists/un/consolidated-2026-02-27.xml"
SDN = Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "data/lists/ofac/sdn-2024-05-03.csv"
OUT = ROOT / "tests/fixtures/matching"

MONTHS = {m: i + 1 for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())}


def text(el, tag):
    return (el.findtext(tag) or "").strip()


def norm_tokens(name):
    return [t for t in re.split(r"[^a-z0-9]+", name.lower().replace("'", "")) if t]


def un_entries():
    root = ET.parse(UN).getroot()
    people, orgs = [], []
    for ind in root.iter("INDIVIDUAL"):
        if text(ind, "UN_LIST_TYPE") != "DPRK":
            continue
        name = " ".join(x for x in (text(ind, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")) if x)
        aliases = [(text(a, "QUALITY"), text(a, "ALIAS_NAME")) for a in ind.findall("INDIVIDUAL_ALIAS") if text(a, "ALIAS_NAME")]
        dobs = set()
        for d in ind.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            if text(d, "DATE"):
                dobs.add(text(d, "DATE")[:10])
        docs = {re.sub(r"[^0-9A-Z]", "", text(d, "NUMBER").upper()) for d in ind.findall("INDIVIDUAL_DOCUMENT") if text(d, "NUMBER")}
        people.append({"ref": text(ind, "REFERENCE_NUMBER"), "name": name, "aliases": aliases, "dobs": dobs, "docs": docs - {""}})
    for ent in root.iter("ENTITY"):
        if text(ent, "UN_LIST_TYPE") != "DPRK":
            continue
        aliases = [(text(a, "QUALITY"), text(a, "ALIAS_NAME")) for a in ent.findall("ENTITY_ALIAS") if text(a, "ALIAS_NAME")]
        orgs.append({"ref": text(ent, "REFERENCE_NUMBER"), "name": text(ent, "FIRST_NAME"), "aliases": aliases})
    return people, orgs


def ofac_people():
    out = []
    raw = SDN.read_bytes().decode("latin-1").replace("\x1a", "")
    for row in csv.reader(raw.splitlines()):
        if len(row) < 12 or row[2].strip() != "individual":
            continue
        remarks = row[11]
        programs = row[3]
        if "DPRK" not in programs and "North Korea" not in remarks and "DPRK" not in remarks:
            continue
        dobs = set()
        for d, m, y in re.findall(r"DOB (\d{2}) (\w{3}) (\d{4})", remarks):
            if m in MONTHS:
                dobs.add(f"{y}-{MONTHS[m]:02d}-{d}")
        docs = {re.sub(r"[^0-9A-Z]", "", p.upper()) for p in re.findall(r"Passport ([0-9A-Za-z]+)", remarks)}
        nationality = "kp" if re.search(r"nationality Korea, North|Korea, North|DPRK|North Korea", remarks) else None
        out.append({"ent": row[0].strip(), "name": row[1].strip(), "dobs": dobs, "docs": docs, "kp": nationality})
    return out


def surname(name):
    t = norm_tokens(name)
    return t[0] if t else ""


# Romanizations of the commonest DPRK surnames, only to link OFAC and UN
# entries that already share a full date of birth (not used for scoring).
SURNAME_CLASSES = [{"ri", "rhee", "lee", "yi", "i"}, {"pak", "park", "bak"}, {"choe", "choi", "chwe"}, {"jong", "chong", "jeong"}, {"kim", "gim"}]


def same_surname(a, b):
    a, b = surname(a), surname(b)
    return a == b or any(a in c and b in c for c in SURNAME_CLASSES)


def main():
    people, orgs = un_entries()
    ofac = ofac_people()
    rows = []

    def add(group, schema, n1, n2, label, note):
        rows.append({"case_group": group, "schema": schema, "name1": n1, "name2": n2, "is_match": "true" if label else "false",
                     "quality": "", "category": "dprk", "notes": note})

    for p in people:
        for q, a in p["aliases"]:
            add("un_good_alias" if q == "Good" else "un_low_alias", "Person", a, p["name"], True, p["ref"])
    for o in orgs:
        for q, a in o["aliases"]:
            add("un_good_alias" if q == "Good" else "un_low_alias", "Organization", a, o["name"], True, o["ref"])

    queries = []
    linked = set()
    for f in ofac:
        for p in people:
            by_doc = bool(f["docs"] & p["docs"])
            by_dob = bool(f["dobs"] & p["dobs"]) and same_surname(f["name"], p["name"])
            if by_doc or by_dob:
                how = "passport" if by_doc else "dob"
                add("ofac_vs_un", "Person", f["name"], p["name"], True, f"ofac {f['ent']} = un {p['ref']} by {how}")
                linked.add((f["ent"], p["ref"]))
                props = {"name": [f["name"]]}
                if f["dobs"]:
                    props["birthDate"] = sorted(f["dobs"])
                if f["kp"]:
                    props["nationality"] = ["kp"]
                queries.append({"id": f"ofac-{f['ent']}", "schema": "Person", "properties": props, "expected": p["ref"], "linked_by": how})

    # Section 5.2 of the anchors note (measured there on logic-v2).
    for n1, n2, label in [
        ("김정은", "Kim Jong Un", True), ("Kim Jong-un", "Kim Jong Un", True), ("Kim Jongun", "Kim Jong Un", True),
        ("Kim Jŏng-ŭn", "Kim Jong Un", True), ("Jong Un Kim", "Kim Jong Un", True), ("Gim Jeong-eun", "Kim Jong Un", True),
        ("Ri Hong Sop", "Lee Hong Seop", True), ("Ri Hong Sop", "Yi Hong-sop", True), ("Pak Chol Min", "Bak Cheol-min", True),
        ("Choe Ryong Hae", "Choi Ryong-hae", True), ("Choe Ryong Hae", "Chwe Ryong Hae", True),
        ("Jang Song Thaek", "Chang Song-taek", True), ("Paek Se Bong", "Baek Se-bong", True),
    ]:
        add("anchor_5_2", "Person", n1, n2, label, "screening-anchors.md 5.2")
    for n1, n2 in [("Kim Jong Il", "Kim Jong Un"), ("Kim Yo Jong", "Kim Jong Un"), ("Kim Yong Chol", "Kim Yong Chun"),
                   ("Pyong Chol Kim", "KIM YONG CHOL"), ("Kim Jong", "Kim Jong Un")]:
        add("anchor_5_2_neg", "Person", n1, n2, False, "screening-anchors.md 5.2 / issue 3")

    rng = random.Random(1718)
    skeleton, surname_only = [], []
    for group in (people, [{"ref": f"ofac-{f['ent']}", "name": f["name"]} for f in ofac]):
        for a, b in combinations(group, 2):
            ta, tb = norm_tokens(a["name"]), norm_tokens(b["name"])
            if not ta or not tb or ta[0] != tb[0] or sorted(ta) == sorted(tb):
                continue
            # Two entries of one list with the same name would be the same spelling; skip identical names.
            common_given = set(ta[1:]) & set(tb[1:])
            note = f"{a['ref']} / {b['ref']}"
            if common_given:
                skeleton.append((a["name"], b["name"], note))
            else:
                surname_only.append((a["name"], b["name"], note))
    for n1, n2, note in skeleton:
        add("same_skeleton", "Person", n1, n2, False, note)
    for n1, n2, note in rng.sample(surname_only, min(150, len(surname_only))):
        add("same_surname", "Person", n1, n2, False, note)
    stop = {"korea", "korean", "of", "the", "and", "company", "corporation", "general", "co", "ltd", "trading", "dprk"}
    for a, b in combinations(orgs, 2):
        wa = set(norm_tokens(a["name"])) - stop
        wb = set(norm_tokens(b["name"])) - stop
        if len(wa & wb) >= 1 and len(set(norm_tokens(a["name"])) & set(norm_tokens(b["name"]))) >= 2:
            add("org_shared_words", "Organization", a["name"], b["name"], False, f"{a['ref']} / {b['ref']}")

    OUT.mkdir(parents=True, exist_ok=True)
    with open(OUT / "dprk-pairs.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["case_group", "schema", "name1", "name2", "is_match", "quality", "category", "notes"])
        w.writeheader()
        w.writerows(rows)
    with open(OUT / "dprk-queries.jsonl", "w") as f:
        for q in queries:
            f.write(json.dumps(q, ensure_ascii=False) + "\n")
    from collections import Counter
    c = Counter((r["case_group"], r["is_match"]) for r in rows)
    for k, v in sorted(c.items()):
        print(f"{k[0]:<18} {k[1]:<5} {v}")
    print(f"pairs {len(rows)}; queries {len(queries)} (linked OFAC->UN: {len(linked)})")


if __name__ == "__main__":
    main()
