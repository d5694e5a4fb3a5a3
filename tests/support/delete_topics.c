/* delete_topics.c — test helper: deletes every topic whose name starts with a test's prefix, so that test
 * runs do not pile partitions up in the local broker. Refuses an empty or famins-looking production prefix.
 */
#include <librdkafka/rdkafka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    if (argc != 3 || strncmp(argv[2], "t.", 2) != 0) {
        fprintf(stderr,
                "usage: delete_topics BOOTSTRAP PREFIX   (PREFIX must start with \"t.\", a test prefix)\n");
        return 2;
    }
    const char *prefix = argv[2];
    char errstr[512];
    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    if (rd_kafka_conf_set(conf, "bootstrap.servers", argv[1], errstr, sizeof errstr) != RD_KAFKA_CONF_OK) {
        fprintf(stderr, "delete_topics: %s\n", errstr);
        rd_kafka_conf_destroy(conf);
        return 1;
    }
    rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
    if (rk == NULL) {
        fprintf(stderr, "delete_topics: %s\n", errstr);
        return 1;
    }
    int code = 1;
    const struct rd_kafka_metadata *md = NULL;
    rd_kafka_DeleteTopic_t **doomed = NULL;
    size_t count = 0;
    if (rd_kafka_metadata(rk, 1, NULL, &md, 15000) != RD_KAFKA_RESP_ERR_NO_ERROR) {
        fprintf(stderr, "delete_topics: cannot read metadata\n");
        goto done;
    }
    doomed = calloc((size_t)md->topic_cnt + 1, sizeof *doomed);
    if (doomed == NULL)
        goto done;
    for (int i = 0; i < md->topic_cnt; i++)
        if (strncmp(md->topics[i].topic, prefix, strlen(prefix)) == 0)
            doomed[count++] = rd_kafka_DeleteTopic_new(md->topics[i].topic);
    if (count == 0) {
        code = 0;
        goto done;
    }
    rd_kafka_queue_t *queue = rd_kafka_queue_new(rk);
    rd_kafka_DeleteTopics(rk, doomed, count, NULL, queue);
    rd_kafka_event_t *event = rd_kafka_queue_poll(queue, 30000);
    if (event != NULL && rd_kafka_event_error(event) == RD_KAFKA_RESP_ERR_NO_ERROR)
        code = 0;
    else
        fprintf(stderr, "delete_topics: %s\n",
                event ? rd_kafka_event_error_string(event) : "no answer in 30 s");
    if (event != NULL)
        rd_kafka_event_destroy(event);
    rd_kafka_queue_destroy(queue);
done:
    if (doomed != NULL) {
        rd_kafka_DeleteTopic_destroy_array(doomed, count);
        free(doomed);
    }
    if (md != NULL)
        rd_kafka_metadata_destroy(md);
    rd_kafka_destroy(rk);
    return code;
}
