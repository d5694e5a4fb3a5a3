-- seed.sql — a small, hand-made but varied plan year 2026 (and a little of 2025, which the 2026 report must not
-- count), inserted straight into the base tables of migrations 010 and 020. Deterministic: no random().
--   units: 610113 雁塔区 (300 households), 610122 蓝田县 (200, county split 2400/1600; two households' district
--   subsidy never allocated: a gap), GXQ 高新区 (160, many declines and duplicate invoices), 610102 新城区 (60, few
--   households and large paid claims: a high loss ratio; slow settlements); one claim with no policy (UNKNOWN).
DO $seed$
DECLARE
    u record;
    i integer;
    j integer;
    hh text;
    pol text;
    cat text;
    nchild integer;
    nadult integer;
    prem bigint;
    sc bigint; sd bigint; sz bigint;
    did bigint;
    acc boolean;
    k integer;
    claim_no integer := 0;
    person record;
    liab text;
    st text;
    claimed bigint;
    paid bigint;
    rep date;
    settle integer;
    cid text;
    reasons text[];
    cdid bigint;
BEGIN
    FOR u IN SELECT * FROM (VALUES
        -- unit, households, city, district, zone, claims, decline every, pending every, settle base, paid pct, year
        ('610113', 300, 2000, 2000, 0, 24, 6, 11, 8, 80, 2026),
        ('610122', 200, 2400, 1600, 0, 12, 7, 0, 12, 70, 2026),
        ('GXQ',    160, 2000, 0, 2000, 14, 2, 9, 9, 60, 2026),
        ('610102',  60, 2000, 2000, 0, 8, 0, 0, 40, 100, 2026),
        ('610113',  20, 2000, 2000, 0, 4, 2, 0, 5, 50, 2025)
    ) AS t(code, households, city, district, zone, claims, decline_every, pending_every, settle_base, paid_pct, yr)
    LOOP
        FOR i IN 1 .. u.households LOOP
            hh := format('H%s%s%s', u.yr, u.code, lpad(i::text, 4, '0'));
            acc := (i % 10) <> 7;                      -- every tenth-ish household is rejected
            cat := CASE WHEN i % 3 = 0 THEN 'B' ELSE 'A' END;
            nchild := 1 + (i % 4 = 0)::int + (cat = 'B' AND i % 6 = 0)::int;
            nadult := i % 3;                           -- 0, 1 or 2 parents/guardians
            prem := CASE WHEN nchild = 1 THEN 16500 ELSE 17000 END;
            IF cat = 'A' THEN sc := u.city; sd := u.district; sz := u.zone; ELSE sc := 0; sd := 0; sz := 0; END IF;
            pol := format('FJ%s-%s', u.yr, hh);
            INSERT INTO famins.enrollment_decisions (source_event_id, household_id, plan_year, managing_unit,
                submitted_on, outcome, category, reasons, insured_children, insured_adults, premium, subsidy, self_paid,
                subsidy_city, subsidy_district, subsidy_zone, policy_number, coverage_start, coverage_end,
                plan_version, explanation_en, explanation_zh, source_topic, source_partition, source_offset)
            VALUES ('ev-' || hh, hh, u.yr, u.code, make_date(u.yr, 1, 15), CASE WHEN acc THEN 'accepted' ELSE 'rejected' END,
                CASE WHEN acc THEN cat END, CASE WHEN acc THEN '{}'::text[] ELSE '{NO_CONSENT}' END,
                CASE WHEN acc THEN nchild ELSE 0 END, CASE WHEN acc THEN nadult ELSE 0 END,
                CASE WHEN acc THEN prem ELSE 0 END, CASE WHEN acc THEN sc + sd + sz ELSE 0 END,
                CASE WHEN acc THEN prem - (sc + sd + sz) ELSE 0 END,
                CASE WHEN acc THEN sc ELSE 0 END, CASE WHEN acc THEN sd ELSE 0 END, CASE WHEN acc THEN sz ELSE 0 END,
                CASE WHEN acc THEN pol END, CASE WHEN acc THEN make_date(u.yr, 3, 1) END,
                CASE WHEN acc THEN make_date(u.yr + 1, 2, 28) END, u.yr || '-sample-1', 'seed', 'seed',
                'enrollment.submitted', 0, i)
            RETURNING decision_id INTO did;
            CONTINUE WHEN NOT acc;
            INSERT INTO famins.policies (policy_number, household_id, plan_year, managing_unit, category, premium,
                subsidy, self_paid, coverage_start, coverage_end, plan_version, decision_id)
            VALUES (pol, hh, u.yr, u.code, cat, prem, sc + sd + sz, prem - (sc + sd + sz), make_date(u.yr, 3, 1),
                make_date(u.yr + 1, 2, 28), u.yr || '-sample-1', did);
            FOR k IN 1 .. nchild + nadult LOOP
                INSERT INTO famins.enrollment_members (decision_id, member_index, role, person_key, masked_id, insured)
                VALUES (did, k, CASE WHEN k <= nchild THEN 'child' WHEN k = nchild + 2 THEN 'guardian' ELSE 'parent' END,
                        'pk-' || hh || '-' || k, '**************' || lpad(k::text, 4, '0'), true);
                INSERT INTO famins.insured_persons (policy_number, plan_year, person_key, member_index, role, masked_id,
                    birth_year, sex, renewal)
                VALUES (pol, u.yr, 'pk-' || hh || '-' || k, k,
                        CASE WHEN k <= nchild THEN 'child' WHEN k = nchild + 2 THEN 'guardian' ELSE 'parent' END,
                        '**************' || lpad(k::text, 4, '0'),
                        CASE WHEN k <= nchild THEN 2012 + k ELSE 1985 END,
                        CASE WHEN k % 2 = 0 THEN 'F' ELSE 'M' END, i % 2 = 0);
            END LOOP;
            -- The ledger: category A only; 610122 households 1 and 2 never got their district share (the gap).
            IF cat = 'A' THEN
                INSERT INTO famins.subsidy_ledger (source_event_id, household_id, policy_number, plan_year,
                    managing_unit, payer, amount, plan_version)
                SELECT 'dec-' || hh, hh, pol, u.yr, u.code, p.payer, p.amount, u.yr || '-sample-1'
                FROM (VALUES ('city', sc), ('district_or_county', sd), ('development_zone', sz)) AS p(payer, amount)
                WHERE p.amount > 0 AND NOT (u.code = '610122' AND i IN (1, 2) AND p.payer = 'district_or_county');
            END IF;
            -- Issue 16: the unit's first household paid its premium and added a guardian during the year.
            IF i = 1 THEN
                INSERT INTO famins.policy_changes (source_event_id, change, household_id, plan_year, policy_number,
                    managing_unit, outcome, effective_on, category_before, category_after, amount, reference,
                    explanation_en, explanation_zh, source_topic, source_partition, source_offset)
                VALUES ('pp-' || hh, 'premium_paid', hh, u.yr, pol, u.code, 'accepted', make_date(u.yr, 3, 10), cat,
                    cat, prem, 'seed', 'seed', 'seed', 'enrollment.submitted', 0, 100000)
                RETURNING change_id INTO cdid;
                INSERT INTO famins.premium_payments (source_event_id, policy_number, plan_year, managing_unit, kind,
                    amount, paid_on, reference, change_id)
                VALUES ('pp-' || hh, pol, u.yr, u.code, 'paid', prem, make_date(u.yr, 3, 10), 'seed', cdid);
                INSERT INTO famins.policy_changes (source_event_id, change, household_id, plan_year, policy_number,
                    managing_unit, outcome, effective_on, category_before, category_after, member_role,
                    member_covered_from, member_covered_to, premium_after, explanation_en, explanation_zh,
                    source_topic, source_partition, source_offset)
                VALUES ('ma-' || hh, 'member_added', hh, u.yr, pol, u.code, 'accepted', make_date(u.yr, 6, 1), cat,
                    cat, 'guardian', make_date(u.yr, 6, 2), make_date(u.yr + 1, 2, 28), prem, 'seed', 'seed',
                    'enrollment.submitted', 0, 100001);
            END IF;
        END LOOP;

        -- Claims: spread over the unit's insured persons, liabilities and months.
        FOR j IN 1 .. u.claims LOOP
            claim_no := claim_no + 1;
            SELECT ip.* INTO person FROM famins.insured_persons ip
            WHERE ip.plan_year = u.yr AND ip.policy_number LIKE format('FJ%s-H%s%s%%', u.yr, u.yr, u.code)
            ORDER BY ip.policy_number, ip.member_index
            OFFSET (j * 7) % (SELECT count(*) FROM famins.insured_persons x WHERE x.plan_year = u.yr
                              AND x.policy_number LIKE format('FJ%s-H%s%s%%', u.yr, u.yr, u.code)) LIMIT 1;
            liab := (ARRAY['accident_medical', 'illness_hospital', 'critical_illness', 'accident_medical',
                           'illness_hospital', 'death', 'accidental_disability'])[1 + j % 7];
            claimed := CASE WHEN liab IN ('accident_medical', 'illness_hospital') THEN 20000 + (j * 13577) % 400000
                            ELSE 0 END;
            IF u.code = '610102' THEN
                claimed := claimed * 6;                 -- few households, large bills: a high loss ratio
            END IF;
            reasons := '{}';
            IF person.role <> 'child' AND liab = 'accidental_disability' THEN
                st := 'declined'; reasons := '{LIABILITY_NOT_COVERED_FOR_ROLE}';
            ELSIF u.decline_every > 0 AND j % u.decline_every = 0 THEN
                st := 'declined';
                reasons := CASE WHEN u.code = 'GXQ' THEN '{DUPLICATE_INVOICE}'::text[]
                                WHEN j % 2 = 0 THEN '{BELOW_DEDUCTIBLE}'::text[] ELSE '{WAITING_PERIOD}'::text[] END;
            ELSIF u.pending_every > 0 AND j % u.pending_every = 0 THEN
                st := 'pending_review'; reasons := '{DOCUMENTS_MISSING}';
            ELSIF j % 5 = 0 THEN
                st := 'partial'; reasons := '{LIMIT_REACHED}';
            ELSE
                st := 'approved';
            END IF;
            paid := CASE st
                WHEN 'approved' THEN CASE WHEN claimed > 0 THEN claimed * u.paid_pct / 100
                                          WHEN liab = 'death' THEN 1000000 ELSE 300000 + j * 1000 END
                WHEN 'partial' THEN CASE WHEN claimed > 0 THEN claimed * u.paid_pct / 200 ELSE 150000 END
                ELSE 0 END;
            rep := make_date(u.yr, 3, 10) + ((j * 37) % 320);
            settle := u.settle_base + (j * 5) % 9;
            cid := format('C%s%s%s', u.yr, u.code, lpad(j::text, 3, '0'));
            INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit, person_key,
                masked_id, role, liability, cause, incident_date, event_date, report_date, claimed_amount, status,
                payable, decided_at)
            VALUES (cid, 'ev-' || cid, person.policy_number, u.yr, u.code, person.person_key, person.masked_id,
                person.role, liab, CASE WHEN liab IN ('accident_medical', 'accidental_disability') THEN 'accident'
                                        ELSE 'illness' END,
                rep - 5, CASE WHEN liab IN ('death', 'accidental_disability') THEN rep - 2 END, rep, claimed, st, paid,
                (rep + settle)::timestamp AT TIME ZONE 'Asia/Shanghai' + interval '23 hours 30 minutes');
            IF j % 4 = 1 AND st = 'approved' THEN
                -- Reviewed: first pending, then approved by a reviewer (two decisions; the claim holds the second).
                INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,
                    reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition,
                    source_offset)
                VALUES (cid, 'ev-' || cid, 'initial', 'pending_review', 0, paid, '{AMOUNT_ABOVE_REVIEW_THRESHOLD}',
                    '{}', u.yr || '-sample-1', 'seed', 'seed', 'claim.events', 0, claim_no);
                INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,
                    reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition,
                    source_offset)
                VALUES (cid, 'rv-' || cid, 'review', 'approved', paid, paid, '{}', '{}', u.yr || '-sample-1', 'seed',
                    'seed', 'claim.events', 0, 10000 + claim_no)
                RETURNING decision_id INTO cdid;
                INSERT INTO famins.claim_reviews (claim_id, source_event_id, reviewer, action, amount, status_before,
                    status_after, payable_after, decision_id)
                VALUES (cid, 'rv-' || cid, 'reviewer-1', 'approve', paid, 'pending_review', 'approved', paid, cdid);
            ELSE
                INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,
                    reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition,
                    source_offset)
                VALUES (cid, 'ev-' || cid, 'initial', st, paid, greatest(paid, claimed), reasons, '{}',
                    u.yr || '-sample-1', 'seed', 'seed', 'claim.events', 0, claim_no);
            END IF;
            IF u.code = 'GXQ' AND 'DUPLICATE_INVOICE' = ANY (reasons) THEN
                INSERT INTO famins.fraud_signals (code, claim_id, policy_number, plan_year, managing_unit, detail,
                    source_event_id)
                VALUES ('DUPLICATE_INVOICE', cid, person.policy_number, u.yr, u.code, 'invoice claimed before',
                    'ev-' || cid);
            END IF;
            IF j % 9 = 4 THEN
                INSERT INTO famins.fraud_signals (code, claim_id, policy_number, plan_year, managing_unit, detail,
                    source_event_id)
                VALUES ('EARLY_CLAIM', cid, person.policy_number, u.yr, u.code, 'soon after enrollment',
                    'ev-' || cid);
            END IF;
        END LOOP;
    END LOOP;

    -- claim-life (migration 069): in every unit and year, appeals of the first three declined or partial claims
    -- (the first upheld, the second overturned, the third awaiting review) and one refused appeal (of an approved
    -- claim). The answers' decisions restate the claim's current one: seed data, the claims' figures unchanged.
    INSERT INTO famins.claim_appeals (claim_id, source_event_id, reason, original_decision_id, status_at_appeal,
        payable_at_appeal, refused_reason)
    SELECT claim_id, 'apl-' || claim_id, 'seed', decision_id, status, payable,
           CASE WHEN status = 'approved' THEN 'APPEAL_NOT_ADVERSE' END
    FROM (SELECT c.claim_id, c.status, c.payable, d.decision_id,
                 row_number() OVER (PARTITION BY c.plan_year, c.managing_unit, c.status = 'approved'
                                    ORDER BY c.claim_id) AS n
          FROM famins.claims c
          CROSS JOIN LATERAL (SELECT x.decision_id FROM famins.claim_decisions x WHERE x.claim_id = c.claim_id
                              ORDER BY x.decision_id DESC LIMIT 1) d
          WHERE c.status IN ('approved', 'declined', 'partial')) s
    WHERE (status <> 'approved' AND n <= 3) OR (status = 'approved' AND n = 1);
    WITH a AS (SELECT ap.appeal_id, ap.claim_id, c.status, c.payable,
                      row_number() OVER (PARTITION BY c.plan_year, c.managing_unit ORDER BY c.claim_id) AS n
               FROM famins.claim_appeals ap JOIN famins.claims c USING (claim_id) WHERE ap.refused_reason IS NULL),
         d AS (INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount,
                   reasons, parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition,
                   source_offset)
               SELECT a.claim_id, 'apr-' || a.claim_id, 'appeal', a.status, a.payable, x.full_amount, x.reasons, '{}',
                      x.plan_version, 'seed', 'seed', 'claim.events', 0, 20000 + a.appeal_id
               FROM a CROSS JOIN LATERAL (SELECT y.* FROM famins.claim_decisions y WHERE y.claim_id = a.claim_id
                                          ORDER BY y.decision_id DESC LIMIT 1) x
               WHERE a.n <= 2
               RETURNING decision_id, claim_id)
    INSERT INTO famins.claim_appeal_reviews (claim_id, source_event_id, appeal_id, reviewer, action, amount,
        status_before, status_after, payable_before, payable_after, decision_id)
    SELECT a.claim_id, 'apr-' || a.claim_id, a.appeal_id, 'reviewer-2', CASE a.n WHEN 1 THEN 'uphold' ELSE 'overturn' END,
           CASE a.n WHEN 2 THEN a.payable END, a.status, a.status, a.payable, a.payable, d.decision_id
    FROM a JOIN d USING (claim_id);

    -- Documents sent after a decision (kept, ignored), one per unit and year.
    INSERT INTO famins.claim_documents_received (claim_id, source_event_id, documents, status_before, result,
        ignored_reason)
    SELECT DISTINCT ON (plan_year, managing_unit) claim_id, 'doc-' || claim_id, '{medical_record}', status, 'ignored',
           'DOCUMENTS_NOT_PENDING'
    FROM famins.claims WHERE status = 'approved' ORDER BY plan_year, managing_unit, claim_id;

    -- Five more claims naming no policy (all declined): UNKNOWN must not appear among the problems found.
    FOR j IN 2 .. 6 LOOP
        INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit, person_key,
            masked_id, role, liability, cause, incident_date, report_date, claimed_amount, status, payable, decided_at)
        VALUES ('C2026NOPOL' || j, 'ev-C2026NOPOL' || j, 'FJ2026-H99999999999' || j, NULL, NULL, 'pk-nobody' || j,
            '**************0009', NULL, 'illness_hospital', 'illness', '2026-07-01', '2026-07-02', 30000, 'declined', 0,
            '2026-07-03 10:00:00+08');
        INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount, reasons,
            parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition, source_offset)
        VALUES ('C2026NOPOL' || j, 'ev-C2026NOPOL' || j, 'initial', 'declined', 0, 0, '{POLICY_NOT_FOUND}', '{}', '',
            'seed', 'seed', 'claim.events', 1, j);
    END LOOP;
    -- A claim naming no policy: no year or unit in famins.claims (the views take 2026 from the policy number).
    INSERT INTO famins.claims (claim_id, source_event_id, policy_number, plan_year, managing_unit, person_key,
        masked_id, role, liability, cause, incident_date, report_date, claimed_amount, status, payable, decided_at)
    VALUES ('C2026NOPOL1', 'ev-C2026NOPOL1', 'FJ2026-H999999999999', NULL, NULL, 'pk-nobody', '**************0009',
        NULL, 'accident_medical', 'accident', '2026-06-01', '2026-06-03', 50000, 'declined', 0,
        '2026-06-04 10:00:00+08');
    INSERT INTO famins.claim_decisions (claim_id, source_event_id, kind, outcome, payable, full_amount, reasons,
        parameters, plan_version, explanation_en, explanation_zh, source_topic, source_partition, source_offset)
    VALUES ('C2026NOPOL1', 'ev-C2026NOPOL1', 'initial', 'declined', 0, 0, '{POLICY_NOT_FOUND}', '{}', '', 'seed',
        'seed', 'claim.events', 1, 1);
    INSERT INTO famins.fraud_signals (code, claim_id, policy_number, plan_year, managing_unit, detail, source_event_id)
    VALUES ('PERSON_NOT_INSURED', 'C2026NOPOL1', 'FJ2026-H999999999999', NULL, NULL, 'no such policy',
        'ev-C2026NOPOL1');
    -- An enrollment signal (a child listed by two households), in 610113.
    INSERT INTO famins.fraud_signals (code, household_id, plan_year, managing_unit, detail, source_event_id)
    VALUES ('ALREADY_INSURED_ELSEWHERE', 'H20266101130099', 2026, '610113', 'member 1 insured in another household',
        'ev-H2026610113099');
    -- Receipts (migration 068): each claim received on its report date at 09:00 in Asia/Shanghai, so that its
    -- settlement (receipt to the decision written at decided_at) is the seeded number of days.
    UPDATE famins.claims SET receipt_at = (report_date + time '09:00') AT TIME ZONE 'Asia/Shanghai';
END
$seed$;

-- claim-pay (issue 15): every payable claim paid three days after its decision (days to payment from its
-- report date), and a refused withdrawal of each: the payment and withdrawal views hold every unit; no claim's
-- status changes, so the claims figures stay as above.
INSERT INTO famins.payment_instructions (instruction_id, claim_id, policy_number, recipient_index, payee_version,
    amount, bank_code, account_masked, account_ref, source_event_id, status, paid_date, bank_reference,
    claim_received_at)
SELECT 'pay-seed-' || claim_id, claim_id, policy_number, 0, 0, payable, 'ICBC', '***************0001',
    'k1:' || repeat('0', 64), 'ev-' || claim_id, 'paid', (decided_at AT TIME ZONE 'Asia/Shanghai')::date + 3,
    'BR-SEED', report_date::timestamp AT TIME ZONE 'Asia/Shanghai'
FROM famins.claims WHERE status IN ('approved', 'partial') AND payable > 0;
INSERT INTO famins.claim_withdrawals (source_event_id, claim_id, policy_number, status_before, accepted, ignored_reason)
SELECT 'wd-seed-' || claim_id, claim_id, policy_number, status, false, 'WITHDRAWAL_AFTER_PAYMENT'
FROM famins.claims WHERE status IN ('approved', 'partial') AND payable > 0;
