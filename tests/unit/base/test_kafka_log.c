/* test_kafka_log.c — librdkafka's own log lines reach the program's logger, in both formats: a producer
 * pointed at a port nothing listens on logs its refused connection (debug off) through fm_log; the syslog
 * levels map to the logger's; the mask applies. No server needed. */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fm_kafka.h"
#include "fm_log.h"
#include "fm_test.h"

/* A port nothing listens on: bound by the kernel's choice, then closed. */
static int unused_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK), .sin_port = 0};
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    socklen_t len = sizeof a;
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

static char *read_all(FILE *f)
{
    fflush(f);
    long size = ftell(f);
    assert_true(size >= 0);
    char *text = calloc(1, (size_t)size + 1);
    assert_non_null(text);
    rewind(f);
    assert_int_equal(fread(text, 1, (size_t)size, f), (size_t)size);
    fseek(f, 0, SEEK_END);
    return text;
}

/* A struct of the program's own with the log reference first, as the worker and wavegen's sink have. */
typedef struct program_opaque {
    fm_kafka_log_ref kafka_log;
    int own;
} program_opaque;

/* Runs a producer against an unused port until the logger has a refused-connection line (at most 15 s),
 * returns everything the logger wrote. */
static char *refused_connection_log(const char *format, int own_opaque)
{
    FILE *out = tmpfile();
    assert_non_null(out);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "unit", "info", format, out, NULL), FM_OK);
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    char bootstrap[64];
    snprintf(bootstrap, sizeof bootstrap, "127.0.0.1:%d", unused_port());
    fm_error err = {0};
    assert_int_equal(fm_kafka_conf_set(conf, "bootstrap.servers", bootstrap, &err), FM_OK);
    assert_int_equal(fm_kafka_conf_set(conf, "reconnect.backoff.ms", "100", &err), FM_OK);
    program_opaque prog = {.own = 7};
    fm_kafka_log_ref ref;
    if (own_opaque) {
        fm_kafka_conf_log_to(conf, &lg, &prog.kafka_log);
        rd_kafka_conf_set_opaque(conf, &prog);
    } else {
        fm_kafka_conf_log_to(conf, &lg, &ref);
    }
    char errstr[256];
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    assert_non_null(rk);
    if (own_opaque)
        assert_ptr_equal(rd_kafka_opaque(rk), &prog);
    char *text = NULL;
    for (int i = 0; i < 150; i++) {
        rd_kafka_poll(rk, 100);
        free(text);
        text = read_all(out);
        if (strstr(text, "kafka_log") != NULL && strstr(text, "refused") != NULL)
            break;
    }
    rd_kafka_destroy(rk);
    free(text);
    text = read_all(out);
    fclose(out);
    return text;
}

static void a_refused_connection_is_a_kv_line_of_the_logger(void **state)
{
    (void)state;
    for (int own = 0; own <= 1; own++) {
        char *text = refused_connection_log("kv", own);
        const char *line = strstr(text, "event=kafka_log");
        if (line == NULL)
            print_error("no kafka_log line in: %s\n", text);
        assert_non_null(line);
        /* every line of the file is the logger's */
        for (const char *p = text; *p != '\0'; p = strchr(p, '\n') + 1)
            assert_int_equal(strncmp(p, "ts=", 3), 0);
        const char *refused = strstr(text, "refused");
        assert_non_null(refused);
        const char *start = refused;
        while (start > text && start[-1] != '\n')
            start--;
        assert_non_null(strstr(start, " component=unit event=kafka_log facility="));
        /* a connection refused is LOG_ERR (3) to librdkafka, which retries it: a warning of the program */
        assert_int_equal(strncmp(strstr(start, " level="), " level=warn", 10), 0);
        assert_non_null(strstr(start, "syslog_level=3 message=\""));
        free(text);
    }
}

static void a_refused_connection_is_a_json_line_of_the_logger(void **state)
{
    (void)state;
    char *text = refused_connection_log("json", 1);
    int found = 0;
    for (char *p = text; *p != '\0';) {
        char *nl = strchr(p, '\n');
        assert_non_null(nl);
        *nl = '\0';
        json_error_t jerr;
        json_t *line = json_loads(p, 0, &jerr);
        assert_non_null(line); /* every line is JSON */
        const char *message = json_string_value(json_object_get(line, "message"));
        if (strcmp(json_string_value(json_object_get(line, "event")), "kafka_log") == 0 && message != NULL &&
            strstr(message, "refused") != NULL) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(line, "level")), "warn");
            assert_string_equal(json_string_value(json_object_get(line, "component")), "unit");
            assert_true(json_is_string(json_object_get(line, "facility")));
            assert_i64_equal(json_integer_value(json_object_get(line, "syslog_level")), 3);
        }
        json_decref(line);
        p = nl + 1;
    }
    assert_true(found);
    free(text);
}

static void syslog_levels_map_to_the_loggers_and_the_mask_applies(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "unit", "debug", "kv", out, NULL), FM_OK);
    const char *want[8] = {"error", "error", "error", "warn", "warn", "info", "info", "debug"};
    for (int level = 0; level < 8; level++)
        fm_kafka_log_line(&lg, level, "FAC", "holder 610113198501010011 said \"hi\"");
    fclose(out);
    char *p = text;
    for (int level = 0; level < 8; level++) {
        char expect[160];
        snprintf(expect, sizeof expect,
                 " level=%s component=unit event=kafka_log facility=FAC syslog_level=%d "
                 "message=\"holder ****************** said \\\"hi\\\"\"\n",
                 want[level], level);
        char *line_end = strchr(p, '\n');
        assert_non_null(line_end);
        assert_non_null(strstr(p, expect));
        assert_true(strstr(p, expect) < line_end);
        p = line_end + 1;
    }
    assert_null(strstr(text, "610113198501010011"));
    free(text);
}

/* Below the logger's level librdkafka's lines are dropped like any other. */
static void kafka_lines_below_the_level_are_dropped(void **state)
{
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    fm_logger lg;
    assert_int_equal(fm_logger_init(&lg, "unit", "warn", "json", out, NULL), FM_OK);
    fm_kafka_log_line(&lg, 6, "INFO", "informational");
    fm_kafka_log_line(&lg, 4, "WARN", "a warning");
    fclose(out);
    assert_null(strstr(text, "informational"));
    assert_non_null(strstr(text, "\"message\":\"a warning\""));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(syslog_levels_map_to_the_loggers_and_the_mask_applies),
        cmocka_unit_test(kafka_lines_below_the_level_are_dropped),
        cmocka_unit_test(a_refused_connection_is_a_kv_line_of_the_logger),
        cmocka_unit_test(a_refused_connection_is_a_json_line_of_the_logger),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
