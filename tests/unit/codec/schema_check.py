#!/usr/bin/python3
"""schema_check.py — validates event JSON files against famins' JSON Schemas (draft 2020-12).

Test tool only (Debian's python3-jsonschema). Usage:
  schema_check.py SCHEMA_DIR FILE...
prints one line per file: "<file>\tvalid" or "<file>\tinvalid\t<path>\t<message>".
The schema is chosen by the file's "type" (envelope.schema.json when the type is unknown).
Duplicate object keys are refused as invalid JSON (RFC 8259 says names SHOULD be unique; the C
decoder refuses them too), and "date-time" is checked as RFC 3339 with a date that exists.
"""
import datetime
import json
import os
import sys

from jsonschema import Draft202012Validator, FormatChecker, RefResolver


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("duplicate key %r" % key)
        seen[key] = value
    return seen


def _load_schemas(schema_dir):
    store = {}
    by_name = {}
    for name in sorted(os.listdir(schema_dir)):
        if name.endswith(".schema.json"):
            with open(os.path.join(schema_dir, name), encoding="utf-8") as f:
                schema = json.load(f)
            Draft202012Validator.check_schema(schema)
            store[schema["$id"]] = schema
            by_name[name[: -len(".schema.json")]] = schema
    return store, by_name


def _format_checker():
    checker = FormatChecker()

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value):
        if not isinstance(value, str):
            return True
        datetime.date.fromisoformat(value[:10])  # the pattern checks the rest; the date must exist
        return True

    return checker


def _leaves(errors):
    for e in errors:
        if e.context:
            yield from _leaves(e.context)
        yield e


def _path_of(e):
    """The error's path as the C decoder spells it; a missing field names the field (one of the schema's
    own names), an unexpected field only its object (the key is input, and may be an identity number)."""
    parts = list(e.absolute_path)
    if e.validator == "required":
        parts.append(e.message.split("'")[1])
    return "".join("[%d]" % p if isinstance(p, int) else ".%s" % p for p in parts).lstrip(".")


def _most_precise(errors):
    """The deepest error; unevaluatedProperties only when nothing else explains the failure (a field
    that failed its own subschema is also reported as unevaluated by the enclosing schema)."""
    leaves = list(_leaves(errors))
    others = [e for e in leaves if e.validator not in ("unevaluatedProperties", "oneOf", "if", "$ref", "allOf")]
    pool = others or leaves
    best = max(pool, key=lambda e: len(_path_of(e).replace("[", ".").split(".")))
    return _path_of(best), best.message


def main(argv):
    if len(argv) < 3:
        print("usage: schema_check.py SCHEMA_DIR FILE...", file=sys.stderr)
        return 2
    store, by_name = _load_schemas(argv[1])
    checker = _format_checker()
    for path in argv[2:]:
        try:
            with open(path, "rb") as f:
                raw = f.read()
            doc = json.loads(raw.decode("utf-8"), object_pairs_hook=_no_duplicates)
        except (UnicodeDecodeError, ValueError) as e:
            print("%s\tinvalid\t\tINVALID_JSON %s" % (path, str(e).replace("\t", " ")))
            continue
        kind = doc.get("type") if isinstance(doc, dict) else None
        schema = by_name.get(kind) if isinstance(kind, str) else None
        if schema is None:
            schema = by_name["envelope"]
        resolver = RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
        validator = Draft202012Validator(schema, resolver=resolver, format_checker=checker)
        errors = list(validator.iter_errors(doc))
        if schema is by_name["envelope"] and not errors:
            print("%s\tinvalid\ttype\tUNKNOWN_TYPE" % path)
        elif errors:
            where, message = _most_precise(errors)
            print("%s\tinvalid\t%s\t%s" % (path, where, message.replace("\t", " ").replace("\n", " ")))
        else:
            print("%s\tvalid" % path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
