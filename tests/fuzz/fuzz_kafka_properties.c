/* fuzz_kafka_properties.c — libFuzzer harness: the Kafka properties pass-through, as a file
 * (fm_kafka_conf_apply_file, FAMINS_KAFKA_PROPERTIES_FILE) and as a list (fm_kafka_conf_apply_list,
 * FAMINS_KAFKA_PROPERTIES). */
#include "fm_kafka.h"
#include "fuzz_support.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static void check(fm_status st, const fm_error *err)
{
    FUZZ_REQUIRE(st == FM_OK || st == FM_ECONFIG, "a readable file or a list gives FM_OK or FM_ECONFIG");
    if (st != FM_OK)
        fuzz_check_error(err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* librdkafka loads a plugin (dlopen) as soon as plugin.library.paths is set: that is the library's doing,
     * not the parser's, and no input should make the fuzzer load libraries. */
    static const char plugin[] = "plugin.";
    if (memmem(data, size, plugin, sizeof plugin - 1) != NULL)
        return 0;

    rd_kafka_conf_t *conf = rd_kafka_conf_new();
    FUZZ_REQUIRE(conf != NULL, "librdkafka gives a configuration");
    fm_error err;
    check(fm_kafka_conf_apply_file(conf, fuzz_input_file(data, size), &err), &err);
    rd_kafka_conf_destroy(conf);

    char *list = malloc(size + 1);
    FUZZ_REQUIRE(list != NULL, "memory for the list");
    memcpy(list, data, size);
    list[size] = '\0';
    conf = rd_kafka_conf_new();
    FUZZ_REQUIRE(conf != NULL, "librdkafka gives a configuration");
    check(fm_kafka_conf_apply_list(conf, list, &err), &err);
    rd_kafka_conf_destroy(conf);
    free(list);
    return 0;
}
