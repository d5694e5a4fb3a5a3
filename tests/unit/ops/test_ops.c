/* test_ops.c — unit tests of the operations surface: the Prometheus text exposition of counters, gauges and
 * histograms (HELP/TYPE, cumulative buckets ending in +Inf, _sum and _count, label escaping), the readiness
 * rule, and librdkafka's statistics turned into lag, broker and group metrics. */
#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fm_health.h"
#include "fm_http.h"
#include "fm_kstats.h"
#include "fm_metrics.h"
#include "fm_ops.h"
#include "fm_test.h"

static char *render(fm_metrics *m)
{
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(fm_metrics_render(m, &text, &len), FM_OK);
    assert_int_equal(strlen(text), len);
    return text;
}

static void counter_renders_help_type_and_value(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_metric *c = NULL;
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(
        fm_metrics_family(m, "famins_x_total", FM_METRIC_COUNTER, "Things done", NULL, NULL, 0, &c), FM_OK);
    char *text = render(m);
    assert_string_equal(
        text, "# HELP famins_x_total Things done\n# TYPE famins_x_total counter\nfamins_x_total 0\n");
    free(text);
    assert_int_equal(fm_metric_add(c, NULL, 2), FM_OK);
    assert_int_equal(fm_metric_add(c, NULL, 3), FM_OK);
    text = render(m);
    assert_non_null(strstr(text, "\nfamins_x_total 5\n"));
    free(text);
    fm_metrics_free(m);
}

static void labelled_series_render_one_line_each_and_escape_values(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_metric *g = NULL;
    static const char *const names[] = {"topic", "partition", NULL};
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(fm_metrics_family(m, "famins_lag", FM_METRIC_GAUGE, "Lag\\per \"partition\"\nof a topic",
                                       names, NULL, 0, &g),
                     FM_OK);
    char *text = render(m);
    assert_string_equal(text, ""); /* a labelled family with no series yet prints nothing */
    free(text);
    assert_int_equal(fm_metric_set(g, (const char *[]){"a\"b\\c\nd", "0"}, 7), FM_OK);
    assert_int_equal(fm_metric_set(g, (const char *[]){"t", "1"}, 1.5), FM_OK);
    assert_int_equal(fm_metric_set(g, (const char *[]){"t", "1"}, 2.5), FM_OK); /* same series: replaced */
    text = render(m);
    assert_string_equal(text, "# HELP famins_lag Lag\\\\per \"partition\"\\nof a topic\n"
                              "# TYPE famins_lag gauge\n"
                              "famins_lag{topic=\"a\\\"b\\\\c\\nd\",partition=\"0\"} 7\n"
                              "famins_lag{topic=\"t\",partition=\"1\"} 2.5\n");
    free(text);
    fm_metric_clear(g);
    text = render(m);
    assert_string_equal(text, "");
    free(text);
    fm_metrics_free(m);
}

static void histogram_buckets_are_cumulative_and_end_with_inf_sum_count(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_metric *h = NULL;
    static const double bounds[] = {0.005, 0.1, 1};
    static const char *const names[] = {"code", NULL};
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(
        fm_metrics_family(m, "famins_seconds", FM_METRIC_HISTOGRAM, "Time", names, bounds, 3, &h), FM_OK);
    const char *labels[] = {"A"};
    /* 0.005 falls in le="0.005" (upper bounds are inclusive); 2 only in +Inf. */
    const double values[] = {0.001, 0.005, 0.05, 0.5, 2};
    assert_int_equal(fm_metric_observe_many(h, labels, values, 5), FM_OK);
    assert_int_equal(fm_metric_observe(h, labels, 0.05), FM_OK);
    char *text = render(m);
    assert_string_equal(text, "# HELP famins_seconds Time\n# TYPE famins_seconds histogram\n"
                              "famins_seconds_bucket{code=\"A\",le=\"0.005\"} 2\n"
                              "famins_seconds_bucket{code=\"A\",le=\"0.1\"} 4\n"
                              "famins_seconds_bucket{code=\"A\",le=\"1\"} 5\n"
                              "famins_seconds_bucket{code=\"A\",le=\"+Inf\"} 6\n"
                              "famins_seconds_sum{code=\"A\"} 2.6059999999999999\n"
                              "famins_seconds_count{code=\"A\"} 6\n");
    free(text);
    fm_metrics_free(m);
}

static void misuse_is_refused(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_metric *f = NULL, *h = NULL;
    static const double down[] = {1, 0.5};
    static const double ok[] = {1};
    static const char *const le[] = {"le", NULL};
    static const char *const bad_label[] = {"a-b", NULL};
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(fm_metrics_family(m, "9lives", FM_METRIC_GAUGE, "", NULL, NULL, 0, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "a b", FM_METRIC_GAUGE, "", NULL, NULL, 0, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "h", FM_METRIC_HISTOGRAM, "", NULL, down, 2, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "h", FM_METRIC_HISTOGRAM, "", NULL, NULL, 0, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "g", FM_METRIC_GAUGE, "", NULL, ok, 1, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "h", FM_METRIC_HISTOGRAM, "", le, ok, 1, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "g", FM_METRIC_GAUGE, "", bad_label, NULL, 0, &f), FM_EINVAL);
    assert_int_equal(fm_metrics_family(m, "g", FM_METRIC_GAUGE, "", NULL, NULL, 0, &f), FM_OK);
    assert_int_equal(fm_metrics_family(m, "g", FM_METRIC_COUNTER, "", NULL, NULL, 0, &f),
                     FM_EINVAL); /* twice */
    assert_int_equal(fm_metrics_family(m, "h", FM_METRIC_HISTOGRAM, "", NULL, ok, 1, &h), FM_OK);
    assert_int_equal(fm_metric_observe(f, NULL, 1), FM_EINVAL);
    assert_int_equal(fm_metric_add(h, NULL, 1), FM_EINVAL);
    /* metrics off: a NULL family takes every call and does nothing */
    assert_int_equal(fm_metric_add(NULL, NULL, 1), FM_OK);
    assert_int_equal(fm_metric_observe(NULL, NULL, 1), FM_OK);
    fm_metric_clear(NULL);
    fm_metrics_free(m);
    fm_metrics_free(NULL);
}

static void values_print_as_prometheus_reads_them(void **state)
{
    (void)state;
    char buf[64];
    fm_metrics_format_value(12, buf, sizeof buf);
    assert_string_equal(buf, "12");
    fm_metrics_format_value(-3, buf, sizeof buf);
    assert_string_equal(buf, "-3");
    fm_metrics_format_value(0.25, buf, sizeof buf);
    assert_string_equal(buf, "0.25");
    fm_metrics_format_value(INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "+Inf");
    fm_metrics_format_value(-INFINITY, buf, sizeof buf);
    assert_string_equal(buf, "-Inf");
    fm_metrics_format_value(NAN, buf, sizeof buf);
    assert_string_equal(buf, "NaN");
    fm_metrics_format_value(1e300, buf, sizeof buf);
    assert_string_equal(buf, "1.0000000000000001e+300");
    /* escaping reports the length it needs, as snprintf */
    assert_int_equal(fm_metrics_escape("a\"\n", 0, buf, 3), 5);
    assert_string_equal(buf, "a\\");
    assert_int_equal(fm_metrics_escape("a\"\n", 1, buf, sizeof buf), 4);
    assert_string_equal(buf, "a\"\\n");
}

/* ---- readiness ---- */

static fm_health_view healthy(void)
{
    return (fm_health_view){.started = 1,
                            .db_up = 1,
                            .member = 1,
                            .assigned = 3,
                            .lag = 0,
                            .lag_since_ms = 0,
                            .last_progress_ms = 1000,
                            .now_ms = 500000,
                            .stuck_ms = 60000};
}

static void ready_when_started_in_the_group_with_a_database_and_no_lag(void **state)
{
    (void)state;
    char reason[200];
    fm_health_view v = healthy();
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    assert_string_equal(reason, "ready");
    v.member = 0; /* holds partitions while the group state is not "up" (a rebalance): still ready */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    v = healthy();
    v.assigned = 0; /* a member of the group with no partition (more members than partitions): ready */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
}

static void not_ready_before_start_without_database_or_outside_the_group(void **state)
{
    (void)state;
    char reason[200];
    fm_health_view v = healthy();
    v.started = 0;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 0);
    assert_string_equal(reason, "starting");
    v = healthy();
    v.db_up = 0;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 0);
    assert_string_equal(reason, "database unreachable");
    v = healthy();
    v.member = 0;
    v.assigned = 0;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 0);
    assert_string_equal(reason, "not in the consumer group and no partition assigned");
}

static void stuck_means_lag_without_a_commit_for_longer_than_the_limit(void **state)
{
    (void)state;
    char reason[200];
    fm_health_view v = healthy();
    v.lag = 40;
    v.lag_since_ms = 1000;
    v.last_progress_ms = 1000;
    v.now_ms = 1000 + 60000; /* exactly the limit: not yet */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    v.now_ms = 1000 + 60001;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 0);
    assert_string_equal(reason, "stuck: lag 40 and no batch committed for 60 s");
    v.last_progress_ms = 30000; /* a commit since: ready */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    /* an idle worker whose last batch is old is not stuck the moment work appears */
    v = healthy();
    v.last_progress_ms = 1000;
    v.lag = 5;
    v.lag_since_ms = v.now_ms - 100;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    /* lag unknown (-1) or 0 is never stuck, however old the last commit */
    v.lag = -1;
    v.lag_since_ms = 0;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
}

static void a_batch_in_hand_for_longer_than_the_limit_is_stuck(void **state)
{
    (void)state;
    char reason[200];
    fm_health_view v = healthy();
    v.busy_since_ms =
        v.now_ms - 60000; /* lag unknown: a batch blocked in the database serves no statistics */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
    v.busy_since_ms = v.now_ms - 61000;
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 0);
    assert_string_equal(reason, "stuck: one batch in hand for 61 s");
    v.busy_since_ms = 0; /* no batch in hand */
    assert_int_equal(fm_health_ready(&v, reason, sizeof reason), 1);
}

static void lag_since_is_the_moment_lag_appears(void **state)
{
    (void)state;
    fm_health h = {0};
    atomic_store(&h.lag, -1);
    fm_health_set_lag(&h, 10, 5000);
    fm_health_set_lag(&h, 20, 9000); /* still lagging: the moment stays */
    fm_health_view v;
    fm_health_view_of(&h, 10000, &v);
    assert_i64_equal(v.lag, 20);
    assert_i64_equal(v.lag_since_ms, 5000);
    fm_health_set_lag(&h, 0, 11000);
    fm_health_set_lag(&h, 3, 12000);
    fm_health_view_of(&h, 12000, &v);
    assert_i64_equal(v.lag_since_ms, 12000);
    fm_health_set_lag(NULL, 3, 0);
}

/* ---- librdkafka statistics ---- */

static const char stats_json[] =
    "{\"name\":\"famins-eligibility#consumer-1\",\"type\":\"consumer\",\"ts\":1,\"replyq\":2,\"msg_cnt\":0,"
    "\"brokers\":{"
    "\"127.0.0.1:19092/1\":{\"name\":\"127.0.0.1:19092/1\",\"nodeid\":1,\"state\":\"UP\",\"outbuf_cnt\":1,"
    "\"waitresp_cnt\":4},"
    "\"127.0.0.1:19093/2\":{\"nodeid\":2,\"state\":\"DOWN\",\"outbuf_cnt\":0,\"waitresp_cnt\":0},"
    "\"GroupCoordinator\":{\"nodeid\":-1,\"state\":\"UP\"}},"
    "\"topics\":{\"t.enrollment.submitted\":{\"partitions\":{"
    "\"0\":{\"fetch_state\":\"active\",\"consumer_lag\":12,\"fetchq_cnt\":7},"
    "\"1\":{\"fetch_state\":\"active\",\"consumer_lag\":-1,\"fetchq_cnt\":0},"
    "\"2\":{\"fetch_state\":\"none\",\"consumer_lag\":99,\"fetchq_cnt\":0},"
    "\"3\":{\"fetch_state\":\"active\",\"consumer_lag\":3,\"fetchq_cnt\":1},"
    "\"-1\":{\"fetch_state\":\"none\",\"consumer_lag\":-1}}}},"
    "\"cgrp\":{\"state\":\"up\",\"join_state\":\"steady\",\"assignment_size\":3}}";

static void kafka_statistics_give_lag_brokers_and_group(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_kstats_metrics k;
    fm_kstats_summary sum;
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(fm_kstats_register(m, &k), FM_OK);
    assert_int_equal(fm_kstats_apply(stats_json, strlen(stats_json), &k, &sum), FM_OK);
    assert_i64_equal(sum.lag, 15); /* 12 + 3: the unknown (-1) and the partition not fetched left out */
    assert_int_equal(sum.group_up, 1);
    assert_int_equal(sum.assigned, 3);
    char *text = render(m);
    assert_non_null(
        strstr(text, "famins_kafka_consumer_lag{topic=\"t.enrollment.submitted\",partition=\"0\"} 12\n"));
    assert_non_null(
        strstr(text, "famins_kafka_consumer_lag{topic=\"t.enrollment.submitted\",partition=\"3\"} 3\n"));
    assert_null(strstr(text, "partition=\"1\"} -1"));
    assert_null(strstr(text, "partition=\"2\""));
    assert_null(strstr(text, "partition=\"-1\""));
    assert_non_null(strstr(
        text, "famins_kafka_fetch_queue_messages{topic=\"t.enrollment.submitted\",partition=\"1\"} 0\n"));
    assert_non_null(strstr(text, "famins_kafka_broker_up{broker=\"127.0.0.1:19092/1\"} 1\n"));
    assert_non_null(strstr(text, "famins_kafka_broker_up{broker=\"127.0.0.1:19093/2\"} 0\n"));
    assert_null(strstr(text, "GroupCoordinator"));
    assert_non_null(strstr(text, "famins_kafka_broker_waitresp_requests{broker=\"127.0.0.1:19092/1\"} 4\n"));
    assert_non_null(strstr(text, "famins_kafka_reply_queue_ops 2\n"));
    assert_non_null(strstr(text, "famins_kafka_group_up 1\n"));
    free(text);
    /* the next report replaces the partitions: a revoked one disappears */
    const char next[] =
        "{\"type\":\"consumer\",\"topics\":{\"t\":{\"partitions\":{\"5\":{\"fetch_state\":\"active\","
        "\"consumer_lag\":0}}}},\"cgrp\":{\"state\":\"wait-join\",\"assignment_size\":0}}";
    assert_int_equal(fm_kstats_apply(next, strlen(next), &k, &sum), FM_OK);
    assert_i64_equal(sum.lag, 0);
    assert_int_equal(sum.group_up, 0);
    text = render(m);
    assert_null(strstr(text, "t.enrollment.submitted"));
    assert_non_null(strstr(text, "famins_kafka_consumer_lag{topic=\"t\",partition=\"5\"} 0\n"));
    free(text);
    assert_int_equal(fm_kstats_apply("[1]", 3, &k, &sum), FM_EINVAL);
    assert_int_equal(fm_kstats_apply("{\"type\":", 8, &k, &sum), FM_EINVAL);
    fm_metrics_free(m);
}

/* ---- the endpoint's start-up errors, and metrics off by default ---- */

static const char *fake_env(const char *name, void *ctx)
{
    for (const char *const *p = ctx; *p != NULL; p++) {
        size_t n = strlen(name);
        if (strncmp(*p, name, n) == 0 && (*p)[n] == '=')
            return *p + n + 1;
    }
    return NULL;
}

static void metrics_are_off_unless_a_port_is_set(void **state)
{
    (void)state;
    static const fm_setting defs[] = {FM_METRICS_SETTINGS};
    const char *env[] = {NULL};
    fm_settings *s = NULL;
    fm_error err = {0};
    assert_int_equal(fm_settings_load(defs, sizeof defs / sizeof defs[0], fake_env, env, &s, &err), FM_OK);
    assert_string_equal(fm_settings_str(s, "FAMINS_METRICS_ADDRESS"), "127.0.0.1");
    fm_ops *ops = (fm_ops *)&err; /* must be overwritten */
    assert_int_equal(fm_ops_start(s, "test", NULL, &ops, &err), FM_OK);
    assert_null(ops);
    fm_ops_db(NULL, 1); /* every call takes the NULL of metrics off */
    fm_ops_kafka_stats(NULL, "{}", 2, 1);
    fm_ops_stop(NULL);
    fm_settings_free(s);
}

static void endpoint_refuses_a_bad_address_and_a_busy_port(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_health h = {0};
    fm_http *http = NULL;
    fm_error err = {0};
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(fm_http_start("localhost", 9, m, &h, &http, &err), FM_ECONFIG);
    assert_string_equal(err.code, "BAD_ADDRESS");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 1), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    assert_int_equal(fm_http_start("127.0.0.1", ntohs(a.sin_port), m, &h, &http, &err), FM_EIO);
    assert_string_equal(err.code, "LISTEN_FAILED");
    close(fd);
    fm_metrics_free(m);
}

/* One HTTP/1.0 request to 127.0.0.1:port; the whole response (status line, headers, body) into buf. */
static void http_get(int port, const char *method, const char *path, char *buf, size_t cap)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {
        .sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[256];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.0\r\nHost: test\r\n\r\n", method, path);
    assert_int_equal(write(fd, req, (size_t)n), n);
    size_t got = 0;
    ssize_t r;
    while (got + 1 < cap && (r = read(fd, buf + got, cap - 1 - got)) > 0)
        got += (size_t)r;
    buf[got] = '\0';
    close(fd);
}

static int free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static void endpoint_serves_metrics_health_and_readiness(void **state)
{
    (void)state;
    fm_metrics *m = NULL;
    fm_metric *c = NULL;
    fm_health h = {.stuck_ms = 60000};
    fm_http *http = NULL;
    fm_error err = {0};
    char buf[8192];
    assert_int_equal(fm_metrics_new(&m), FM_OK);
    assert_int_equal(fm_metrics_family(m, "famins_t_total", FM_METRIC_COUNTER, "T", NULL, NULL, 0, &c),
                     FM_OK);
    assert_int_equal(fm_metric_add(c, NULL, 3), FM_OK);
    int port = free_port();
    assert_int_equal(fm_http_start("127.0.0.1", port, m, &h, &http, &err), FM_OK);

    http_get(port, "GET", "/metrics", buf, sizeof buf);
    assert_non_null(strstr(buf, " 200 OK\r\n"));
    assert_non_null(strstr(buf, "text/plain; version=0.0.4"));
    assert_non_null(
        strstr(buf, "\r\n\r\n# HELP famins_t_total T\n# TYPE famins_t_total counter\nfamins_t_total 3\n"));
    http_get(port, "GET", "/healthz", buf, sizeof buf);
    assert_non_null(strstr(buf, " 200 "));
    http_get(port, "GET", "/readyz", buf, sizeof buf); /* nothing started yet */
    assert_non_null(strstr(buf, " 503 "));
    assert_non_null(strstr(buf, "\r\n\r\nstarting\n"));
    atomic_store(&h.started, 1);
    atomic_store(&h.db_up, 1);
    atomic_store(&h.member, 1);
    atomic_store(&h.lag, -1);
    atomic_store(&h.last_progress_ms, fm_health_now_ms());
    http_get(port, "GET", "/readyz", buf, sizeof buf);
    assert_non_null(strstr(buf, " 200 "));
    assert_non_null(strstr(buf, "\r\n\r\nready\n"));
    atomic_store(&h.db_up, 0);
    http_get(port, "GET", "/readyz", buf, sizeof buf);
    assert_non_null(strstr(buf, "\r\n\r\ndatabase unreachable\n"));
    http_get(port, "GET", "/other", buf, sizeof buf);
    assert_non_null(strstr(buf, " 404 "));
    http_get(port, "POST", "/metrics", buf, sizeof buf);
    assert_non_null(strstr(buf, " 405 "));
    fm_http_stop(http);
    fm_metrics_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counter_renders_help_type_and_value),
        cmocka_unit_test(labelled_series_render_one_line_each_and_escape_values),
        cmocka_unit_test(histogram_buckets_are_cumulative_and_end_with_inf_sum_count),
        cmocka_unit_test(misuse_is_refused),
        cmocka_unit_test(values_print_as_prometheus_reads_them),
        cmocka_unit_test(ready_when_started_in_the_group_with_a_database_and_no_lag),
        cmocka_unit_test(not_ready_before_start_without_database_or_outside_the_group),
        cmocka_unit_test(stuck_means_lag_without_a_commit_for_longer_than_the_limit),
        cmocka_unit_test(a_batch_in_hand_for_longer_than_the_limit_is_stuck),
        cmocka_unit_test(lag_since_is_the_moment_lag_appears),
        cmocka_unit_test(kafka_statistics_give_lag_brokers_and_group),
        cmocka_unit_test(metrics_are_off_unless_a_port_is_set),
        cmocka_unit_test(endpoint_refuses_a_bad_address_and_a_busy_port),
        cmocka_unit_test(endpoint_serves_metrics_health_and_readiness),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
