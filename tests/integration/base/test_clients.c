/* test_clients.c — the project's Kafka and PostgreSQL helpers against the real local stack.
 * Run by clients.sh, which makes a fresh database and topics (tests/support/itest.sh). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fm_kafka.h"
#include "fm_pg.h"
#include "fm_settings.h"
#include "fm_test.h"

static const fm_setting settings_defs[] = {FM_COMMON_SETTINGS};
#define SETTING_COUNT (sizeof settings_defs / sizeof settings_defs[0])

static fm_settings *load_settings(void)
{
    fm_settings *s = NULL;
    fm_error err = {0};
    if (fm_settings_load(settings_defs, SETTING_COUNT, NULL, NULL, &s, &err) != FM_OK)
        fail_msg("settings: %s", err.text);
    return s;
}

static void kafka_message_produced_is_consumed_back_with_key_and_headers(void **state)
{
    (void)state;
    fm_settings *s = load_settings();
    fm_error err = {0};
    char topic[256];
    assert_int_equal(fm_topic_name(fm_settings_str(s, "FAMINS_TOPIC_PREFIX"),
                                   fm_topic_base_name(FM_TOPIC_ENROLLMENT_SUBMITTED), topic, sizeof topic,
                                   &err),
                     FM_OK);

    rd_kafka_conf_t *pconf = NULL;
    assert_int_equal(fm_kafka_conf_new(s, "test-clients-producer", &pconf, &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(pconf, "enable.idempotence", "true", &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(pconf, "partitioner", "murmur2_random", &err), FM_OK);
    char errstr[512];
    rd_kafka_t *producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, errstr, sizeof errstr);
    assert_non_null(producer);

    char payload[128];
    snprintf(payload, sizeof payload, "{\"event_id\":\"clients-%ld\"}", (long)time(NULL));
    const int messages = 20;
    for (int i = 0; i < messages; i++) {
        char key[32];
        snprintf(key, sizeof key, "H%06d", i);
        rd_kafka_resp_err_t e = rd_kafka_producev(
            producer, RD_KAFKA_V_TOPIC(topic), RD_KAFKA_V_KEY(key, strlen(key)),
            RD_KAFKA_V_VALUE(payload, strlen(payload)), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_HEADER("famins-test", "yes", 3), RD_KAFKA_V_END);
        assert_int_equal(e, RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    assert_int_equal(rd_kafka_flush(producer, 15000), RD_KAFKA_RESP_ERR_NO_ERROR);
    assert_int_equal(rd_kafka_outq_len(producer), 0);
    rd_kafka_destroy(producer);

    rd_kafka_conf_t *cconf = NULL;
    assert_int_equal(fm_kafka_conf_new(s, "test-clients-consumer", &cconf, &err), FM_OK);
    char group[128];
    snprintf(group, sizeof group, "%sclients", fm_settings_str(s, "FAMINS_TOPIC_PREFIX"));
    assert_int_equal(fm_kafka_conf_set(cconf, "group.id", group, &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(cconf, "auto.offset.reset", "earliest", &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(cconf, "enable.auto.commit", "false", &err), FM_OK);
    rd_kafka_t *consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, errstr, sizeof errstr);
    assert_non_null(consumer);
    rd_kafka_poll_set_consumer(consumer);
    rd_kafka_topic_partition_list_t *subscription = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(subscription, topic, RD_KAFKA_PARTITION_UA);
    assert_int_equal(rd_kafka_subscribe(consumer, subscription), RD_KAFKA_RESP_ERR_NO_ERROR);
    rd_kafka_topic_partition_list_destroy(subscription);

    int received = 0, with_header = 0;
    unsigned seen[20] = {0};
    time_t deadline = time(NULL) + 30;
    while (received < messages && time(NULL) < deadline) {
        rd_kafka_message_t *m = rd_kafka_consumer_poll(consumer, 500);
        if (m == NULL)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            assert_int_equal(m->len, strlen(payload));
            assert_memory_equal(m->payload, payload, m->len);
            assert_int_equal(m->key_len, 7);
            int index = atoi((const char *)m->key + 1);
            assert_true(index >= 0 && index < messages);
            seen[index]++;
            rd_kafka_headers_t *headers = NULL;
            const void *value = NULL;
            size_t size = 0;
            if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR &&
                rd_kafka_header_get_last(headers, "famins-test", &value, &size) ==
                    RD_KAFKA_RESP_ERR_NO_ERROR &&
                size == 3 && memcmp(value, "yes", 3) == 0)
                with_header++;
            received++;
        }
        rd_kafka_message_destroy(m);
    }
    rd_kafka_consumer_close(consumer);
    rd_kafka_destroy(consumer);
    assert_int_equal(received, messages);
    assert_int_equal(with_header, messages);
    for (int i = 0; i < messages; i++)
        assert_int_equal(seen[i], 1);
    fm_settings_free(s);
}

static void pg_rows_written_are_read_back_with_parameters(void **state)
{
    (void)state;
    fm_settings *s = load_settings();
    fm_error err = {0};
    PGconn *conn = NULL;
    fm_backoff backoff = FM_BACKOFF_DEFAULT;
    assert_int_equal(fm_pg_connect(fm_settings_str(s, "FAMINS_PG_DSN"), &backoff, NULL, NULL, &conn, &err),
                     FM_OK);
    assert_int_equal(fm_pg_exec(conn, "CREATE TEMP TABLE money (who text, fen bigint)", &err), FM_OK);
    const char *params[] = {"王小雨", "9223372036854775807"};
    PGresult *res = NULL;
    assert_int_equal(fm_pg_query(conn, "INSERT INTO money VALUES ($1, $2)", 2, params, &res, &err), FM_OK);
    PQclear(res);
    assert_int_equal(fm_pg_query(conn, "SELECT who, fen FROM money", 0, NULL, &res, &err), FM_OK);
    assert_int_equal(PQntuples(res), 1);
    assert_string_equal(PQgetvalue(res, 0, PQfnumber(res, "who")), "王小雨");
    assert_string_equal(PQgetvalue(res, 0, PQfnumber(res, "fen")), "9223372036854775807");
    PQclear(res);

    /* A SQL error is reported with its SQLSTATE, and the connection stays usable. */
    assert_int_equal(fm_pg_exec(conn, "INSERT INTO no_such_table VALUES (1)", &err), FM_EDB);
    assert_string_equal(err.code, "42P01");
    assert_false(fm_pg_connection_lost(conn));

    /* A connection killed by the server is noticed and fm_pg_ensure brings a new one. */
    PGconn *killer = NULL;
    assert_int_equal(fm_pg_connect(fm_settings_str(s, "FAMINS_PG_DSN"), &backoff, NULL, NULL, &killer, &err),
                     FM_OK);
    char pid[32];
    snprintf(pid, sizeof pid, "%d", PQbackendPID(conn));
    const char *kill_params[] = {pid};
    assert_int_equal(fm_pg_query(killer, "SELECT pg_terminate_backend($1::int)", 1, kill_params, &res, &err),
                     FM_OK);
    PQclear(res);
    PQfinish(killer);
    assert_int_equal(fm_pg_exec(conn, "SELECT 1", &err), FM_EDB);
    assert_true(fm_pg_connection_lost(conn));
    assert_int_equal(fm_pg_ensure(&conn, fm_settings_str(s, "FAMINS_PG_DSN"), &backoff, NULL, NULL, &err),
                     FM_OK);
    assert_int_equal(fm_pg_exec(conn, "SELECT 1", &err), FM_OK);
    PQfinish(conn);
    fm_settings_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(kafka_message_produced_is_consumed_back_with_key_and_headers),
        cmocka_unit_test(pg_rows_written_are_read_back_with_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
