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
# The rule as famins-report was run (its settings and plan catalogue): factor, minimum insured, expected loss ratio.
FACTOR = int(os.environ.get("FAMINS_REPORT_FAR_FACTOR_PCT", "150"))
MIN_INSURED = int(os.environ.get("FAMINS_REPORT_MIN_INSURED", "100"))
PLAN_DIR = os.environ.get("FAMINS_PLAN_DIR") or os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                               "../../../schemas/plans")
try:
    with open(os.path.join(PLAN_DIR, f"plan-{YEAR}.json"), encoding="utf-8") as _f:
        EXPECTED_LOSS_BP = int(json.load(_f).get("expected_loss_ratio_percent", 70)) * 100
except FileNotFoundError:
    EXPECTED_LOSS_BP = 7000
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

# Settlement: receipt (receipt_at, else when famins recorded the claim) to the current decision's time (the event
# time of the claim's latest decision, else the clock that wrote the claim's current decision), never before the
# receipt; Asia/Shanghai dates.
SETTLE_DAYS = """(greatest(coalesce((SELECT d.event_at FROM famins.claim_decisions d WHERE d.claim_id = cc.claim_id
                                    ORDER BY d.decision_id DESC LIMIT 1), decided_at),
                          coalesce(receipt_at, received_at)) AT TIME ZONE 'Asia/Shanghai')::date
                - (coalesce(receipt_at, received_at) AT TIME ZONE 'Asia/Shanghai')::date"""
days_by_unit = {}
for u, d in sql(f"""
    SELECT u, {SETTLE_DAYS}
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

# claim-life: appeals by unit, from the appeal tables (received = every appeal; answered = upheld + overturned).
exp["appeals"] = {}
for u, rec, ref, opn, up, ov in sql(f"""
    SELECT cc.u, count(*), count(*) FILTER (WHERE a.refused_reason IS NOT NULL),
           count(*) FILTER (WHERE a.refused_reason IS NULL AND r.action IS NULL),
           count(*) FILTER (WHERE r.action = 'uphold'), count(*) FILTER (WHERE r.action = 'overturn')
    FROM famins.claim_appeals a JOIN {CLAIMS} ON cc.claim_id = a.claim_id
    LEFT JOIN famins.claim_appeal_reviews r ON r.appeal_id = a.appeal_id
    WHERE cc.y = {YEAR} {uf('cc.u')} GROUP BY 1"""):
    rec, ref, opn, up, ov = (int(x) for x in (rec, ref, opn, up, ov))
    exp["appeals"][(u,)] = (rec, ref, opn, up, ov, bp(ov, up + ov))

# ------------------------------------------------------------------ issue 17: comparison, frequency, pending, trend
def year_figures(year):
    """Per unit of one plan year, from the base tables: households, insured, premium, claims, paid, declined,
    paid claims, fraud signals, settlement days (list). A unit is present when it has a policy, an accepted
    decision, a claim or a fraud signal that year."""
    f = {}

    def get(u):
        return f.setdefault(u, {"hh": 0, "ins": 0, "prem": 0, "claims": 0, "paid": 0, "declined": 0, "paid_claims": 0,
                                "signals": 0, "days": []})
    for u, hh in sql(f"SELECT managing_unit, count(*) FROM famins.policies WHERE plan_year = {year} GROUP BY 1"):
        get(u)["hh"] = int(hh)
    for u, n in sql(f"""SELECT p.managing_unit, count(*) FROM famins.insured_persons i
                        JOIN famins.policies p ON p.policy_number = i.policy_number
                        WHERE p.plan_year = {year} AND i.role IN ('child', 'parent', 'guardian') GROUP BY 1"""):
        get(u)["ins"] = int(n)
    for u, pr in sql(f"""SELECT managing_unit, sum(premium) FROM famins.enrollment_decisions
                         WHERE outcome = 'accepted' AND plan_year = {year} GROUP BY 1"""):
        get(u)["prem"] = int(pr)
    for u, n, paid, decl, pc in sql(f"""
        SELECT u, count(*), coalesce(sum(payable) FILTER (WHERE status IN ('approved', 'partial')), 0),
               count(*) FILTER (WHERE status = 'declined'), count(*) FILTER (WHERE status IN ('approved', 'partial'))
        FROM {CLAIMS} WHERE y = {year} GROUP BY 1"""):
        g = get(u)
        g["claims"], g["paid"], g["declined"], g["paid_claims"] = int(n), int(paid), int(decl), int(pc)
    for u, d in sql(f"""SELECT u, {SETTLE_DAYS}
                        FROM {CLAIMS} WHERE y = {year} AND status <> 'pending_review'"""):
        get(u)["days"].append(Fraction(int(d)))
    for u, n in sql(f"""
        SELECT u, count(*) FROM (
          SELECT coalesce(s.plan_year, cc.y, substring(s.policy_number from '^FJ([0-9]{{4}})-')::int) AS y,
                 coalesce(s.managing_unit, cc.u, 'UNKNOWN') AS u
          FROM famins.fraud_signals s LEFT JOIN {CLAIMS} ON cc.claim_id = s.claim_id) x
        WHERE y = {year} GROUP BY 1"""):
        get(u)["signals"] = int(n)
    if UNIT:
        f = {u: v for u, v in f.items() if u == UNIT}
    return f


def mean_tenths(days):
    return tenths(sum(days) / len(days)) if days else None


cur_f, prev_f = year_figures(YEAR), year_figures(YEAR - 1)
exp["yoy_volume"], exp["yoy_rates"], exp["claim_frequency"] = {}, {}, {}


def vol(g):
    return (g["hh"], g["ins"], g["claims"], g["paid"]) if g else (None,) * 4


def rates(g):
    if not g:
        return (None,) * 4
    return (bp(g["paid"], g["prem"]), mean_tenths(g["days"]), g["declined"], g["signals"])


def avg_paid(paid, n):
    return None if n <= 0 else int((Fraction(paid, n) + Fraction(1, 2)) // 1)


for u in set(cur_f) | set(prev_f):
    p, c = prev_f.get(u), cur_f.get(u)
    pv, cv, pr, cr = vol(p), vol(c), rates(p), rates(c)
    exp["yoy_volume"][(u,)] = tuple(x for pair in zip(pv, cv) for x in pair)
    exp["yoy_rates"][(u,)] = tuple(x for pair in zip(pr, cr) for x in pair)
    if c:
        exp["claim_frequency"][(u,)] = (c["ins"], c["claims"], bp(c["claims"], c["ins"]), c["paid_claims"], c["paid"],
                                        avg_paid(c["paid"], c["paid_claims"]))


def tot(figs, key):
    return sum(g[key] for g in figs.values())


prev_empty = not prev_f
exp_totals = {
    "yoy_volume": {"households": tot(cur_f, "hh"), "insured": tot(cur_f, "ins"), "claims": tot(cur_f, "claims"),
                   "paid_fen": tot(cur_f, "paid"),
                   "households_prev": None if prev_empty else tot(prev_f, "hh"),
                   "insured_prev": None if prev_empty else tot(prev_f, "ins"),
                   "claims_prev": None if prev_empty else tot(prev_f, "claims"),
                   "paid_prev_fen": None if prev_empty else tot(prev_f, "paid")},
    "yoy_rates": {"loss_ratio_bp": bp(tot(cur_f, "paid"), tot(cur_f, "prem")),
                  "loss_ratio_prev_bp": None if prev_empty else bp(tot(prev_f, "paid"), tot(prev_f, "prem")),
                  "mean_days": mean_tenths([d for g in cur_f.values() for d in g["days"]]),
                  "mean_days_prev": None if prev_empty else mean_tenths([d for g in prev_f.values() for d in g["days"]]),
                  "declined": tot(cur_f, "declined"), "declined_prev": None if prev_empty else tot(prev_f, "declined"),
                  "fraud_signals": tot(cur_f, "signals"),
                  "fraud_signals_prev": None if prev_empty else tot(prev_f, "signals")},
    "claim_frequency": {"insured": tot(cur_f, "ins"), "claims": tot(cur_f, "claims"),
                        "claims_per_1000": bp(tot(cur_f, "claims"), tot(cur_f, "ins")),
                        "paid_claims": tot(cur_f, "paid_claims"), "paid_fen": tot(cur_f, "paid"),
                        "average_paid_fen": avg_paid(tot(cur_f, "paid"), tot(cur_f, "paid_claims"))},
}

# Pending review by age: days from the report date to today (Asia/Shanghai).
BANDS = [("0-30", 0, 30), ("31-60", 31, 60), ("61-90", 61, 90), ("91+", 91, 10 ** 9)]
pend = {}
for age, amount, assessed in sql(f"""
    SELECT (now() AT TIME ZONE 'Asia/Shanghai')::date - report_date, claimed_amount,
           coalesce((SELECT d.full_amount FROM famins.claim_decisions d WHERE d.claim_id = cc.claim_id
                     AND d.decision_id = (SELECT max(decision_id) FROM famins.claim_decisions x
                                          WHERE x.claim_id = cc.claim_id)), 0)
    FROM {CLAIMS} WHERE y = {YEAR} AND status = 'pending_review' {uf('u')}"""):
    age = max(int(age), 0)  # a report date after today waits 0 days
    band = next(b for b, lo, hi in BANDS if lo <= age <= hi)
    n, amt, ass, oldest = pend.get(band, (0, 0, 0, 0))
    pend[band] = (n + 1, amt + int(amount), ass + int(assessed), max(oldest, age))
exp["pending_by_age"] = {(b,): v for b, v in pend.items()}

# Declines and fraud signals, this year against the previous (0 when the previous year has data, None when not).
trend_cur, trend_prev = {}, {}
for year, store in ((YEAR, trend_cur), (YEAR - 1, trend_prev)):
    for u, c in year_figures(year).items():
        if c["claims"]:
            store["DECLINED"] = store.get("DECLINED", 0) + c["declined"]
    for code, n in sql(f"""
        SELECT code, count(*) FROM (
          SELECT s.code, coalesce(s.plan_year, cc.y, substring(s.policy_number from '^FJ([0-9]{{4}})-')::int) AS y,
                 coalesce(s.managing_unit, cc.u, 'UNKNOWN') AS u
          FROM famins.fraud_signals s LEFT JOIN {CLAIMS} ON cc.claim_id = s.claim_id) x
        WHERE y = {year} {uf('u')} GROUP BY 1"""):
        store[code] = int(n)
exp["declines_fraud_trend"] = {}
for item in set(trend_cur) | set(trend_prev):
    p = trend_prev.get(item, None if prev_empty else 0)
    c = trend_cur.get(item, 0)
    exp["declines_fraud_trend"][(item,)] = (p, c, None if p is None else c - p)

# The cut-off: the latest decided_at of the year's claims in scope.
cut = sql(f"""SELECT to_char(max(decided_at) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI:SS')
              FROM {CLAIMS} WHERE y = {YEAR} {uf('u')}""")
want_cutoff = cut[0][0] if cut and cut[0] and cut[0][0] else None

# Problems the issue adds: a suspiciously low claim frequency; the city's loss ratio far from the plan's expected.


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
    "insured": col_total("enrollment", 1) + col_total("enrollment", 2),
    "claims_per_1000": bp(col_total("claims_by_liability", 0), col_total("enrollment", 1) + col_total("enrollment", 2)),
    "paid_claims": col_total("claims_by_liability", 1) + col_total("claims_by_liability", 2),
    "average_paid_fen": avg_paid(s_paid, col_total("claims_by_liability", 1) + col_total("claims_by_liability", 2)),
    "pending_outstanding_fen": sum(v[1] for v in exp["pending_by_age"].values()),
}

# Problems, by the printed rule (1.5 x the city's, at least 5 decided claims; any subsidy gap).
city_prem = sum(premium_by_unit.values())
city_paid = sum(v[1] for v in claims_by_unit.values())
city_decided = sum(v[2] for v in claims_by_unit.values())
city_declined = sum(v[3] for v in claims_by_unit.values())
city_loss, city_decl = bp(city_paid, city_prem), bp(city_declined, city_decided)
# (unit, indicator) -> (measure, unit value, city value), the values as kept: bp, tenths, fen.
problems = {}
for u in (set(premium_by_unit) | set(claims_by_unit) | set(gap_by_unit)) - {"UNKNOWN"}:  # not a unit
    n, paid, decided, declined = claims_by_unit.get(u, (0, 0, 0, 0))
    prem = premium_by_unit.get(u, 0)
    if decided >= 5 and city_loss is not None and prem > 0 and bp(paid, prem) * 100 > city_loss * FACTOR:
        problems[(u, "loss_ratio")] = ("percent", bp(paid, prem), city_loss)
    if decided >= 5 and city_decl is not None and bp(declined, decided) * 100 > city_decl * FACTOR:
        problems[(u, "decline_rate")] = ("percent", bp(declined, decided), city_decl)
    st = settle(days_by_unit.get(u, []))
    if st[0] >= 5 and city_settle[1] is not None and st[1] * 100 > city_settle[1] * FACTOR:
        problems[(u, "settlement_days")] = ("days", st[1], city_settle[1])
    if gap_by_unit.get(u, 0) != 0:
        problems[(u, "subsidy_gap")] = ("yuan", gap_by_unit[u], sum(gap_by_unit.values()))
city_claims = sum(v[0] for v in claims_by_unit.values())
city_insured = int(sql(f"""SELECT count(*) FROM famins.insured_persons i JOIN famins.policies p
                           ON p.policy_number = i.policy_number WHERE p.plan_year = {YEAR}
                           AND i.role IN ('child', 'parent', 'guardian')""")[0][0])
city_freq = bp(city_claims, city_insured)
ins_by_unit = {u: int(n) for u, n in sql(f"""SELECT p.managing_unit, count(*) FROM famins.insured_persons i
    JOIN famins.policies p ON p.policy_number = i.policy_number WHERE p.plan_year = {YEAR}
    AND i.role IN ('child', 'parent', 'guardian') GROUP BY 1""")}
for u in (set(premium_by_unit) | set(claims_by_unit) | set(gap_by_unit)) - {"UNKNOWN"}:
    ins = ins_by_unit.get(u, 0)
    n = claims_by_unit.get(u, (0,))[0]
    if ins >= MIN_INSURED and city_freq and bp(n, ins) * FACTOR < city_freq * 100:
        problems[(u, "low_claim_frequency")] = ("permille", bp(n, ins), city_freq)
if (city_decided >= 5 and city_loss is not None and
        (city_loss * 100 > EXPECTED_LOSS_BP * FACTOR or city_loss * FACTOR < EXPECTED_LOSS_BP * 100)):
    problems[("CITY", "loss_ratio_vs_expected")] = ("percent", city_loss, EXPECTED_LOSS_BP)
if UNIT:
    problems = {p: v for p, v in problems.items() if p[0] == UNIT}


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
    "yoy_volume": (["unit"], ["households_prev", "households", "insured_prev", "insured", "claims_prev", "claims",
                              "paid_prev_fen", "paid_fen"]),
    "yoy_rates": (["unit"], ["loss_ratio_prev_bp", "loss_ratio_bp", "mean_days_prev", "mean_days", "declined_prev",
                             "declined", "fraud_signals_prev", "fraud_signals"]),
    "claim_frequency": (["unit"], ["insured", "claims", "claims_per_1000", "paid_claims", "paid_fen",
                                   "average_paid_fen"]),
    "pending_by_age": (["age_band"], ["claims", "outstanding_fen", "assessed_fen", "oldest_days"]),
    "declines_fraud_trend": (["item"], ["previous", "current", "change"]),
    "appeals": (["unit"], ["received", "refused", "open", "upheld", "overturned", "overturn_rate_bp"]),
}
DAYS = {"mean_days", "median_days", "p90_days", "mean_days_prev", "claims_per_1000"}


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
for table, want in exp_totals.items():
    total = doc["tables"][table].get("total", {})
    for k, v in want.items():
        check(norm(k, total.get(k)) == v, f"json {table} total {k}: got {total.get(k)} want {v}")
ptotal = doc["tables"]["pending_by_age"]["total"]
check((ptotal["claims"], ptotal["outstanding_fen"], ptotal["assessed_fen"]) ==
      tuple(sum(v[i] for v in pend.values()) for i in range(3)), f"json pending total: {ptotal}")
check(doc["previous_year_has_data"] == (not prev_empty), "json previous_year_has_data")
check(doc["data_cutoff"] == want_cutoff, f"json data_cutoff: got {doc['data_cutoff']} want {want_cutoff}")
check(doc["rule"]["expected_loss_ratio_bp"] == EXPECTED_LOSS_BP, "json rule expected loss ratio")
check(len(doc["narrative_zh"]) > 40 and len(doc["narrative_en"]) > 80, "json narrative missing")
check(f"{YEAR}年度" in doc["narrative_zh"] and f"plan year {YEAR}" in doc["narrative_en"], "narrative year")
# Values in the row's measure, bare: percent 12.34, permille and days with one decimal, yuan with two.
SCALE = {"percent": 100, "permille": 10, "days": 10, "yuan": 100}
got_problems = {(r["unit"], r["indicator"]): (r["measure"], round(Decimal(str(r["unit_value"])) * SCALE[r["measure"]]),
                                               round(Decimal(str(r["city_value"])) * SCALE[r["measure"]]))
                for r in doc["tables"]["problems"]["rows"]}
check(got_problems == problems, f"json problems: got {sorted(got_problems.items())} want {sorted(problems.items())}")
check(doc["rule"]["factor_pct"] == FACTOR and doc["rule"]["min_claims"] == 5, "json rule")

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
with open(f"{BASE}-problems.csv", encoding="utf-8", newline="") as f:
    rows = list(csv.DictReader(f))
got = {}
for r in rows:
    for k in ("unit_value", "city_value"):  # a bare number: no unit, no thousands separator
        check(r[k].lstrip("-").replace(".", "", 1).isdigit(), f"csv problems {k}: {r[k]!r} is not a bare number")
    got[(r["unit"], r["indicator"])] = (r["measure"], int(Decimal(r["unit_value"]) * SCALE[r["measure"]]),
                                        int(Decimal(r["city_value"]) * SCALE[r["measure"]]))
    check(r["measure_zh"] != "" and r["measure_en"] != "", f"csv problems: measure {r['measure']} has no labels")
check(got == problems, f"csv problems: got {sorted(got.items())} want {sorted(problems.items())}")
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

want_yoy = {}
for (u,), v in exp["yoy_volume"].items():
    if v[4] is not None:
        want_yoy[f"{u}:{YEAR - 1}"] = v[4]
    if v[5] is not None:
        want_yoy[f"{u}:{YEAR}"] = v[5]
check(p.values.get("chart-claims-year-over-year") == want_yoy,
      f"html claims year over year: {p.values.get('chart-claims-year-over-year')} want {want_yoy}")
want_freq = {u: v[2] for (u,), v in exp["claim_frequency"].items() if v[2] is not None}
check(p.values.get("chart-claim-frequency-by-unit") == want_freq,
      f"html claim frequency: {p.values.get('chart-claim-frequency-by-unit')} want {want_freq}")

if failures:
    for f in failures:
        print("MISMATCH:", f)
    sys.exit(1)
print(f"report {YEAR}{' ' + UNIT if UNIT else ''}: every figure matches the independent sums "
      f"({summary['claims']} claims, {len(problems)} problems)")
