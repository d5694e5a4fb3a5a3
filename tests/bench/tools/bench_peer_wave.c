/* bench_peer_wave.c — the benchmark peer's input: the wave's households (enrollment.submitted messages, one
 * JSON per line on stdin, e.g. from kcat) as records a Kafka Connect sink can write, JSON with an embedded
 * schema (JsonConverter, schemas.enable=true), one per household, on a topic of their own that it creates.
 * Only fields that are not personal data go out (ids, plan year, dates, managing unit, member count): the new
 * topic is not an input topic. Lines that are not a household (the wave's unreadable messages) are skipped.
 * Prints one JSON object: records, skipped; writes each record's household id to KEYS_FILE (one a line).
 *
 *   kcat -C ... -f '%s\n' | bench_peer_wave -b BOOTSTRAP -t TOPIC -p PARTITIONS -k KEYS_FILE */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>
#include <librdkafka/rdkafka.h>

static int set_conf(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench_peer_wave: %s=%s: %s\n", key, value, errstr);
        return -1;
    }
    return 0;
}

/* Creates the topic (replication factor: the broker's default); an existing topic is an error, as a second
 * wave on it would be counted twice. */
static int create_topic(rd_kafka_t *rk, const char *topic, int partitions)
{
    char errstr[512];
    int rc = -1;
    rd_kafka_NewTopic_t *nt = rd_kafka_NewTopic_new(topic, partitions, -1, errstr, sizeof errstr);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_event_t *ev = NULL;
    if (nt == NULL) {
        fprintf(stderr, "bench_peer_wave: %s\n", errstr);
        goto done;
    }
    rd_kafka_CreateTopics(rk, &nt, 1, NULL, q);
    ev = rd_kafka_queue_poll(q, 30000);
    const rd_kafka_CreateTopics_result_t *res = ev != NULL ? rd_kafka_event_CreateTopics_result(ev) : NULL;
    if (res == NULL) {
        fprintf(stderr, "bench_peer_wave: no answer creating %s\n", topic);
        goto done;
    }
    size_t n = 0;
    const rd_kafka_topic_result_t **tr = rd_kafka_CreateTopics_result_topics(res, &n);
    if (n != 1 || rd_kafka_topic_result_error(tr[0]) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_peer_wave: creating %s: %s\n", topic,
                n == 1 ? rd_kafka_topic_result_error_string(tr[0]) : "no result");
        goto done;
    }
    rc = 0;
done:
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    if (nt != NULL)
        rd_kafka_NewTopic_destroy(nt);
    return rc;
}

static json_t *field(const char *name, const char *type, int optional)
{
    return json_pack("{s:s, s:s, s:b}", "field", name, "type", type, "optional", optional);
}

/* The household's value schema (a Connect struct). The key is a struct too (the household id): the
 * connector's primary.key.mode=record_key takes a struct key's fields as the primary key. */
static json_t *value_schema(void)
{
    return json_pack("{s:s, s:s, s:b, s:[o,o,o,o,o,o]}", "type", "struct", "name", "famins.bench.household",
                     "optional", 0, "fields", field("household_id", "string", 0),
                     field("event_id", "string", 0), field("plan_year", "int32", 1),
                     field("submitted_on", "string", 1), field("managing_unit", "string", 1),
                     field("members", "int32", 0));
}

static json_t *string_or_null(json_t *v)
{
    return json_is_string(v) ? json_incref(v) : json_null();
}

/* Produces one record, waiting while librdkafka's queue is full. */
static int produce(rd_kafka_t *rk, const char *topic, const char *key, const char *value)
{
    for (;;) {
        rd_kafka_resp_err_t e = rd_kafka_producev(
            rk, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(key, strlen(key)), RD_KAFKA_V_VALUE((void *)value, strlen(value)), RD_KAFKA_V_END);
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            return 0;
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
            fprintf(stderr, "bench_peer_wave: produce: %s\n", rd_kafka_err2str(e));
            return -1;
        }
        rd_kafka_poll(rk, 50);
    }
}

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque)
{
    (void)rk;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR)
        (*(uint64_t *)opaque)++;
}

int main(int argc, char **argv)
{
    const char *bootstrap = "127.0.0.1:19092", *topic = NULL, *keys_path = NULL;
    int partitions = 6, opt, rc = 1;
    while ((opt = getopt(argc, argv, "b:t:p:k:h")) != -1) {
        switch (opt) {
        case 'b': bootstrap = optarg; break;
        case 't': topic = optarg; break;
        case 'p': partitions = atoi(optarg); break;
        case 'k': keys_path = optarg; break;
        default:
            fprintf(stderr,
                    "usage: bench_peer_wave -b BOOTSTRAP -t TOPIC -p PARTITIONS -k KEYS_FILE < lines\n");
            return 2;
        }
    }
    if (topic == NULL || keys_path == NULL || partitions < 1) {
        fprintf(stderr, "usage: bench_peer_wave -b BOOTSTRAP -t TOPIC -p PARTITIONS -k KEYS_FILE < lines\n");
        return 2;
    }
    FILE *keys = fopen(keys_path, "w");
    json_t *schema = value_schema(), *key_schema = json_pack("{s:s, s:s, s:b, s:[o]}", "type", "struct",
                                                             "name", "famins.bench.household_key", "optional",
                                                             0, "fields", field("household_id", "string", 0));
    rd_kafka_t *rk = NULL;
    char *line = NULL, errstr[512];
    size_t cap = 0;
    uint64_t records = 0, skipped = 0, failed = 0;
    if (keys == NULL || schema == NULL || key_schema == NULL) {
        fprintf(stderr, "bench_peer_wave: cannot open %s or build the schema\n", keys_path);
        goto done;
    }
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
    rd_kafka_conf_set_opaque(conf, &failed);
    /* Hash the key like the Java client, so a household's records stay on one partition. */
    if (set_conf(conf, "bootstrap.servers", bootstrap) || set_conf(conf, "linger.ms", "20") ||
        set_conf(conf, "partitioner", "murmur2_random") || set_conf(conf, "enable.idempotence", "true")) {
        rd_kafka_conf_destroy(conf);
        goto done;
    }
    rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "bench_peer_wave: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        goto done;
    }
    if (create_topic(rk, topic, partitions) != 0)
        goto done;
    ssize_t len;
    while ((len = getline(&line, &cap, stdin)) >= 0) {
        json_t *in = json_loadb(line, (size_t)len, 0, NULL);
        json_t *hh = in != NULL ? json_object_get(in, "household_id") : NULL;
        json_t *id = in != NULL ? json_object_get(in, "event_id") : NULL;
        json_t *year = in != NULL ? json_object_get(in, "plan_year") : NULL;
        json_t *members = in != NULL ? json_object_get(in, "members") : NULL;
        if (!json_is_object(in) || !json_is_string(hh) || !json_is_string(id)) {
            skipped++;
            json_decref(in);
            continue;
        }
        json_t *payload = json_pack("{s:O, s:O, s:o, s:o, s:o, s:i}", "household_id", hh, "event_id", id,
                                    "plan_year", json_is_integer(year) ? json_incref(year) : json_null(),
                                    "submitted_on", string_or_null(json_object_get(in, "submitted_on")),
                                    "managing_unit", string_or_null(json_object_get(in, "managing_unit")),
                                    "members", json_is_array(members) ? (int)json_array_size(members) : 0);
        json_t *value =
            payload != NULL ? json_pack("{s:O, s:o}", "schema", schema, "payload", payload) : NULL;
        json_t *key = json_pack("{s:O, s:{s:O}}", "schema", key_schema, "payload", "household_id", hh);
        char *v = value != NULL ? json_dumps(value, JSON_COMPACT) : NULL;
        char *k = key != NULL ? json_dumps(key, JSON_COMPACT) : NULL;
        int ok = v != NULL && k != NULL && produce(rk, topic, k, v) == 0 &&
                 fprintf(keys, "%s\n", json_string_value(hh)) > 0;
        free(v);
        free(k);
        json_decref(value);
        json_decref(key);
        json_decref(in);
        if (!ok)
            goto done;
        records++;
        rd_kafka_poll(rk, 0);
    }
    if (rd_kafka_flush(rk, 60000) != RD_KAFKA_RESP_ERR_NO_ERROR || failed > 0) {
        fprintf(stderr, "bench_peer_wave: %" PRIu64 " records not delivered\n", failed);
        goto done;
    }
    printf("{\"records\":%" PRIu64 ",\"skipped\":%" PRIu64 "}\n", records, skipped);
    rc = 0;
done:
    free(line);
    if (keys != NULL && fclose(keys) != 0)
        rc = 1;
    json_decref(schema);
    json_decref(key_schema);
    if (rk != NULL)
        rd_kafka_destroy(rk);
    return rc;
}
