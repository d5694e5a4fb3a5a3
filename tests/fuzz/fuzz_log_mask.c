/* fuzz_log_mask.c — libFuzzer property harness: the log mask (fm_log_mask_identity_numbers) and the logger
 * that applies it, on any text: never a crash, the text keeps its length, no 18-digit run survives. */
#include "fm_log.h"
#include "fuzz_support.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An identity number is 18 characters: 17 digits and a digit or X. */
#define ID_LEN 18

static void check_mask(const uint8_t *data, size_t size)
{
    /* The input as a C string; bytes after an embedded NUL are not the mask's and must stay as they are. */
    char *text = malloc(size + 1);
    FUZZ_REQUIRE(text != NULL, "memory for the text");
    memcpy(text, data, size);
    text[size] = '\0';
    size_t len = strlen(text);
    fm_log_mask_identity_numbers(text);
    FUZZ_REQUIRE(strlen(text) == len, "the masked text keeps its length");
    FUZZ_REQUIRE(!fuzz_has_digit_run(text, len, ID_LEN), "no 18-digit run survives the mask");
    FUZZ_REQUIRE(memcmp(text + len, data + len, size - len) == 0, "nothing after the terminator is touched");
    free(text);
}

/* A JSON log line: it is JSON when the detail was UTF-8 (json_string refuses anything else), and its strings,
 * as a reader decodes them, hold no 18-digit run. The raw line may: an escape such as \u0018 before a
 * 14-digit number (too short to be masked) reads as 18 digits, but no reader sees them as such. */
static void check_json_line(const char *line, size_t len, const char *text)
{
    json_error_t jerr;
    json_t *root = json_loadb(line, len, 0, &jerr);
    if (root == NULL) {
        json_t *probe = json_string(text);
        FUZZ_REQUIRE(probe == NULL, "a JSON log line of a UTF-8 detail is JSON");
        return;
    }
    const char *key;
    json_t *value;
    json_object_foreach(root, key, value)
    {
        if (json_is_string(value))
            FUZZ_REQUIRE(!fuzz_has_digit_run(json_string_value(value), json_string_length(value), ID_LEN),
                         "no 18-digit run reaches the log");
    }
    json_decref(root);
}

/* The whole logger, both formats: what reaches the log holds no 18-digit run either (the detail is cut to the
 * logger's buffer before it is masked). */
static void check_logger(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    FUZZ_REQUIRE(text != NULL, "memory for the text");
    memcpy(text, data, size);
    text[size] = '\0';
    for (int format = FM_LOG_KV; format <= FM_LOG_JSON; format++) {
        char *out = NULL;
        size_t out_len = 0;
        FILE *f = open_memstream(&out, &out_len);
        FUZZ_REQUIRE(f != NULL, "a memory stream");
        fm_logger logger = {
            .level = FM_LOG_DEBUG, .format = (fm_log_format)format, .out = f, .component = "fuzz"};
        fm_log(&logger, FM_LOG_INFO, "fuzz_input", "detail=%s", text);
        FUZZ_REQUIRE(fclose(f) == 0, "the memory stream closes");
        if (format == FM_LOG_JSON)
            check_json_line(out, out_len, text);
        else
            FUZZ_REQUIRE(!fuzz_has_digit_run(out, out_len, ID_LEN), "no 18-digit run reaches the log");
        free(out);
    }
    free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    check_mask(data, size);
    check_logger(data, size);
    return 0;
}
