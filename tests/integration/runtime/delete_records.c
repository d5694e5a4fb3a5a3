/* delete_records.c — test tool: deletes a partition's records below an offset (Kafka DeleteRecords), so that
 * a test can make Kafka's low watermark pass a stored position, as retention would. Usage:
 *   runtime_delete_records BOOTSTRAP TOPIC PARTITION BEFORE_OFFSET   (-1: up to the end) */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: %s BOOTSTRAP TOPIC PARTITION BEFORE_OFFSET\n", argv[0]);
        return 2;
    }
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "%s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "%s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 2;
    }
    rd_kafka_topic_partition_list_t *offsets = rd_kafka_topic_partition_list_new(1);
    long long before = strtoll(argv[4], NULL, 10);
    rd_kafka_topic_partition_list_add(offsets, argv[2], atoi(argv[3]))->offset =
        before < 0 ? RD_KAFKA_OFFSET_END : before;
    rd_kafka_DeleteRecords_t *del = rd_kafka_DeleteRecords_new(offsets);
    rd_kafka_topic_partition_list_destroy(offsets);
    rd_kafka_queue_t *q = rd_kafka_queue_new(rk);
    rd_kafka_DeleteRecords(rk, &del, 1, NULL, q);
    rd_kafka_DeleteRecords_destroy(del);
    rd_kafka_event_t *ev = rd_kafka_queue_poll(q, 30000);
    int rc = 1;
    if (ev == NULL) {
        fprintf(stderr, "DeleteRecords: no answer\n");
    } else if (rd_kafka_event_error(ev) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "DeleteRecords: %s\n", rd_kafka_event_error_string(ev));
    } else {
        const rd_kafka_topic_partition_list_t *res =
            rd_kafka_DeleteRecords_result_offsets(rd_kafka_event_DeleteRecords_result(ev));
        if (res->cnt == 1 && res->elems[0].err == RD_KAFKA_RESP_ERR_NO_ERROR) {
            printf("%lld\n", (long long)res->elems[0].offset); /* the new low watermark */
            rc = 0;
        } else {
            fprintf(stderr, "DeleteRecords: %s\n",
                    res->cnt ? rd_kafka_err2str(res->elems[0].err) : "no result");
        }
    }
    if (ev != NULL)
        rd_kafka_event_destroy(ev);
    rd_kafka_queue_destroy(q);
    rd_kafka_destroy(rk);
    return rc;
}
