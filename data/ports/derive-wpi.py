#!/usr/bin/env python3
"""Derive data/ports/derived-wpi-ports.csv from the NGA World Port Index (Pub 150) CSV.

Usage: data/ports/derive-wpi.py nga-world-port-index-pub150.csv > data/ports/derived-wpi-ports.csv
Keeps the columns Resolute needs (number, names, UN/LOCODE, country, harbour size, position) of every
port, in the source's order. The source is a US Government work (public domain).
"""
import csv
import sys

COLUMNS = [
    ("World Port Index Number", "wpi"),
    ("Main Port Name", "name"),
    ("Alternate Port Name", "alternate_name"),
    ("UN/LOCODE", "unlocode"),
    ("Country Code", "country"),
    ("Harbor Size", "harbor_size"),
    ("Latitude", "lat"),
    ("Longitude", "lon"),
]

with open(sys.argv[1], newline="", encoding="utf-8") as f:
    reader = csv.DictReader(f)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow([short for _, short in COLUMNS])
    for row in reader:
        writer.writerow([row[long].strip() for long, _ in COLUMNS])
