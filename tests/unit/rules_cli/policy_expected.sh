#!/bin/sh
# policy_expected.sh — famins-rules policy against every hand-computed policy-change decision of
# schemas/examples/policy.*/valid (the event, its .state.json, its .expected.json): every key the expected file
# names (but "_why") must be equal in the output; reasons compare by code, in order; an object compares the
# keys it names.
# Usage: policy_expected.sh FAMINS_RULES SOURCE_DIR
set -u
rules=$1
src=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
n=0
fail=0
for ev in "$src"/schemas/examples/policy.*/valid/*.json; do
    case "$ev" in *.state.json|*.expected.json) continue ;; esac
    base=${ev%.json}
    n=$((n + 1))
    if ! "$rules" policy --state "$base.state.json" "$ev" > "$tmp/out.json" 2> "$tmp/err"; then
        echo "FAIL $ev: famins-rules exited non-zero: $(cat "$tmp/err")"
        fail=$((fail + 1))
        continue
    fi
    /usr/bin/python3 - "$base.expected.json" "$tmp/out.json" "$ev" <<'PY' || fail=$((fail + 1))
import json, sys
want = json.load(open(sys.argv[1]))
got = json.load(open(sys.argv[2]))
def same(w, g, path):
    if isinstance(w, dict):
        if not isinstance(g, dict):
            return [path]
        return [p for k, v in w.items() if k != "_why" for p in same(v, g.get(k), path + "." + k)]
    if path.endswith(".reasons") and isinstance(w, list):
        return [] if [r["code"] for r in w] == [r.get("code") for r in (g or [])] else [path]
    return [] if w == g else [path]
bad = same(want, got, "")
if bad:
    print("FAIL %s: differs at %s" % (sys.argv[3], ", ".join(bad)))
    sys.exit(1)
PY
done
echo "policy decisions: $n examples, $fail failures"
[ "$n" -ge 15 ] && [ "$fail" -eq 0 ]
