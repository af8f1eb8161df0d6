#!/usr/bin/env python3
"""Trim data/iso/country-codes.csv (datasets/country-codes, ODC-PDDL-1.0) to the
columns Resolute embeds: data/iso/countries.csv. Re-run after updating the source."""
import csv, sys
src = sys.argv[1] if len(sys.argv) > 1 else "data/iso/country-codes.csv"
rows = list(csv.DictReader(open(src, encoding="utf-8")))
with open("data/iso/countries.csv", "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["alpha2", "alpha3", "numeric", "name", "official_name", "unterm_short", "unterm_formal", "independent"])
    for r in rows:
        a2 = r["ISO3166-1-Alpha-2"].strip()
        if not a2:
            continue
        w.writerow([a2, r["ISO3166-1-Alpha-3"].strip(), r["ISO3166-1-numeric"].strip(),
                    r["CLDR display name"].strip(), r["official_name_en"].strip(),
                    r["UNTERM English Short"].strip(), r["UNTERM English Formal"].strip(),
                    r["is_independent"].strip()])
