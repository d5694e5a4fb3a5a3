#!/usr/bin/python3
"""policy_events.py — the events of the policy end-to-end test, as "key|json" lines in three files:
enrollments.txt, changes.txt and claims.txt (OUT_DIR). Identity numbers are made up with correct check characters.
Usage: policy_events.py OUT_DIR"""
import json
import sys

W = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


def idn(birth, seq):
    s = "610113%s%03d" % (birth, seq)
    return s + "10X98765432"[sum(int(c) * w for c, w in zip(s, W)) % 11]


def env(t, eid, when="2026-01-15T09:30:00+08:00"):
    return {"event_id": eid, "type": t, "schema_version": 1, "occurred_at": when, "producer": "policy-itest"}


def enrollment(hh, children, cert):
    parent = idn("19850101", 11 + int(hh[-1]) * 2)
    e = env("enrollment.submitted", "enr-" + hh)
    e.update({"household_id": hh, "plan_year": 2026, "submitted_on": "2026-01-15", "managing_unit": "610113",
              "xian_registration": True, "resident_in_xian_since": None,
              "category_evidence": {"only_child_certificate": cert, "rural_two_daughter": False},
              "applicant": {"id_number": parent, "name": "家长", "relation": "parent"},
              "consent": {"given": True, "at": "2026-01-15T09:20:00+08:00", "channel": "paper"},
              "agent": {"agent_id": "AG-1", "name": "专员"},
              "members": [{"role": "child", "id_number": c, "name": "孩子", "previously_insured": False}
                          for c in children]
              + [{"role": "parent", "id_number": parent, "name": "家长", "previously_insured": False}]})
    return hh, e


def change(t, eid, hh, on, **kw):
    e = env(t, eid, on + "T10:00:00+08:00")
    e.update({"household_id": hh, "plan_year": 2026, "effective_on": on})
    e.update(kw)
    return hh, e


def claim(cid, hh, person, incident):
    e = env("claim.submitted", "clm-" + cid, "2026-12-01T10:00:00+08:00")
    e.update({"claim_id": cid, "policy_number": "FJ2026-" + hh, "insured_id_number": person,
              "liability": "accident_medical", "cause": "accident", "incident_date": incident, "event_date": None,
              "report_date": incident,
              "bills": [{"invoice_code": "INV" + cid, "invoice_number": "1", "amount": 100000,
                         "paid_by_social_insurance": 0, "paid_by_other_insurers": 0}],
              "injuries": [], "critical_illness_code": None,
              "documents": ["claim_form", "id_document", "invoice", "medical_record"]})
    return "FJ2026-" + hh, e


def main():
    out = sys.argv[1]
    c1 = idn("20120305", 2)          # H1's only child (a girl)
    newborn = idn("20260825", 1)     # H1's second child (a boy): A is lost
    c3a, c3b = idn("20140101", 4), idn("20160101", 6)
    c4 = idn("20150101", 8)
    c2 = idn("20130101", 10)
    enr = [enrollment("H1", [c1], "CERT-1"), enrollment("H2", [c2], "CERT-2"),
           enrollment("H3", [c3a, c3b], None), enrollment("H4", [c4], None)]
    chg = [change("policy.member_added", "pm-1", "H1", "2026-09-01",
                  member={"role": "child", "id_number": newborn, "name": "新生儿"}),
           change("policy.cancelled", "pc-2", "H2", "2026-05-11"),
           change("policy.member_removed", "pr-3", "H3", "2026-09-01", id_number=c3b),
           change("policy.cancelled", "pc-4", "H4", "2026-06-30"),
           change("policy.cancelled", "pc-1", "H1", "2026-11-30"),
           change("policy.premium_paid", "pp-4", "H4", "2026-03-10", amount=16500, reference="BANK-1"),
           change("policy.cancelled", "pc-9", "H9", "2026-06-30")]
    clm = [claim("C-REMOVED-AFTER", "H3", c3b, "2026-09-02"), claim("C-REMOVED-ON", "H3", c3b, "2026-09-01"),
           claim("C-CANCEL-AFTER", "H4", c4, "2026-07-01"), claim("C-CANCEL-ON", "H4", c4, "2026-06-30"),
           claim("C-NEWBORN-BEFORE", "H1", newborn, "2026-09-01"), claim("C-NEWBORN-AFTER", "H1", newborn,
                                                                         "2026-09-05"),
           claim("C-H1-AFTER-CANCEL", "H1", c1, "2026-12-01")]
    for name, rows in (("enrollments", enr), ("changes", chg), ("claims", clm)):
        with open("%s/%s.txt" % (out, name), "w", encoding="utf-8") as f:
            for key, e in rows:
                f.write(key + "|" + json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n")


main()
