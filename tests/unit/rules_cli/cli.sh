#!/bin/sh
# cli.sh — famins-rules as a user meets it: --help, exit codes 0/1/2, errors on stderr, stdin input.
# Usage: cli.sh FAMINS_RULES SOURCE_DIR
set -u
bin=$1
src=$2
ex=$src/schemas/examples
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0

# expect CODE DESCRIPTION -- COMMAND...: runs the command, keeps stdout/stderr in $tmp/out, $tmp/err.
expect() {
    want=$1; what=$2; shift 3
    "$@" > "$tmp/out" 2> "$tmp/err"
    got=$?
    if [ "$got" -ne "$want" ]; then
        echo "FAIL $what: exit $got, expected $want"; sed 's/^/  stderr: /' "$tmp/err" | head -5
        fail=$((fail + 1))
        return 1
    fi
    return 0
}
contains() { # FILE TEXT DESCRIPTION
    if ! grep -qF -- "$2" "$1"; then echo "FAIL $3: no [$2] in $(basename "$1")"; fail=$((fail + 1)); fi
}
empty() {
    if [ -s "$1" ]; then echo "FAIL $2: $(basename "$1") is not empty"; fail=$((fail + 1)); fi
}

enr=$ex/enrollment.submitted/valid/01-a-only-child-with-parents.json
clm=$ex/claim.submitted/valid/38-accident-medical-simple.json
ctx=$ex/claim.submitted/valid/38-accident-medical-simple.context.json

expect 0 "--help" -- "$bin" --help && { contains "$tmp/out" "usage: famins-rules enrollment" "--help"; contains "$tmp/out" "FAMINS_PLAN_DIR" "--help"; }
expect 2 "no arguments" -- "$bin" && contains "$tmp/err" "usage:" "no arguments"
expect 2 "unknown command" -- "$bin" renew "$enr"
expect 2 "unknown option" -- "$bin" enrollment --fast "$enr"
expect 2 "claim without --context" -- "$bin" claim "$clm" && contains "$tmp/err" "--context" "claim without --context"
expect 2 "--context for an enrollment" -- "$bin" enrollment --context "$ctx" "$enr"
expect 2 "--plan-dir without a value" -- "$bin" enrollment "$enr" --plan-dir
expect 2 "two input files" -- "$bin" enrollment "$enr" "$enr"
expect 2 "--today not a date" -- "$bin" enrollment --today 2026-02-30 "$enr"
expect 2 "--today other than submitted_on" -- "$bin" enrollment --today 2026-02-01 "$enr"
expect 0 "--today equal to submitted_on" -- "$bin" enrollment --today 2026-01-15 "$enr"

# Decided: exit 0, JSON on stdout, nothing on stderr; a rejection is a decision too.
expect 0 "accepted enrollment" -- "$bin" enrollment "$enr" && { empty "$tmp/err" "accepted enrollment"; contains "$tmp/out" '"outcome": "accepted"' "accepted enrollment"; }
rej=$ex/enrollment.submitted/valid/25-rejected-no-eligible-child.json
expect 0 "rejected enrollment" -- "$bin" enrollment "$rej" && { contains "$tmp/out" '"outcome": "rejected"' "rejected"; contains "$tmp/out" '"code": "NO_ELIGIBLE_CHILD"' "rejected"; }
expect 0 "declined claim" -- "$bin" claim --context "$ex/claim.submitted/valid/01-policy-not-found.context.json" "$ex/claim.submitted/valid/01-policy-not-found.json" && contains "$tmp/out" '"outcome": "declined"' "declined claim"

# stdin gives the same decision as the file.
expect 0 "enrollment from stdin" -- sh -c "'$bin' enrollment - < '$enr'" && cp "$tmp/out" "$tmp/stdin.json"
expect 0 "enrollment from file" -- "$bin" enrollment "$enr" && { cmp -s "$tmp/out" "$tmp/stdin.json" || { echo "FAIL stdin and file outputs differ"; fail=$((fail + 1)); }; }
expect 0 "claim from stdin" -- sh -c "'$bin' claim --context '$ctx' < '$clm'" && contains "$tmp/out" '"payable": 96000' "claim from stdin"

# Invalid input: exit 1, the precise error on stderr, nothing on stdout.
bad=$ex/enrollment.submitted/invalid/member-role-not-one-of.json
expect 1 "invalid enrollment" -- "$bin" enrollment "$bad" && { contains "$tmp/err" "members[2].role: NOT_ONE_OF" "invalid enrollment"; empty "$tmp/out" "invalid enrollment"; }
expect 1 "invalid claim" -- "$bin" claim --context "$ctx" "$ex/claim.submitted/invalid/bill-amount-negative.json" && contains "$tmp/err" "bills[0].amount: NEGATIVE" "invalid claim"
expect 1 "a claim given to the enrollment command" -- "$bin" enrollment "$clm" && contains "$tmp/err" "type: WRONG_EVENT_TYPE" "wrong command"
printf '{"policy":null,"member":null,"usage":{"death_pad":1}}' > "$tmp/ctx.json"
expect 1 "context with a typo" -- "$bin" claim --context "$tmp/ctx.json" "$clm" && contains "$tmp/err" "usage: UNKNOWN_FIELD" "context typo"

# Never an identity number on stderr: not as an unknown key, not as the token where the JSON breaks (jansson's
# own error text quotes it), in a context, a facts file or the event itself.
id=11010519491231002X
no_id() { # DESCRIPTION: stderr holds an error, and neither the number nor a long run of its digits
    if grep -q -e "1101051949" -e "1231002" "$tmp/err"; then echo "FAIL $1: the identity number is on stderr: $(cat "$tmp/err")"; fail=$((fail + 1)); fi
}
printf '{"policy":null,"member":null,"usage":{"%s":1}}' "$id" > "$tmp/ctx-key.json"
expect 1 "context with a number as key" -- "$bin" claim --context "$tmp/ctx-key.json" "$clm" && { contains "$tmp/err" "usage: UNKNOWN_FIELD" "key"; no_id "context key"; }
printf '{"policy":null,"member":null,"usage":{"death_paid":%s}}' "$id" > "$tmp/ctx-token.json"
expect 1 "context broken at a number" -- "$bin" claim --context "$tmp/ctx-token.json" "$clm" && { contains "$tmp/err" "INVALID_JSON" "token"; contains "$tmp/err" "line 1, column" "token"; no_id "context token"; }
printf '{"policy":null,"member":null,"usage":{"death_paid":1}} 110105194912310020' > "$tmp/ctx-trail.json"
expect 1 "context with a number after it" -- "$bin" claim --context "$tmp/ctx-trail.json" "$clm" && { contains "$tmp/err" "INVALID_JSON" "trail"; no_id "context trail"; }
printf '{"household_has_policy":false,"%s":true}' "$id" > "$tmp/facts-key.json"
expect 1 "facts with a number as key" -- "$bin" enrollment --facts "$tmp/facts-key.json" "$enr" && { contains "$tmp/err" ": UNKNOWN_FIELD" "facts key"; no_id "facts key"; }
printf '{"household_has_policy":%s}' "$id" > "$tmp/facts-token.json"
expect 1 "facts broken at a number" -- "$bin" enrollment --facts "$tmp/facts-token.json" "$enr" && { contains "$tmp/err" "INVALID_JSON" "facts token"; no_id "facts token"; }
sed "s/\"previously_insured\": *false/\"previously_insured\": false, \"$id\": 1/" "$enr" > "$tmp/enr-key.json"
expect 1 "event with a number as key" -- "$bin" enrollment "$tmp/enr-key.json" && { contains "$tmp/err" "UNKNOWN_FIELD" "event key"; no_id "event key"; }
sed "s/\"plan_year\": *2026/\"plan_year\": $id/" "$enr" > "$tmp/enr-token.json"
expect 1 "event broken at a number" -- "$bin" enrollment "$tmp/enr-token.json" && { contains "$tmp/err" "INVALID_JSON" "event token"; no_id "event token"; }
printf '{"members":[{"insured_elsewhere":"yes"}]}' > "$tmp/facts.json"
expect 1 "facts with a wrong type" -- "$bin" enrollment --facts "$tmp/facts.json" "$enr" && contains "$tmp/err" "members[0].insured_elsewhere: WRONG_TYPE" "facts"
expect 1 "missing file" -- "$bin" enrollment "$tmp/nope.json" && contains "$tmp/err" "UNREADABLE" "missing file"
expect 1 "empty plan directory" -- "$bin" enrollment --plan-dir "$tmp" "$enr" && contains "$tmp/err" "plan catalogue" "empty plan dir"
expect 1 "invalid UTF-8" -- "$bin" claim --context "$ctx" "$ex/envelope/invalid/invalid-utf8.json" && contains "$tmp/err" "INVALID_UTF8" "utf8"

# Reviews: the claim comes with --claim and must be the one reviewed.
rv=$ex/claim.reviewed/valid/01-decline-child-death
expect 2 "review without --claim" -- "$bin" review --context "$rv.context.json" "$rv.json"
expect 2 "--claim with claim" -- "$bin" claim --claim "$rv.claim.json" --context "$rv.context.json" "$clm"
expect 0 "review" -- "$bin" review --claim "$rv.claim.json" --context "$rv.context.json" "$rv.json" && { contains "$tmp/out" '"code": "REVIEWER_DECLINED"' "review"; contains "$tmp/out" '"action": "decline"' "review"; }
expect 1 "review of another claim" -- "$bin" review --claim "$clm" --context "$rv.context.json" "$rv.json" && contains "$tmp/err" "NOT_THIS_CLAIM" "review of another claim"
expect 1 "invalid review" -- "$bin" review --claim "$rv.claim.json" --context "$rv.context.json" "$ex/claim.reviewed/invalid/approve-without-amount.json" && contains "$tmp/err" "amount: MISSING" "invalid review"

# A message above the contract's 256 KiB is refused before parsing.
{ printf '{"event_id":"big","note":"'; head -c 270000 /dev/zero | tr '\0' 'x'; printf '"}'; } > "$tmp/big.json"
expect 1 "message above 256 KiB" -- "$bin" enrollment "$tmp/big.json" && contains "$tmp/err" "TOO_LARGE" "too large"

# FAMINS_PLAN_DIR is honoured (an empty catalogue there fails), and --plan-dir wins over it.
expect 1 "FAMINS_PLAN_DIR" -- env FAMINS_PLAN_DIR="$tmp" "$bin" enrollment "$enr"
expect 0 "--plan-dir over FAMINS_PLAN_DIR" -- env FAMINS_PLAN_DIR="$tmp" "$bin" enrollment --plan-dir "$src/schemas/plans" "$enr"

[ "$fail" -eq 0 ] && echo "cli: all checks passed"
[ "$fail" -eq 0 ]
