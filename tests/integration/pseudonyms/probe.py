#!/usr/bin/env python3
"""probe.py — the reconstruction probe's checks over what each role could read (see probe.sh).

Arguments: IDS DUMP_DIR. IDS: the wave's identity numbers, one a line. DUMP_DIR: one file per role and
relation, ROLE@SCHEMA.RELATION.tsv, each line the readable columns of one row as name=value fields separated
by tabs. Prints one line per finding and exits 1 when there is any."""
import os
import re
import sys

PERSON_COLUMNS = re.compile(r"masked|birth|person|id_number|sex|role")
# Columns that hold the managing unit (the district, which may equal an area code) by design.
UNIT_COLUMNS = {"managing_unit", "policy_number", "household_id"}
# Raw messages: operators read them by design (dead letters, issue 12 item 3 bounds their life).
RAW = ("famins.dead_letters", "raw_message")


def main():
    ids = [line.strip() for line in open(sys.argv[1], encoding="utf-8") if len(line.strip()) == 18]
    numbers = set()
    parts = set()
    for n in ids:
        numbers.update({n, n.upper(), n.lower()})
        b = n[6:14]
        parts.update({n[:6], b, "%s-%s-%s" % (b[:4], b[4:6], b[6:])})
    findings = []
    columns_seen = set()
    rows = 0
    for name in sorted(os.listdir(sys.argv[2])):
        role, rel = name[: -len(".tsv")].split("@", 1)
        with open(os.path.join(sys.argv[2], name), encoding="utf-8", errors="replace") as f:
            for line in f:
                rows += 1
                for field in line.rstrip("\n").split("\t"):
                    col, _, value = field.partition("=")
                    columns_seen.add((role, rel, col))
                    if (rel, col) == RAW and role == "famins_operator":
                        continue
                    if col == "birth_date":
                        findings.append("%s reads %s.birth_date" % (role, rel))
                    if any(n in value for n in numbers):
                        findings.append("%s reads an identity number in %s.%s" % (role, rel, col))
                    if col in UNIT_COLUMNS or not PERSON_COLUMNS.search(col):
                        continue
                    hit = next((p for p in parts if p in value), None)
                    if hit is not None:
                        findings.append("%s reads an area code or birth date in %s.%s" % (role, rel, col))
                    if "masked" in col and value and (len(value.replace("*", "")) > 4 or not value.startswith("*")):
                        findings.append("%s reads a mask showing more than the last 4: %s.%s" % (role, rel, col))
    for f in sorted(set(findings))[:40]:
        print("FINDING: " + f)
    masks = sum(1 for (_, _, c) in columns_seen if "masked" in c)
    print("probe: %d identity numbers, %d rows read, %d readable mask columns" % (len(ids), rows, masks))
    sys.exit(1 if findings else 0)


main()
