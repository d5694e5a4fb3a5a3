/* test_wavegen_kafka.c — a wave of 10,000 households lands in a real topic: every message there, in
 * order, keyed by household id, on partition murmur2(key) % 6, readable except exactly the injected
 * unreadable ones; and a run that cannot deliver everything says so and exits non-zero.
 * Needs the local stack (deploy/local/stack.sh up); creates and deletes its own topics. */
#include "fm_test.h"

#include <jansson.h>
#include <librdkafka/rdkafka.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PARTITIONS 6
#define HOUSEHOLDS 10000

static const char *bootstrap(void)
{
    const char *b = getenv("FAMINS_KAFKA_BOOTSTRAP");
    return b && b[0] ? b : "127.0.0.1:19092";
}

/* Kafka's murmur2 (the Java client's default partitioner), positive as Utils.toPositive makes it. */
static uint32_t kafka_murmur2(const unsigned char *data, size_t len)
{
    const uint32_t seed = 0x9747b28c, m = 0x5bd1e995;
    const int r = 24;
    uint32_t h = seed ^ (uint32_t)len;
    size_t i = 0;
    for (; i + 4 <= len; i += 4) {
        uint32_t k = (uint32_t)data[i] | (uint32_t)data[i + 1] << 8 | (uint32_t)data[i + 2] << 16 |
                     (uint32_t)data[i + 3] << 24;
        k *= m;
        k ^= k >> r;
        k *= m;
        h *= m;
        h ^= k;
    }
    switch (len - i) {
    case 3: h ^= (uint32_t)data[i + 2] << 16; /* fall through */
    case 2: h ^= (uint32_t)data[i + 1] << 8;  /* fall through */
    case 1: h ^= (uint32_t)data[i]; h *= m;
    }
    h ^= h >> 13;
    h *= m;
    h ^= h >> 15;
    return h & 0x7fffffff;
}

static rd_kafka_t *admin_client(void)
{
    char errstr[256];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    assert_int_equal(rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), errstr, sizeof errstr),
                     RD_KAFKA_CONF_OK);
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    assert_non_null(rk);
    return rk;
}

/* Creates topic with PARTITIONS partitions (and one topic config when key is not NULL). */
static void create_topic(rd_kafka_t *rk, const char *topic, const char *key, const char *value)
{
    char errstr[256];
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, PARTITIONS, 1, errstr, sizeof errstr);
    assert_non_null(nt);
    if (key != NULL)
        assert_int_equal(rd_kafka_NewTopic_set_config(nt, key, value), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    assert_non_null(ev);
    size_t n = 0;
    const rd_kafka_topic_result_t **res =
        rd_kafka_CreateTopics_result_topics(rd_kafka_event_CreateTopics_result(ev), &n);
    assert_int_equal(n, 1);
    if (rd_kafka_topic_result_error(res[0]) != RD_KAFKA_RESP_ERR_NO_ERROR)
        fail_msg("create %s: %s", topic, rd_kafka_topic_result_error_string(res[0]));
    rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_NewTopic_destroy(nt);
}

static void delete_topic(rd_kafka_t *rk, const char *topic)
{
    rd_kafka_DeleteTopic_t *dt = rd_kafka_DeleteTopic_new(topic);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, &dt, 1, NULL, q);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_DeleteTopic_destroy(dt);
}

typedef struct expected {
    char event_id[80];
    char key[64];
    bool unreadable;
} expected;

static void a_wave_of_10000_households_lands_in_the_topic_readable_and_keyed(void **state)
{
    (void)state;
    char prefix[64], topic[128], labels[256];
    snprintf(prefix, sizeof prefix, "test-wavegen-%d-", (int)getpid());
    snprintf(topic, sizeof topic, "%senrollment.submitted", prefix);
    snprintf(labels, sizeof labels, "/tmp/wg-int-%d-labels.jsonl", (int)getpid());
    rd_kafka_t *admin = admin_client();
    create_topic(admin, topic, NULL, NULL);

    char cmd[2048];
    snprintf(cmd, sizeof cmd,
             "FAMINS_TOPIC_PREFIX='%s' '%s' enroll --households %d --seed 77 --labels '%s' -b '%s' "
             "--plan-dir '%s' "
             "--quiet --unreadable-share 0.02",
             prefix, WAVEGEN_BIN, HOUSEHOLDS, labels, bootstrap(), WAVEGEN_PLANS);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);

    /* The labels say, per partition and in order, what must be there. */
    FILE *lf = fopen(labels, "r");
    assert_non_null(lf);
    expected *want[PARTITIONS];
    size_t n_want[PARTITIONS] = {0}, total = 0, unreadable = 0;
    for (int p = 0; p < PARTITIONS; p++)
        want[p] = calloc(HOUSEHOLDS * 2, sizeof *want[p]);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, lf) > 0) {
        json_t *l = json_loads(line, 0, NULL);
        assert_non_null(l);
        const char *key = json_string_value(json_object_get(l, "key"));
        int p = (int)(kafka_murmur2((const unsigned char *)key, strlen(key)) % PARTITIONS);
        expected *e = &want[p][n_want[p]++];
        snprintf(e->event_id, sizeof e->event_id, "%s", json_string_value(json_object_get(l, "event_id")));
        snprintf(e->key, sizeof e->key, "%s", key);
        e->unreadable = strcmp(json_string_value(json_object_get(l, "kind")), "unreadable") == 0;
        unreadable += e->unreadable;
        total++;
        json_decref(l);
    }
    free(line);
    fclose(lf);
    unlink(labels);
    assert_true(total >= HOUSEHOLDS);
    assert_true(unreadable > 50);

    /* Read everything back from the beginning of each partition. */
    char errstr[256], group[128];
    snprintf(group, sizeof group, "%scheck", prefix);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "fetch.message.max.bytes", "2000000", errstr, sizeof errstr);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    assert_non_null(consumer);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(consumer, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);

    size_t got[PARTITIONS] = {0}, n_got = 0, mismatches = 0;
    int idle = 0;
    while (n_got < total && idle < 30) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 1000);
        if (m == NULL) {
            idle++;
            continue;
        }
        idle = 0;
        if (m->err) {
            if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF)
                fail_msg("consume: %s", rd_kafka_message_errstr(m));
            rd_kafka_message_destroy(m);
            continue;
        }
        int p = m->partition;
        assert_true(p >= 0 && p < PARTITIONS);
        if (got[p] >= n_want[p]) {
            print_error("partition %d: more messages than the labels put there\n", p);
            mismatches++;
        } else {
            const expected *e = &want[p][got[p]];
            if (m->key_len != strlen(e->key) || memcmp(m->key, e->key, m->key_len) != 0) {
                print_error("partition %d offset %lld: key differs from the label's\n", p,
                            (long long)m->offset);
                mismatches++;
            }
            json_t *o = json_loadb(m->payload, m->len, JSON_REJECT_DUPLICATES, NULL);
            bool readable = o != NULL && m->len <= 262144 &&
                            json_integer_value(json_object_get(o, "schema_version")) == 1 &&
                            json_is_string(json_object_get(o, "submitted_on"));
            if (!e->unreadable) {
                const char *eid = o ? json_string_value(json_object_get(o, "event_id")) : NULL;
                const char *hh = o ? json_string_value(json_object_get(o, "household_id")) : NULL;
                if (!readable || eid == NULL || strcmp(eid, e->event_id) != 0 || hh == NULL ||
                    m->key_len != strlen(hh) || memcmp(m->key, hh, m->key_len) != 0) {
                    print_error(
                        "partition %d offset %lld: not the readable event %s keyed by its household\n", p,
                        (long long)m->offset, e->event_id);
                    mismatches++;
                }
            } else if (readable && json_object_get(o, "remark") == NULL &&
                       json_is_integer(json_object_get(o, "plan_year"))) {
                /* the schema-violating ones may parse; the others must not read as a clean event */
                json_t *ms = json_object_get(o, "members");
                const char *role = json_string_value(json_object_get(json_array_get(ms, 0), "role"));
                if (role == NULL || strcmp(role, "cousin") != 0) {
                    print_error("partition %d offset %lld: labelled unreadable but reads fine\n", p,
                                (long long)m->offset);
                    mismatches++;
                }
            }
            json_decref(o);
        }
        got[p]++;
        n_got++;
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    for (int p = 0; p < PARTITIONS; p++) {
        if (got[p] != n_want[p])
            print_error("partition %d: %zu messages, labels say %zu\n", p, got[p], n_want[p]);
        assert_int_equal(got[p], n_want[p]);
        assert_true(n_want[p] > 0);
        free(want[p]);
    }
    assert_int_equal(n_got, total);
    assert_int_equal(mismatches, 0);
    delete_topic(admin, topic);
    rd_kafka_destroy(admin);
}

/* The claims of a wave land in claim.events keyed by policy number: one policy's claims and reviews on
 * one partition (murmur2), in the order they were built, each naming its policy (but the unreadable). */
static void the_claims_of_a_wave_land_keyed_by_policy_number_in_order(void **state)
{
    (void)state;
    char prefix[64], topic[128], labels[256];
    snprintf(prefix, sizeof prefix, "test-wavegen-%d-claims-", (int)getpid());
    snprintf(topic, sizeof topic, "%sclaim.events", prefix);
    snprintf(labels, sizeof labels, "/tmp/wg-int-%d-claim-labels.jsonl", (int)getpid());
    rd_kafka_t *admin = admin_client();
    create_topic(admin, topic, NULL, NULL);
    char cmd[2048];
    snprintf(
        cmd, sizeof cmd,
        "FAMINS_TOPIC_PREFIX='%s' '%s' claims --households 2000 --seed 78 --claim-rate-scale 3 --labels '%s' "
        "-b '%s' --plan-dir '%s' --quiet 2>/dev/null",
        prefix, WAVEGEN_BIN, labels, bootstrap(), WAVEGEN_PLANS);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 0);

    FILE *lf = fopen(labels, "r");
    assert_non_null(lf);
    expected *want[PARTITIONS];
    size_t n_want[PARTITIONS] = {0}, total = 0;
    for (int p = 0; p < PARTITIONS; p++)
        want[p] = calloc(20000, sizeof *want[p]);
    char *line = NULL;
    size_t cap = 0;
    while (getline(&line, &cap, lf) > 0) {
        json_t *l = json_loads(line, 0, NULL);
        assert_non_null(l);
        const char *key = json_string_value(json_object_get(l, "key"));
        int p = (int)(kafka_murmur2((const unsigned char *)key, strlen(key)) % PARTITIONS);
        assert_true(n_want[p] < 20000);
        expected *e = &want[p][n_want[p]++];
        snprintf(e->event_id, sizeof e->event_id, "%s", json_string_value(json_object_get(l, "event_id")));
        snprintf(e->key, sizeof e->key, "%s", key);
        e->unreadable = strcmp(json_string_value(json_object_get(l, "kind")), "unreadable") == 0;
        total++;
        json_decref(l);
    }
    free(line);
    fclose(lf);
    unlink(labels);
    assert_true(total > 1000);

    char errstr[256], group[128];
    snprintf(group, sizeof group, "%scheck", prefix);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set(conf, "bootstrap.servers", bootstrap(), errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "group.id", group, errstr, sizeof errstr);
    rd_kafka_conf_set(conf, "enable.auto.commit", "false", errstr, sizeof errstr);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    assert_non_null(consumer);
    rd_kafka_topic_partition_list_t *parts = rd_kafka_topic_partition_list_new(PARTITIONS);
    for (int p = 0; p < PARTITIONS; p++)
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
    assert_int_equal(rd_kafka_assign(consumer, parts), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(parts);
    size_t got[PARTITIONS] = {0}, n_got = 0, mismatches = 0;
    int idle = 0;
    while (n_got < total && idle < 30) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 1000);
        if (m == NULL) {
            idle++;
            continue;
        }
        idle = 0;
        if (m->err) {
            rd_kafka_message_destroy(m);
            continue;
        }
        int p = m->partition;
        json_t *o = json_loadb(m->payload, m->len, JSON_REJECT_DUPLICATES, NULL);
        const char *eid = o ? json_string_value(json_object_get(o, "event_id")) : NULL;
        const char *pn = o ? json_string_value(json_object_get(o, "policy_number")) : NULL;
        const expected *e = got[p] < n_want[p] ? &want[p][got[p]] : NULL;
        bool key_ok = e != NULL && m->key_len == strlen(e->key) && memcmp(m->key, e->key, m->key_len) == 0;
        bool body_ok =
            e != NULL && (e->unreadable || (eid != NULL && pn != NULL && strcmp(eid, e->event_id) == 0 &&
                                            strcmp(pn, e->key) == 0));
        if (!key_ok || !body_ok) {
            print_error("partition %d offset %lld: not the claim the labels put there, keyed by its policy\n",
                        p, (long long)m->offset);
            mismatches++;
        }
        json_decref(o);
        got[p]++;
        n_got++;
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    for (int p = 0; p < PARTITIONS; p++) {
        assert_int_equal(got[p], n_want[p]);
        free(want[p]);
    }
    assert_int_equal(n_got, total);
    assert_int_equal(mismatches, 0);
    delete_topic(admin, topic);
    rd_kafka_destroy(admin);
}

static void a_run_that_cannot_deliver_everything_says_so_and_exits_1(void **state)
{
    (void)state;
    char prefix[64], topic[128], errfile[256];
    snprintf(prefix, sizeof prefix, "test-wavegen-%d-small-", (int)getpid());
    snprintf(topic, sizeof topic, "%senrollment.submitted", prefix);
    snprintf(errfile, sizeof errfile, "/tmp/wg-int-%d-stderr.txt", (int)getpid());
    rd_kafka_t *admin = admin_client();
    /* The broker refuses batches above 200 kB: the injected MESSAGE_TOO_LARGE events (uncompressed,
     * since lz4 shrinks their padding below any limit) cannot land. */
    create_topic(admin, topic, "max.message.bytes", "200000");
    char cmd[2048];
    snprintf(
        cmd, sizeof cmd,
        "FAMINS_TOPIC_PREFIX='%s' '%s' enroll --households 3000 --seed 5 --unreadable-share 0.05 -b '%s' "
        "-X compression.type=none "
        "--plan-dir '%s' --quiet 2>'%s'",
        prefix, WAVEGEN_BIN, bootstrap(), WAVEGEN_PLANS, errfile);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 1);
    FILE *f = fopen(errfile, "r");
    assert_non_null(f);
    char buf[8192];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    unlink(errfile);
    assert_non_null(strstr(buf, "NOT DELIVERED"));
    delete_topic(admin, topic);
    rd_kafka_destroy(admin);
}

static void a_missing_topic_is_reported_before_anything_is_generated(void **state)
{
    (void)state;
    char cmd[2048];
    snprintf(
        cmd, sizeof cmd,
        "FAMINS_TOPIC_PREFIX='test-wavegen-%d-missing-' '%s' enroll --households 10 -b '%s' --plan-dir '%s' "
        "--quiet 2>/dev/null",
        (int)getpid(), WAVEGEN_BIN, bootstrap(), WAVEGEN_PLANS);
    int rc = system(cmd);
    assert_true(WIFEXITED(rc));
    assert_int_equal(WEXITSTATUS(rc), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_wave_of_10000_households_lands_in_the_topic_readable_and_keyed),
        cmocka_unit_test(the_claims_of_a_wave_land_keyed_by_policy_number_in_order),
        cmocka_unit_test(a_run_that_cannot_deliver_everything_says_so_and_exits_1),
        cmocka_unit_test(a_missing_topic_is_reported_before_anything_is_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
