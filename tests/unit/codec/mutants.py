#!/usr/bin/python3
"""mutants.py — writes single-mutation variants of the valid input examples, for the agreement test.

Test tool only. Usage: mutants.py SOURCE_DIR OUT_DIR SEED COUNT_PER_EXAMPLE
Each mutant changes one thing in a valid example: removes a field, gives a field a value of another
kind (null, "", 0, -1, 1.5, true, [], {}, a 300-character string, an impossible date), or adds an
unknown field. Deterministic for a given seed, so that a failure can be replayed.
"""
import json
import os
import random
import sys

KINDS = ["input"]
VALUES = [None, "", 0, -1, 1.5, True, [], {}, "x" * 300, "2026-02-30", "2026-01-15T09:20:00", 100000000001, "王" * 70]


def paths(doc, prefix=()):
    """Every (container, key, path) inside doc."""
    out = []
    if isinstance(doc, dict):
        for k, v in doc.items():
            out.append((doc, k, prefix + (k,)))
            out.extend(paths(v, prefix + (k,)))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            out.append((doc, i, prefix + (i,)))
            out.extend(paths(v, prefix + (i,)))
    return out


def objects(doc):
    out = [doc] if isinstance(doc, dict) else []
    children = doc.values() if isinstance(doc, dict) else doc if isinstance(doc, list) else []
    for v in children:
        out.extend(objects(v))
    return out


def mutate(doc, rng):
    d = json.loads(json.dumps(doc))
    choice = rng.random()
    spots = [p for p in paths(d) if p[2][0] not in ("type",)]
    if choice < 0.25:
        container, key, _ = rng.choice([p for p in spots if isinstance(p[0], dict)])
        del container[key]
    elif choice < 0.85:
        container, key, _ = rng.choice(spots)
        container[key] = json.loads(json.dumps(rng.choice(VALUES)))
    else:
        rng.choice(objects(d))["unexpected_" + str(rng.randint(0, 99))] = 1
    return d


def main(argv):
    src, out, seed, count = argv[1], argv[2], int(argv[3]), int(argv[4])
    rng = random.Random(seed)
    n = 0
    for kind in ("enrollment.submitted", "claim.submitted", "claim.reviewed", "enrollment.decided"):
        folder = os.path.join(src, "schemas", "examples", kind, "valid")
        for name in sorted(os.listdir(folder)):
            if not name.endswith(".json") or name.count(".") > 1:
                continue
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                doc = json.load(f)
            for i in range(count):
                m = mutate(doc, rng)
                with open(os.path.join(out, "%s-%s-m%02d.json" % (kind, name[:-5], i)), "w", encoding="utf-8") as f:
                    json.dump(m, f, ensure_ascii=False)
                n += 1
    print(n)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
