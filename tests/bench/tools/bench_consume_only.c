/* bench_consume_only.c — the Kafka ceiling of the benchmark: reads every message of a topic with librdkafka
 * (rd_kafka_consumer_poll, as the workers do) and does nothing with it, timed from the first message to the
 * last. Prints one JSON object: messages, bytes, seconds, messages_per_s.
 *
 *   bench_consume_only -b 127.0.0.1:19092 -t <topic> [-T timeout_s] [-X key=value ...]
 *
 * It assigns every partition from its low watermark up to the high watermark read at start (no consumer group
 * join, no commits), so the figure is the client's and the broker's read path alone. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <librdkafka/rdkafka.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int set_conf(rd_kafka_conf_t *conf, const char *key, const char *value)
{
    char errstr[512];
    if (rd_kafka_conf_set(conf, key, value, errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "bench_consume_only: %s=%s: %s\n", key, value, errstr);
        return -1;
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr, "usage: bench_consume_only -b BOOTSTRAP -t TOPIC [-T TIMEOUT_S] [-X key=value ...]\n");
}

int main(int argc, char **argv)
{
    const char *bootstrap = "127.0.0.1:19092";
    const char *topic = NULL;
    double timeout_s = 600;
    int rc = 1, opt;
    rd_kafka_t *rk = NULL;
    rd_kafka_topic_partition_list_t *parts = NULL;
    const struct rd_kafka_metadata *md = NULL;
    int64_t *high = NULL, *next = NULL;
    char errstr[512], group[64];

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    while ((opt = getopt(argc, argv, "b:t:T:X:h")) != -1) {
        switch (opt) {
        case 'b': bootstrap = optarg; break;
        case 't': topic = optarg; break;
        case 'T': timeout_s = atof(optarg); break;
        case 'X': {
            char *eq = strchr(optarg, '=');
            if (eq == NULL) {
                usage();
                goto fail;
            }
            *eq = '\0';
            if (set_conf(conf, optarg, eq + 1) != 0)
                goto fail;
            break;
        }
        default: usage(); goto fail;
        }
    }
    if (topic == NULL) {
        usage();
        goto fail;
    }
    /* A group id is required by the consumer API even with assign(); nothing is committed under it. */
    snprintf(group, sizeof group, "bench-consume-only-%ld", (long)getpid());
    if (set_conf(conf, "bootstrap.servers", bootstrap) || set_conf(conf, "group.id", group) ||
        set_conf(conf, "enable.auto.commit", "false") ||
        set_conf(conf, "enable.auto.offset.store", "false") ||
        set_conf(conf, "auto.offset.reset", "earliest"))
        goto fail;
    rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "bench_consume_only: %s\n", errstr);
        goto fail;
    }
    conf = NULL; /* owned by rk now */
    rd_kafka_poll_set_consumer(rk);

    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, rkt, &md, 10000);
    rd_kafka_topic_destroy(rkt);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR || md->topic_cnt != 1 ||
        md->topics[0].err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_consume_only: no metadata for %s: %s\n", topic,
                rd_kafka_err2str(err != RD_KAFKA_RESP_ERR_NO_ERROR ? err : md->topics[0].err));
        goto fail;
    }
    int n = md->topics[0].partition_cnt;
    high = calloc((size_t)n, sizeof *high);
    next = calloc((size_t)n, sizeof *next);
    parts = rd_kafka_topic_partition_list_new(n);
    if (high == NULL || next == NULL || parts == NULL)
        goto fail;
    int64_t expected = 0;
    int open = 0;
    for (int i = 0; i < n; i++) {
        int32_t p = md->topics[0].partitions[i].id;
        int64_t lo = 0, hi = 0;
        err = rd_kafka_query_watermark_offsets(rk, topic, p, &lo, &hi, 10000);
        if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fprintf(stderr, "bench_consume_only: watermarks of %s[%d]: %s\n", topic, p,
                    rd_kafka_err2str(err));
            goto fail;
        }
        /* Indexed by partition id: Kafka numbers partitions 0..n-1. */
        if (p < 0 || p >= n)
            goto fail;
        high[p] = hi;
        next[p] = lo;
        expected += hi - lo;
        if (hi > lo)
            open++;
        rd_kafka_topic_partition_list_add(parts, topic, p)->offset = lo;
    }
    err = rd_kafka_assign(rk, parts);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "bench_consume_only: assign: %s\n", rd_kafka_err2str(err));
        goto fail;
    }

    uint64_t messages = 0, bytes = 0;
    double first = 0, last = 0, deadline = now_s() + timeout_s;
    while (open > 0) {
        if (now_s() > deadline) {
            fprintf(stderr, "bench_consume_only: timeout with %" PRIu64 " of %" PRId64 " messages\n",
                    messages, expected);
            goto fail;
        }
        rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
        if (m == NULL)
            continue;
        if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR && m->partition >= 0 && m->partition < n) {
            if (messages == 0)
                first = now_s();
            messages++;
            bytes += m->len + m->key_len;
            next[m->partition] = m->offset + 1;
            if (next[m->partition] == high[m->partition])
                open--;
            last = now_s();
        } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
            fprintf(stderr, "bench_consume_only: %s\n", rd_kafka_message_errstr(m));
        }
        rd_kafka_message_destroy(m);
    }
    double seconds = last - first;
    printf("{\"topic\":\"%s\",\"partitions\":%d,\"messages\":%" PRIu64 ",\"bytes\":%" PRIu64
           ",\"seconds\":%.6f,\"messages_per_s\":%.1f}\n",
           topic, n, messages, bytes, seconds, seconds > 0 ? (double)messages / seconds : 0.0);
    rc = 0;
fail:
    if (parts != NULL)
        rd_kafka_topic_partition_list_destroy(parts);
    if (md != NULL)
        rd_kafka_metadata_destroy(md);
    if (rk != NULL) {
        rd_kafka_consumer_close(rk);
        rd_kafka_destroy(rk);
    }
    if (conf != NULL)
        rd_kafka_conf_destroy(conf);
    free(high);
    free(next);
    return rc;
}
