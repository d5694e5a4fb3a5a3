/* fm_kafka_topic.c — waiting until a topic can take messages (see the header for why). */
#include "fm_kafka_topic.h"

#include <stdbool.h>
#include <time.h>

#include "fm_clock.h"

static bool partitions_online(rd_kafka_t *rk, const rd_kafka_metadata_topic_t *t, int timeout_ms,
                              fm_error *err)
{
    for (int i = 0; i < t->partition_cnt; i++) {
        const rd_kafka_metadata_partition_t *p = &t->partitions[i];
        int64_t low = 0, high = 0;
        rd_kafka_resp_err_t e = p->err;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR && p->leader < 0)
            e = RD_KAFKA_RESP_ERR_LEADER_NOT_AVAILABLE;
        if (e == RD_KAFKA_RESP_ERR_NO_ERROR)
            e = rd_kafka_query_watermark_offsets(rk, t->topic, p->id, &low, &high, timeout_ms);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fm_error_set(err, t->topic, "PARTITION_OFFLINE", "partition %d: %s", (int)p->id,
                         rd_kafka_err2str(e));
            return false;
        }
    }
    return true;
}

fm_status fm_kafka_topic_wait_online(rd_kafka_t *rk, const char *topic, int timeout_ms, int *partitions,
                                     fm_error *err)
{
    rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
    if (rkt == NULL) {
        fm_error_set(err, topic, "BAD_TOPIC", "%s", rd_kafka_err2str(rd_kafka_last_error()));
        return FM_EKAFKA;
    }
    int64_t start = fm_clock_mono_us();
    fm_status st = FM_ENOTFOUND;
    for (;;) {
        int elapsed = (int)((fm_clock_mono_us() - start) / 1000);
        int left = timeout_ms - elapsed < 100 ? 100 : timeout_ms - elapsed;
        const struct rd_kafka_metadata *md = NULL;
        rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, rkt, &md, left);
        if (e != RD_KAFKA_RESP_ERR_NO_ERROR) {
            fm_error_set(err, topic, "METADATA", "%s", rd_kafka_err2str(e));
            st = e == RD_KAFKA_RESP_ERR__TIMED_OUT ? FM_ETIMEDOUT : FM_EKAFKA;
            break;
        }
        bool online = md->topic_cnt == 1 && md->topics[0].err == RD_KAFKA_RESP_ERR_NO_ERROR &&
                      md->topics[0].partition_cnt > 0;
        if (online) {
            if (partitions != NULL)
                *partitions = md->topics[0].partition_cnt;
            online = partitions_online(rk, &md->topics[0], left < 5000 ? left : 5000, err);
        } else {
            fm_error_set(err, topic, "NO_TOPIC", "%s",
                         md->topic_cnt == 1 ? rd_kafka_err2str(md->topics[0].err) : "not in the metadata");
        }
        rd_kafka_metadata_destroy(md);
        if (online) {
            st = FM_OK;
            break;
        }
        if (elapsed >= timeout_ms)
            break;
        struct timespec pause = {.tv_sec = 0, .tv_nsec = 300 * 1000000L};
        nanosleep(&pause, NULL);
    }
    rd_kafka_topic_destroy(rkt);
    return st;
}
