#!/usr/bin/env bash
# enr_common.sh — helpers of the enrollment services' integration and crash tests (source after itest_init):
# start and stop famins-eligibility, famins-subsidy and famins-relay, produce waves, wait for lag 0, and
# compare what the database holds with famins-wavegen's labels.
ENR_ELIG_BIN="$FAMINS_BUILD_DIR/services/eligibility/famins-eligibility"
ENR_SUBS_BIN="$FAMINS_BUILD_DIR/services/subsidy/famins-subsidy"
ENR_RELAY_BIN="$FAMINS_BUILD_DIR/services/relay/famins-relay"
ENR_WAVEGEN_BIN="$FAMINS_BUILD_DIR/services/wavegen/famins-wavegen"
ENR_IN="${FAMINS_TOPIC_PREFIX}enrollment.submitted"
ENR_DECIDED="${FAMINS_TOPIC_PREFIX}enrollment.decided"
ENR_ALLOCATED="${FAMINS_TOPIC_PREFIX}subsidy.allocated"
ENR_ELIG_GROUP="${FAMINS_TOPIC_PREFIX}famins-eligibility"
ENR_SUBS_GROUP="${FAMINS_TOPIC_PREFIX}famins-subsidy"
ENR_PARTITIONS="${FAMINS_TOPIC_PARTITIONS:-6}"
ENR_LOGS="${ENR_LOGS:-$(mktemp -d "/tmp/itest-${ITEST_NAME}.XXXXXX")}"
ENR_PIDS=()

enr_fail() {
    echo "FAIL: $*" >&2
    echo "logs in $ENR_LOGS" >&2
    exit 1
}

enr_ok() { echo "ok: $*"; }

# Kills what the test started (by pid, never by name) and drops the database.
enr_cleanup() {
    local pid
    for pid in "${ENR_PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
    itest_done
}
trap enr_cleanup EXIT

# Worker settings of the tests: a short session timeout and static membership, so that a restarted worker
# takes its partitions straight back; small batch waits so that tests do not idle.
enr_worker_env=(FAMINS_SESSION_TIMEOUT_MS=6000 FAMINS_BATCH_MAX_MS=50 FAMINS_STATS_INTERVAL_S=5
    FAMINS_PERSON_KEY_SECRET=famins-itest-secret)

# enr_start_elig NAME [VAR=value ...]: famins-eligibility as famins_eligibility, application_name NAME; sets
# ENR_LAST_PID.
enr_start_elig() {
    local name="$1"
    shift
    env "${enr_worker_env[@]}" FAMINS_ELIGIBILITY_PG_DSN="$(itest_dsn_as famins_eligibility) application_name=$name" \
        FAMINS_GROUP_INSTANCE_ID="$name" "$@" "$ENR_ELIG_BIN" >>"$ENR_LOGS/$name.log" 2>&1 &
    ENR_LAST_PID=$!
    ENR_PIDS+=("$ENR_LAST_PID")
}

enr_start_subs() {
    local name="$1"
    shift
    env "${enr_worker_env[@]}" FAMINS_SUBSIDY_PG_DSN="$(itest_dsn_as famins_subsidy) application_name=$name" \
        FAMINS_GROUP_INSTANCE_ID="$name" "$@" "$ENR_SUBS_BIN" >>"$ENR_LOGS/$name.log" 2>&1 &
    ENR_LAST_PID=$!
    ENR_PIDS+=("$ENR_LAST_PID")
}

enr_start_relay() {
    local name="$1"
    shift
    env FAMINS_PG_DSN="$(itest_dsn_as famins_relay) application_name=$name" FAMINS_RELAY_STANDBY_MS=200 \
        FAMINS_RELAY_IDLE_MS=100 "$@" "$ENR_RELAY_BIN" >>"$ENR_LOGS/$name.log" 2>&1 &
    ENR_LAST_PID=$!
    ENR_PIDS+=("$ENR_LAST_PID")
}

# enr_stop PID: SIGTERM and wait; fails unless it exits 0.
enr_stop() {
    local pid="$1" rc=0
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" || rc=$?
    [ "$rc" = 0 ] || enr_fail "process $pid exited $rc after SIGTERM (want 0)"
}

# enr_wave N SEED LABELS [wavegen options...]: produces an enrollment wave to Kafka and writes its labels.
enr_wave() {
    local n="$1" seed="$2" labels="$3"
    shift 3
    "$ENR_WAVEGEN_BIN" enroll --households "$n" --seed "$seed" --labels "$labels" --quiet \
        -b "$FAMINS_KAFKA_BOOTSTRAP" "$@" >>"$ENR_LOGS/wavegen.log" 2>&1 || enr_fail "famins-wavegen failed"
}

# enr_produce KEY FILE: the whole file as one message on the input topic.
enr_produce() {
    kcat -P -b "$FAMINS_KAFKA_BOOTSTRAP" -t "$ENR_IN" -k "$1" -X partitioner=murmur2_random "$2"
}

# enr_lag GROUP TOPIC: the sum over partitions of (high watermark - stored position).
enr_lag() {
    local group="$1" topic="$2" args=() p hw pos
    for ((p = 0; p < ENR_PARTITIONS; p++)); do args+=(-t "$topic:$p:-1"); done
    # Every partition must answer: a failed query is "not drained", never a lag of 0.
    hw=$(kcat -Q -b "$FAMINS_KAFKA_BOOTSTRAP" "${args[@]}" 2>/dev/null |
        awk -v n="$ENR_PARTITIONS" '/offset/ { s += $NF; k++ } END { print (k == n ? s : -1) }')
    [ "$hw" -ge 0 ] || { echo unknown; return; }
    pos=$(itest_psql -c "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions
        WHERE consumer_group = '$group' AND topic = '$topic'")
    echo $((hw - pos))
}

# enr_consumed GROUP: messages the group has committed (offsets start at 0 on fresh topics).
enr_consumed() {
    itest_psql -c "SELECT coalesce(sum(next_offset), 0) FROM famins.consumer_positions WHERE consumer_group = '$1'"
}

# enr_unsent: outbox rows the relay has not published yet.
enr_unsent() {
    itest_psql -c "SELECT count(*) FROM famins.outbox WHERE sent_at IS NULL"
}

# enr_drain SECONDS: waits until eligibility, relay and subsidy have nothing left (twice in a row, since the
# relay may publish between the checks); fails after SECONDS.
enr_drain() {
    local seconds="$1" deadline=$(($(date +%s) + $1)) quiet=0 a b c
    while [ "$(date +%s)" -lt "$deadline" ]; do
        a=$(enr_lag "$ENR_ELIG_GROUP" "$ENR_IN")
        b=$(enr_unsent)
        c=$(enr_lag "$ENR_SUBS_GROUP" "$ENR_DECIDED")
        if [ "$a" = 0 ] && [ "$b" = 0 ] && [ "$c" = 0 ]; then
            quiet=$((quiet + 1))
            [ "$quiet" -ge 2 ] && return 0
        else
            quiet=0
        fi
        sleep 0.5
    done
    enr_fail "not drained after ${seconds}s: eligibility lag $a, unsent outbox $b, subsidy lag $c"
}

# enr_load_labels FILE: the labels as jsonb rows of famins_test.labels (one JSON object a line, read raw).
enr_load_labels() {
    itest_psql -c "CREATE SCHEMA IF NOT EXISTS famins_test; DROP TABLE IF EXISTS famins_test.labels;
        CREATE TABLE famins_test.labels (n bigserial, doc jsonb NOT NULL)" >/dev/null
    itest_psql -c "\\copy famins_test.labels (doc) FROM '$1' WITH (FORMAT csv, QUOTE e'\\x01', DELIMITER e'\\x02')"
}

# The mismatches between the decisions and the labels, one line each (empty: the database equals the labels):
# every valid event decided once as labelled (outcome, category, household/applicant reasons, notes, premium,
# subsidy, self-paid, policy number, coverage, each member's status and reasons), no decision without a label,
# and exactly one dead letter per unreadable message, with its labelled code (matched by the event id in the raw
# message, which the admin role may read).
enr_label_mismatches_sql="
WITH l AS (SELECT doc->>'event_id' AS eid, doc->'expected' AS x FROM famins_test.labels WHERE doc->>'kind' = 'valid'),
sorted AS (SELECT eid, x,
    (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM jsonb_array_elements_text(x->'reasons') r) AS reasons,
    (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM jsonb_array_elements_text(x->'applicant_reasons') r) AS ar,
    (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM jsonb_array_elements_text(x->'notes') r) AS notes
    FROM l),
bad_decisions AS (
  SELECT 'decision ' || s.eid || ': ' || CASE WHEN d.decision_id IS NULL THEN 'missing' ELSE
      concat_ws(' ', d.outcome, d.category, d.reasons::text, d.applicant_reasons::text, d.notes::text, d.premium,
                d.subsidy, d.self_paid, d.policy_number, d.coverage_start, d.coverage_end) END
      || ' / label ' || (s.x - 'members')::text AS line
  FROM sorted s LEFT JOIN famins.enrollment_decisions d ON d.source_event_id = s.eid
  WHERE d.decision_id IS NULL OR d.outcome <> s.x->>'outcome'
     OR coalesce(d.category, '') <> coalesce(s.x->>'category', '')
     OR (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM unnest(d.reasons) r) <> s.reasons
     OR (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM unnest(d.applicant_reasons) r) <> s.ar
     OR (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM unnest(d.notes) r) <> s.notes
     OR d.premium <> (s.x->>'premium')::bigint OR d.subsidy <> (s.x->>'subsidy')::bigint
     OR d.self_paid <> (s.x->>'self_paid')::bigint
     OR coalesce(d.policy_number, '') <> coalesce(s.x->>'policy_number', '')
     OR coalesce(d.coverage_start::text, '') <> coalesce(s.x->>'coverage_start', '')
     OR coalesce(d.coverage_end::text, '') <> coalesce(s.x->>'coverage_end', '')
     OR d.insured_children <> (s.x->>'insured_children')::int),
bad_members AS (
  SELECT 'member ' || l.eid || '[' || (m.value->>'index') || ']: ' || coalesce(em.insured::text || ' ' ||
      em.reasons::text || ' ' || em.role, 'missing') || ' / label ' || m.value::text AS line
  FROM l CROSS JOIN LATERAL jsonb_array_elements(l.x->'members') m
  LEFT JOIN famins.enrollment_decisions d ON d.source_event_id = l.eid
  LEFT JOIN famins.enrollment_members em ON em.decision_id = d.decision_id
       AND em.member_index = (m.value->>'index')::int
  WHERE em.decision_id IS NULL OR em.insured <> (m.value->>'status' = 'insured') OR em.role <> m.value->>'role'
     OR (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM unnest(em.reasons) r)
        <> (SELECT coalesce(array_agg(r ORDER BY r), '{}') FROM jsonb_array_elements_text(m.value->'reasons') r)),
extra AS (
  SELECT 'decision without a valid label: ' || d.source_event_id AS line FROM famins.enrollment_decisions d
  WHERE NOT EXISTS (SELECT 1 FROM l WHERE l.eid = d.source_event_id)),
members_count AS (
  SELECT 'member rows ' || count(*) || ' / labelled ' ||
      (SELECT count(*) FROM l CROSS JOIN LATERAL jsonb_array_elements(l.x->'members')) AS line
  FROM famins.enrollment_members em
  HAVING count(*) <> (SELECT count(*) FROM l CROSS JOIN LATERAL jsonb_array_elements(l.x->'members'))),
dl_want AS (SELECT doc->>'event_id' AS eid, doc->'expected'->>'dead_letter' AS code, count(*) AS n
            FROM famins_test.labels WHERE doc->'expected'->>'outcome' = 'dead_letter' GROUP BY 1, 2),
dl_raw AS (SELECT substring(encode(raw_message, 'escape') FROM '\"event_id\":\"([A-Za-z0-9._:-]+)\"') AS eid,
                  error_code AS code,
                  -- the message ends inside a multi-byte UTF-8 character
                  (octet_length(raw_message) >= 1 AND get_byte(raw_message, octet_length(raw_message) - 1) >= 192)
                  OR (octet_length(raw_message) >= 2 AND get_byte(raw_message, octet_length(raw_message) - 1) BETWEEN 128 AND 191
                      AND get_byte(raw_message, octet_length(raw_message) - 2) >= 224)
                  OR (octet_length(raw_message) >= 3 AND get_byte(raw_message, octet_length(raw_message) - 1) BETWEEN 128 AND 191
                      AND get_byte(raw_message, octet_length(raw_message) - 2) BETWEEN 128 AND 191
                      AND get_byte(raw_message, octet_length(raw_message) - 3) >= 240) AS cut_in_char
           FROM famins.dead_letters WHERE consumer_group = '$ENR_ELIG_GROUP'),
-- A message famins-wavegen cut short (labelled INVALID_JSON) whose cut splits a character is also invalid UTF-8,
-- which the decoder meets first: the one accepted difference, and only for such a message.
dl_have AS (SELECT r.eid, CASE WHEN r.code = 'INVALID_UTF8' AND r.cut_in_char AND EXISTS (SELECT 1 FROM dl_want w
                WHERE w.eid = r.eid AND w.code = 'INVALID_JSON') THEN 'INVALID_JSON' ELSE r.code END AS code,
                count(*) AS n FROM dl_raw r GROUP BY 1, 2),
bad_dead AS (
  SELECT 'dead letter ' || coalesce(w.eid, h.eid, '(no event id)') || ' ' || coalesce(w.code, h.code) || ': ' ||
      coalesce(h.n, 0) || ' / labelled ' || coalesce(w.n, 0) AS line
  FROM dl_want w FULL JOIN dl_have h ON h.eid IS NOT DISTINCT FROM w.eid AND h.code = w.code
  WHERE coalesce(w.n, 0) <> coalesce(h.n, 0))
SELECT line FROM (SELECT line FROM bad_decisions UNION ALL SELECT line FROM bad_members
  UNION ALL SELECT line FROM extra UNION ALL SELECT line FROM members_count UNION ALL SELECT line FROM bad_dead) t"

# enr_check_labels WHAT: fails with the first mismatches when the database does not equal the labels.
enr_check_labels() {
    local n
    n=$(itest_psql -c "SELECT count(*) FROM ($enr_label_mismatches_sql) q")
    if [ "$n" != 0 ]; then
        itest_psql -c "$enr_label_mismatches_sql LIMIT 15" >&2
        enr_fail "$1: $n mismatches between the decisions and famins-wavegen's labels"
    fi
    enr_ok "$1: every decision and dead letter equals famins-wavegen's labels ($(itest_psql -c \
        "SELECT count(*) FROM famins_test.labels") labelled events)"
}

# The ledger reconciles: per managing unit, 4000 fen x the accepted category-A households, each household's
# payers adding up to 4000, and the payer split equal to its decision's.
enr_ledger_mismatches_sql="
WITH a AS (SELECT managing_unit, count(*) * 4000 AS want FROM famins.enrollment_decisions
           WHERE outcome = 'accepted' AND category = 'A' GROUP BY 1),
l AS (SELECT managing_unit, sum(amount) AS have FROM famins.subsidy_ledger GROUP BY 1),
per_unit AS (SELECT 'unit ' || coalesce(a.managing_unit, l.managing_unit) || ': ledger ' || coalesce(l.have, 0) ||
                    ' / 4000 x accepted A = ' || coalesce(a.want, 0) AS line
             FROM a FULL JOIN l USING (managing_unit) WHERE coalesce(a.want, 0) <> coalesce(l.have, 0)),
per_household AS (
  SELECT 'household ' || d.household_id || ': ledger city/district/zone ' ||
         coalesce(sum(s.amount) FILTER (WHERE s.payer = 'city'), 0) || '/' ||
         coalesce(sum(s.amount) FILTER (WHERE s.payer = 'district_or_county'), 0) || '/' ||
         coalesce(sum(s.amount) FILTER (WHERE s.payer = 'development_zone'), 0) || ' / decision ' ||
         d.subsidy_city || '/' || d.subsidy_district || '/' || d.subsidy_zone AS line
  FROM famins.enrollment_decisions d
  LEFT JOIN famins.subsidy_ledger s ON s.policy_number = d.policy_number
  WHERE d.outcome = 'accepted' AND d.category = 'A'
  GROUP BY d.household_id, d.subsidy_city, d.subsidy_district, d.subsidy_zone
  HAVING coalesce(sum(s.amount) FILTER (WHERE s.payer = 'city'), 0) <> d.subsidy_city
      OR coalesce(sum(s.amount) FILTER (WHERE s.payer = 'district_or_county'), 0) <> d.subsidy_district
      OR coalesce(sum(s.amount) FILTER (WHERE s.payer = 'development_zone'), 0) <> d.subsidy_zone),
stray AS (SELECT 'ledger row without an accepted A decision: ' || s.policy_number AS line FROM famins.subsidy_ledger s
          WHERE NOT EXISTS (SELECT 1 FROM famins.enrollment_decisions d WHERE d.policy_number = s.policy_number
                            AND d.outcome = 'accepted' AND d.category = 'A'))
SELECT line FROM (SELECT line FROM per_unit UNION ALL SELECT line FROM per_household UNION ALL
                  SELECT line FROM stray) t"

enr_check_ledger() {
    local n
    n=$(itest_psql -c "SELECT count(*) FROM ($enr_ledger_mismatches_sql) q")
    if [ "$n" != 0 ]; then
        itest_psql -c "$enr_ledger_mismatches_sql LIMIT 15" >&2
        enr_fail "$1: the subsidy ledger does not reconcile ($n mismatches)"
    fi
    enr_ok "$1: the ledger reconciles: $(itest_psql -c "SELECT count(DISTINCT policy_number) || ' households, ' ||
        coalesce(sum(amount), 0) || ' fen' FROM famins.subsidy_ledger") = 4000 fen x accepted A households per unit"
}

# A checksum of what eligibility decided, independent of timing: the decision rows by source event id without
# ids, timestamps, Kafka topics and offsets, with their members, policies and insured persons.
enr_checksum_sql="
SELECT md5(string_agg(line, E'\n' ORDER BY k, line)) FROM (
  SELECT d.source_event_id AS k, concat_ws('|', 'D', d.source_event_id, d.household_id, d.plan_year, d.managing_unit,
      d.submitted_on, d.agent_id, d.consent_channel, d.outcome, d.category, d.reasons, d.notes, d.applicant_reasons,
      d.insured_children, d.insured_adults, d.premium, d.subsidy, d.self_paid, d.subsidy_city, d.subsidy_district,
      d.subsidy_zone, d.policy_number, d.coverage_start, d.coverage_end, d.plan_version, d.explanation_en,
      d.explanation_zh) AS line
  FROM famins.enrollment_decisions d
  UNION ALL
  SELECT d.source_event_id, concat_ws('|', 'M', m.member_index, m.role, m.person_key, m.masked_id, m.insured,
      m.renewal, m.reasons)
  FROM famins.enrollment_members m JOIN famins.enrollment_decisions d USING (decision_id)
  UNION ALL
  SELECT d.source_event_id, concat_ws('|', 'P', p.policy_number, p.household_id, p.plan_year, p.managing_unit,
      p.category, p.premium, p.subsidy, p.self_paid, p.coverage_start, p.coverage_end, p.plan_version)
  FROM famins.policies p JOIN famins.enrollment_decisions d USING (decision_id)
  UNION ALL
  SELECT p.policy_number, concat_ws('|', 'I', i.policy_number, i.plan_year, i.person_key, i.member_index, i.role,
      i.masked_id, i.birth_year, i.sex, i.renewal)
  FROM famins.insured_persons i JOIN famins.policies p USING (policy_number)
  UNION ALL
  SELECT source_event_id, concat_ws('|', 'S', source_event_id, household_id, policy_number, plan_year, managing_unit,
      payer, amount, plan_version)
  FROM famins.subsidy_ledger
  UNION ALL
  SELECT coalesce(error_code, ''), concat_ws('|', 'L', consumer_group = '$ENR_ELIG_GROUP', error_code)
  FROM famins.dead_letters) t"

# enr_checksum: prints the checksum (the same for two databases that hold the same decisions, whatever the
# topic prefix, timing, replays or partition assignment).
enr_checksum() {
    itest_psql -c "$enr_checksum_sql" | tr -d '\n'
}
