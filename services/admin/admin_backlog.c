/* admin_backlog.c — the outbox backlog per partition, as the relay's producer will spread it. */
#include "admin_backlog.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "admin_table.h"
#include "fm_pg.h"

typedef struct backlog_entry {
    const char *topic; /* borrowed from the query result */
    int32_t partition; /* -1: not determined */
    int64_t unsent, age;
} backlog_entry;

typedef struct backlog {
    backlog_entry *items;
    size_t count, cap;
} backlog;

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

long admin_backlog_unhex(const char *hex, unsigned char *out)
{
    size_t n = strlen(hex);
    if (n % 2 != 0)
        return -1;
    for (size_t i = 0; i < n; i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (unsigned char)(hi * 16 + lo);
    }
    return (long)(n / 2);
}

static fm_status add(backlog *b, const char *topic, int32_t partition, int64_t unsent, int64_t age)
{
    for (size_t i = 0; i < b->count; i++) {
        backlog_entry *e = &b->items[i];
        if (e->partition == partition && strcmp(e->topic, topic) == 0) {
            e->unsent += unsent;
            if (age > e->age)
                e->age = age;
            return FM_OK;
        }
    }
    if (b->count == b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 32;
        backlog_entry *grown = realloc(b->items, cap * sizeof *grown);
        if (grown == NULL)
            return FM_ENOMEM;
        b->items = grown;
        b->cap = cap;
    }
    b->items[b->count++] = (backlog_entry){topic, partition, unsent, age};
    return FM_OK;
}

static int by_topic_partition(const void *a, const void *b)
{
    const backlog_entry *x = a, *y = b;
    int c = strcmp(x->topic, y->topic);
    return c != 0 ? c : (x->partition > y->partition) - (x->partition < y->partition);
}

/* The topic's partition count from Kafka's metadata; 0 when Kafka does not say. */
static int32_t partition_count(rd_kafka_t *rk, rd_kafka_topic_t *rkt, int timeout_ms)
{
    const struct rd_kafka_metadata *md = NULL;
    int32_t n = 0;
    if (rd_kafka_metadata(rk, 0, rkt, &md, timeout_ms) == RD_KAFKA_RESP_ERR_NO_ERROR && md->topic_cnt == 1 &&
        md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR)
        n = md->topics[0].partition_cnt;
    if (md != NULL)
        rd_kafka_metadata_destroy(md);
    return n;
}

static fm_status print(const backlog *b, int json, FILE *out, fm_error *err)
{
    static const char *const names[] = {"topic", "partition", "unsent", "oldest_age_s"};
    static const int numeric[] = {0, 1, 1, 1};
    const char **cells = calloc(b->count * 4 + 1, sizeof *cells);
    char(*text)[3][24] = calloc(b->count + 1, sizeof *text);
    fm_status st = FM_ENOMEM;
    if (cells == NULL || text == NULL) {
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
        goto done;
    }
    for (size_t i = 0; i < b->count; i++) {
        const backlog_entry *e = &b->items[i];
        snprintf(text[i][0], sizeof text[i][0], "%" PRId32, e->partition);
        snprintf(text[i][1], sizeof text[i][1], "%" PRId64, e->unsent);
        snprintf(text[i][2], sizeof text[i][2], "%" PRId64, e->age);
        cells[i * 4] = e->topic;
        cells[i * 4 + 1] = e->partition >= 0 ? text[i][0] : NULL;
        cells[i * 4 + 2] = text[i][1];
        cells[i * 4 + 3] = text[i][2];
    }
    admin_table t = {.cols = 4, .rows = b->count, .names = names, .cells = cells, .numeric = numeric};
    st = admin_table_print(out, &t, json, err);
done:
    free(cells);
    free(text);
    return st;
}

fm_status admin_backlog_by_partition(PGconn *conn, rd_kafka_t *rk, int timeout_ms, int json, FILE *out,
                                     fm_error *err)
{
    PGresult *res = NULL;
    fm_status st =
        fm_pg_query(conn,
                    "SELECT topic, encode(message_key, 'hex'), count(*), "
                    "floor(extract(epoch FROM now() - min(created_at)))::bigint "
                    "FROM famins.outbox WHERE sent_at IS NULL GROUP BY topic, message_key ORDER BY topic",
                    0, NULL, &res, err);
    if (st != FM_OK)
        return st;
    backlog b = {0};
    unsigned char *key = NULL;
    size_t key_cap = 0;
    rd_kafka_topic_t *rkt = NULL;
    int32_t partitions = 0;
    for (int r = 0; r < PQntuples(res) && st == FM_OK; r++) {
        const char *topic = PQgetvalue(res, r, 0);
        if (r == 0 || strcmp(topic, PQgetvalue(res, r - 1, 0)) != 0) {
            if (rkt != NULL)
                rd_kafka_topic_destroy(rkt);
            rkt = rd_kafka_topic_new(rk, topic, NULL);
            partitions = rkt != NULL ? partition_count(rk, rkt, timeout_ms) : 0;
        }
        int32_t partition = -1;
        if (!PQgetisnull(res, r, 1) && partitions > 0) {
            size_t need = (size_t)PQgetlength(res, r, 1) / 2 + 1;
            if (need > key_cap) {
                unsigned char *grown = realloc(key, need);
                if (grown == NULL) {
                    st = FM_ENOMEM;
                    break;
                }
                key = grown;
                key_cap = need;
            }
            long len = admin_backlog_unhex(PQgetvalue(res, r, 1), key);
            /* The relay's partitioner (murmur2_random): murmur2 of the key, as librdkafka computes it. */
            if (len >= 0)
                partition = rd_kafka_msg_partitioner_murmur2(rkt, key, (size_t)len, partitions, NULL, NULL);
        }
        st = add(&b, topic, partition, strtoll(PQgetvalue(res, r, 2), NULL, 10),
                 strtoll(PQgetvalue(res, r, 3), NULL, 10));
    }
    if (st == FM_ENOMEM)
        fm_error_set(err, "", "NO_MEMORY", "out of memory");
    if (st == FM_OK) {
        if (b.count > 0)
            qsort(b.items, b.count, sizeof *b.items, by_topic_partition);
        st = print(&b, json, out, err);
    }
    if (rkt != NULL)
        rd_kafka_topic_destroy(rkt);
    free(key);
    free(b.items);
    PQclear(res);
    return st;
}
