#!/usr/bin/python3
"""check_report.py — test tool: every figure famins-report wrote equals an independent SQL sum over the BASE tables.

The sums below are written separately from the reporting views (never through famins_report.*): if a view or the
program miscounts, the two disagree. Checks the json, every csv table, and the data-value of every chart element of
the html. Standard library only (psql for the queries).

usage: check_report.py DSN OUT_DIR YEAR [UNIT or ""] [HTML_FILE: e.g. the DOM Chromium rendered]
"""
import csv
import json
import os
import subprocess
import sys
from decimal import Decimal, ROUND_HALF_UP
from fractions import Fraction
from html.parser import HTMLParser

DSN, OUT, YEAR = sys.argv[1], sys.argv[2], int(sys.argv[3])
UNIT = (sys.argv[4] or None) if len(sys.argv) > 4 else None
BASE = os.path.join(OUT, f"report-{YEAR}" + (f"-{UNIT}" if UNIT else ""))
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def sql(query):
    out = subprocess.run(["psql", DSN, "-v", "ON_ERROR_STOP=1", "-XAtq", "-F", "\t", "-c", query],
                         check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


# The effective year and unit of a claim, independently: its own, else from the policy number it names (FJ<year>-),
# else the plan year of its incident date (1 March start); unit 'UNKNOWN' when no policy was found.
CLAIMS = f"""
  (SELECT c.*, coalesce(c.plan_year, substring(c.policy_number from '^FJ([0-9]{{4}})-')::int,
                        CASE WHEN extract(month from c.incident_date) >= 3 THEN extract(year from c.incident_date)::int
                             ELSE extract(year from c.incident_date)::int - 1 END) AS y,
          coalesce(c.managing_unit, 'UNKNOWN') AS u, coalesce(c.role, 'unknown') AS r
   FROM famins.claims c) cc"""
UNIT_FILTER = "" if UNIT is None else f" AND {{col}} = '{UNIT}'"


def uf(col):
    return UNIT_FILTER.format(col=col)


def bp(num, den):
    if den <= 0:
        return None
    return int((Fraction(num * 10000, den) + Fraction(1, 2)) // 1)


def tenths(value):
    """numeric rounded to one decimal like PostgreSQL's round(x, 1) (half away from zero), times ten."""
    return int((Decimal(value.numerator) / Decimal(value.denominator) * 10).quantize(Decimal(1), ROUND_HALF_UP))


def percentile_cont(values, p):
    values = sorted(values)
    pos = Fraction(p) * (len(values) - 1)
    lo = int(pos)
    hi = min(lo + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (pos - lo)


# ------------------------------------------------------------------ independent figures
exp = {}
exp["enrollment"] = {
    (u, c): (int(h), int(ch), int(ad)) for u, c, h, ch, ad in sql(f"""
    SELECT p.managing_unit, p.category, count(DISTINCT p.policy_number),
           count(i.person_key) FILTER (WHERE i.role = 'child'),
           count(i.person_key) FILTER (WHERE i.role <> 'child')
    FROM famins.policies p LEFT JOIN famins.insured_persons i ON i.policy_number = p.policy_number
    WHERE p.plan_year = {YEAR} {uf('p.managing_unit')} GROUP BY 1, 2""")}
exp["premium"] = {
    (r[0], r[1]): tuple(int(x) for x in r[2:]) for r in sql(f"""
    SELECT managing_unit, category, count(*), sum(premium), sum(self_paid), sum(subsidy), sum(subsidy_city),
           sum(subsidy_district), sum(subsidy_zone)
    FROM famins.enrollment_decisions WHERE outcome = 'accepted' AND plan_year = {YEAR} {uf('managing_unit')}
    GROUP BY 1, 2""")}
exp["claims_by_liability"] = {
    (r[0], r[1], r[2]): tuple(int(x) for x in r[3:]) for r in sql(f"""
    SELECT liability, r, u, count(*), count(*) FILTER (WHERE status = 'approved'),
           count(*) FILTER (WHERE status = 'partial'), count(*) FILTER (WHERE status = 'declined'),
           count(*) FILTER (WHERE status = 'pending_review'), sum(claimed_amount),
           coalesce(sum(payable) FILTER (WHERE status IN ('approved', 'partial')), 0)
    FROM {CLAIMS} WHERE y = {YEAR} {uf('u')} GROUP BY 1, 2, 3""")}
premium_by_unit = {u: int(p) for u, p in sql(f"""
    SELECT managing_unit, sum(premium) FROM famins.enrollment_decisions
    WHERE outcome = 'accepted' AND plan_year = {YEAR} GROUP BY 1""")}
claims_by_unit = {r[0]: tuple(int(x) for x in r[1:]) for r in sql(f"""
    SELECT u, count(*), coalesce(sum(payable) FILTER (WHERE status IN ('approved', 'partial')), 0),
           count(*) FILTER (WHERE status IN ('approved', 'partial', 'declined')),
           count(*) FILTER (WHERE status = 'declined')
    FROM {CLAIMS} WHERE y = {YEAR} GROUP BY 1""")}
units_loss = sorted(set(premium_by_unit) | set(claims_by_unit))
if UNIT:
    units_loss = [u for u in units_loss if u == UNIT]
exp["loss_ratio"] = {}
for u in units_loss:
    prem = premium_by_unit.get(u, 0)
    n, paid = claims_by_unit.get(u, (0, 0, 0, 0))[:2]
    exp["loss_ratio"][(u,)] = (prem, n, paid, bp(paid, prem))

days_by_unit = {}
for u, d in sql(f"""
    SELECT u, ((decided_at AT TIME ZONE 'Asia/Shanghai')::date - report_date)
    FROM {CLAIMS} WHERE y = {YEAR} AND status <> 'pending_review'"""):
    days_by_unit.setdefault(u, []).append(Fraction(int(d)))


def settle(values):
    if not values:
        return (0, None, None, None)
    return (len(values), tenths(sum(values) / len(values)), tenths(percentile_cont(values, Fraction(1, 2))),
            tenths(percentile_cont(values, Fraction(9, 10))))


exp["settlement_time"] = {(u,): settle(v) for u, v in days_by_unit.items() if UNIT is None or u == UNIT}
all_days = [d for v in days_by_unit.values() for d in v]
city_settle = settle(all_days)
scope_settle = city_settle if UNIT is None else settle(days_by_unit.get(UNIT, []))

decl = {}
for reason, n in sql(f"""
    SELECT reason, count(*) FROM {CLAIMS}
    CROSS JOIN LATERAL (SELECT unnest(d.reasons) AS reason FROM famins.claim_decisions d
                        WHERE d.claim_id = cc.claim_id
                          AND d.decision_id = (SELECT max(decision_id) FROM famins.claim_decisions x
                                               WHERE x.claim_id = cc.claim_id)) rs
    WHERE y = {YEAR} AND status = 'declined' {uf('u')} GROUP BY 1"""):
    decl[reason] = int(n)
exp["decline_reasons"] = {}
for reason, n in decl.items():
    exp["decline_reasons"][(reason,)] = (1 + sum(1 for m in decl.values() if m > n), n)

exp["fraud_signals"] = {(u, c): (int(n),) for u, c, n in sql(f"""
    SELECT u, code, count(*) FROM (
      SELECT s.code,
             coalesce(s.plan_year, cc.y, substring(s.policy_number from '^FJ([0-9]{{4}})-')::int) AS y,
             coalesce(s.managing_unit, cc.u, 'UNKNOWN') AS u
      FROM famins.fraud_signals s LEFT JOIN {CLAIMS} ON cc.claim_id = s.claim_id) f
    WHERE y = {YEAR} {uf('u')} GROUP BY 1, 2""")}

expected_sub = {r[0]: tuple(int(x) for x in r[1:]) for r in sql(f"""
    SELECT managing_unit, count(*), sum(subsidy_city), sum(subsidy_district), sum(subsidy_zone)
    FROM famins.enrollment_decisions WHERE outcome = 'accepted' AND category = 'A' AND plan_year = {YEAR}
    GROUP BY 1""")}
alloc_sub = {r[0]: tuple(int(x) for x in r[1:]) for r in sql(f"""
    SELECT managing_unit, count(DISTINCT policy_number),
           coalesce(sum(amount) FILTER (WHERE payer = 'city'), 0),
           coalesce(sum(amount) FILTER (WHERE payer = 'district_or_county'), 0),
           coalesce(sum(amount) FILTER (WHERE payer = 'development_zone'), 0)
    FROM famins.subsidy_ledger WHERE plan_year = {YEAR} GROUP BY 1""")}
exp["subsidy_reconciliation"] = {}
gap_by_unit = {}
for u in set(expected_sub) | set(alloc_sub):
    n, ec, ed, ez = expected_sub.get(u, (0, 0, 0, 0))
    na, ac, ad, az = alloc_sub.get(u, (0, 0, 0, 0))
    gap_by_unit[u] = 4000 * n - (ac + ad + az)
    if UNIT is None or u == UNIT:
        exp["subsidy_reconciliation"][(u,)] = (n, na, 4000 * n, ac + ad + az, 4000 * n - (ac + ad + az),
                                               ec, ac, ec - ac, ed, ad, ed - ad, ez, az, ez - az)

exp["claims_by_month"] = {(m,): tuple(int(x) for x in r) for m, *r in sql(f"""
    SELECT to_char(report_date, 'YYYY-MM'), count(*), count(*) FILTER (WHERE status = 'declined'),
           count(*) FILTER (WHERE status = 'pending_review'), sum(claimed_amount),
           coalesce(sum(payable) FILTER (WHERE status IN ('approved', 'partial')), 0)
    FROM {CLAIMS} WHERE y = {YEAR} {uf('u')} GROUP BY 1""")}

# Summary, from the independent tables above.
def col_total(table, idx):
    return sum(v[idx] for v in exp[table].values())


s_prem = col_total("premium", 1)
s_paid = col_total("claims_by_liability", 6)
s_decided = col_total("claims_by_liability", 1) + col_total("claims_by_liability", 2) + col_total("claims_by_liability", 3)
summary = {
    "households": col_total("enrollment", 0), "insured_children": col_total("enrollment", 1),
    "insured_parents_guardians": col_total("enrollment", 2), "premium_fen": s_prem,
    "self_paid_fen": col_total("premium", 2), "subsidy_fen": col_total("premium", 3),
    "claims": col_total("claims_by_liability", 0), "claimed_amount_fen": col_total("claims_by_liability", 5),
    "paid_fen": s_paid, "loss_ratio_bp": bp(s_paid, s_prem), "approved": col_total("claims_by_liability", 1),
    "partial": col_total("claims_by_liability", 2), "declined": col_total("claims_by_liability", 3),
    "pending": col_total("claims_by_liability", 4),
    "decline_rate_bp": bp(col_total("claims_by_liability", 3), s_decided),
    "mean_days": scope_settle[1], "median_days": scope_settle[2], "p90_days": scope_settle[3],
    "fraud_signals": col_total("fraud_signals", 0), "subsidy_gap_fen": col_total("subsidy_reconciliation", 4),
}

# Problems, by the printed rule (1.5 x the city's, at least 5 decided claims; any subsidy gap).
city_prem = sum(premium_by_unit.values())
city_paid = sum(v[1] for v in claims_by_unit.values())
city_decided = sum(v[2] for v in claims_by_unit.values())
city_declined = sum(v[3] for v in claims_by_unit.values())
city_loss, city_decl = bp(city_paid, city_prem), bp(city_declined, city_decided)
problems = set()
for u in (set(premium_by_unit) | set(claims_by_unit) | set(gap_by_unit)) - {"UNKNOWN"}:  # not a unit
    n, paid, decided, declined = claims_by_unit.get(u, (0, 0, 0, 0))
    prem = premium_by_unit.get(u, 0)
    if decided >= 5 and city_loss is not None and prem > 0 and bp(paid, prem) * 100 > city_loss * 150:
        problems.add((u, "loss_ratio"))
    if decided >= 5 and city_decl is not None and bp(declined, decided) * 100 > city_decl * 150:
        problems.add((u, "decline_rate"))
    st = settle(days_by_unit.get(u, []))
    if st[0] >= 5 and city_settle[1] is not None and st[1] * 100 > city_settle[1] * 150:
        problems.add((u, "settlement_days"))
    if gap_by_unit.get(u, 0) != 0:
        problems.add((u, "subsidy_gap"))
if UNIT:
    problems = {p for p in problems if p[0] == UNIT}

# ------------------------------------------------------------------ JSON
KEYS = {
    "enrollment": (["unit", "category"], ["households", "insured_children", "insured_parents_guardians"]),
    "premium": (["unit", "category"], ["households", "premium_fen", "self_paid_fen", "subsidy_fen", "subsidy_city_fen",
                                       "subsidy_district_or_county_fen", "subsidy_development_zone_fen"]),
    "claims_by_liability": (["liability", "role", "unit"], ["claims", "approved", "partial", "declined", "pending",
                                                           "claimed_amount_fen", "paid_fen"]),
    "loss_ratio": (["unit"], ["premium_fen", "claims", "paid_fen", "loss_ratio_bp"]),
    "settlement_time": (["unit"], ["decided_claims", "mean_days", "median_days", "p90_days"]),
    "decline_reasons": (["reason"], ["rank", "claims"]),
    "fraud_signals": (["unit", "code"], ["signals"]),
    "subsidy_reconciliation": (["unit"], [
        "households_a", "households_allocated", "expected_total_fen", "allocated_total_fen", "gap_total_fen",
        "expected_city_fen", "allocated_city_fen", "gap_city_fen", "expected_district_or_county_fen",
        "allocated_district_or_county_fen", "gap_district_or_county_fen", "expected_development_zone_fen",
        "allocated_development_zone_fen", "gap_development_zone_fen"]),
    "claims_by_month": (["month"], ["claims", "declined", "pending", "claimed_amount_fen", "paid_fen"]),
}
DAYS = {"mean_days", "median_days", "p90_days"}


def norm(key, value):
    if value is None:
        return None
    if key in DAYS:
        return int((Decimal(str(value)) * 10).to_integral_value())
    return int(value)


with open(BASE + ".json", encoding="utf-8") as f:
    doc = json.load(f)
check(doc["plan_year"] == YEAR, "json plan_year")
check(doc["unit"] == UNIT, "json unit")
for table, (ids, vals) in KEYS.items():
    got = {}
    for row in doc["tables"][table]["rows"]:
        got[tuple(row[k] for k in ids)] = tuple(norm(k, row[k]) for k in vals)
    want = exp[table]
    if table == "decline_reasons":
        want = {k: v for k, v in want.items()}
    check(got == want, f"json {table}: got {got} want {want}")
srow = doc["tables"]["summary"]["rows"][0]
for k, v in summary.items():
    check(norm(k, srow[k]) == v, f"json summary {k}: got {srow[k]} want {v}")
got_problems = {(r["unit"], r["indicator"]) for r in doc["tables"]["problems"]["rows"]}
check(got_problems == problems, f"json problems: got {sorted(got_problems)} want {sorted(problems)}")
check(doc["rule"]["factor_pct"] == 150 and doc["rule"]["min_claims"] == 5, "json rule")

# ------------------------------------------------------------------ CSV (one file per table, yuan and percentages)
def csv_value(key, text):
    if text == "":
        return None
    if key.endswith("_yuan"):
        return int(Decimal(text) * 100)
    if key.endswith("_pct"):
        return int(Decimal(text) * 100)
    if key in DAYS:
        return int(Decimal(text) * 10)
    return int(text)


def csv_key(k):
    return k[:-4] + "_yuan" if k.endswith("_fen") else k[:-3] + "_pct" if k.endswith("_bp") else k


for table, (ids, vals) in KEYS.items():
    with open(f"{BASE}-{table}.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    got = {tuple(r[k] for k in ids): tuple(csv_value(csv_key(k), r[csv_key(k)]) for k in vals) for r in rows}
    check(got == exp[table], f"csv {table}: got {got} want {exp[table]}")
    for r in rows:
        if "unit" in ids and r["unit"] not in ("UNKNOWN",):
            check(r["unit_name_zh"] != "" and r["unit_name_en"] != "", f"csv {table}: unit {r['unit']} has no name")
with open(f"{BASE}-summary.csv", encoding="utf-8", newline="") as f:
    srow = list(csv.DictReader(f))[0]
for k, v in summary.items():
    check(csv_value(csv_key(k), srow[csv_key(k)]) == v, f"csv summary {k}: got {srow[csv_key(k)]} want {v}")

# ------------------------------------------------------------------ HTML charts (data-label / data-value)
class Charts(HTMLParser):
    def __init__(self):
        super().__init__()
        self.svg = None
        self.values = {}
        self.external = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "svg" and a.get("id", "").startswith("chart-"):
            self.svg = a["id"]
            self.values[self.svg] = {}
        if tag in ("rect", "circle") and "data-value" in a and self.svg:
            self.values[self.svg][a["data-label"]] = int(a["data-value"])
        for k in ("src", "href"):
            if k in a:
                self.external.append(a[k])
        if tag in ("script", "link", "iframe", "img"):
            self.external.append(tag)

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None


html_path = sys.argv[5] if len(sys.argv) > 5 else BASE + ".html"
p = Charts()
with open(html_path, encoding="utf-8") as f:
    p.feed(f.read())
check(p.external == [], f"html refers to outside resources: {p.external}")
liab = {}
for (l, _r, _u), v in exp["claims_by_liability"].items():
    liab[l] = liab.get(l, 0) + v[6]
want_liab = {l: liab.get(l, 0) for l in ["death", "critical_illness", "accidental_disability", "accident_medical",
                                         "illness_hospital"]}
check(p.values.get("chart-paid-by-liability") == want_liab,
      f"html paid by liability: {p.values.get('chart-paid-by-liability')} want {want_liab}")
want_loss = {u: v[3] for (u,), v in exp["loss_ratio"].items() if v[3] is not None}
check(p.values.get("chart-loss-ratio-by-unit") == want_loss,
      f"html loss ratio: {p.values.get('chart-loss-ratio-by-unit')} want {want_loss}")
want_month = {m: v[0] for (m,), v in exp["claims_by_month"].items()}
check(p.values.get("chart-claims-by-month") == want_month,
      f"html months: {p.values.get('chart-claims-by-month')} want {want_month}")
want_en = {}
for cat in ("A", "B"):
    for i, m in enumerate(["households", "insured_children", "insured_parents_guardians"]):
        want_en[f"{cat}:{m}"] = sum(v[i] for (u, c), v in exp["enrollment"].items() if c == cat)
check(p.values.get("chart-enrollment-by-category") == want_en,
      f"html enrollment: {p.values.get('chart-enrollment-by-category')} want {want_en}")

if failures:
    for f in failures:
        print("MISMATCH:", f)
    sys.exit(1)
print(f"report {YEAR}{' ' + UNIT if UNIT else ''}: every figure matches the independent sums "
      f"({summary['claims']} claims, {len(problems)} problems)")
