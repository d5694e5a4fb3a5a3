/* fm_http.c — the operations HTTP endpoint on libmicrohttpd: /metrics, /healthz, /readyz. */
#include "fm_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct fm_http {
    struct MHD_Daemon *daemon;
    fm_metrics *metrics;
    fm_health *health;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                             size_t len, enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, mode);
    if (r == NULL) {
        if (mode == MHD_RESPMEM_MUST_FREE)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                              const char *version, const char *upload_data, size_t *upload_data_size,
                              void **con_cls)
{
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    (void)con_cls;
    fm_http *http = cls;
    static const char text[] = "text/plain; charset=utf-8";
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
        return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, text, "GET only\n", 9, MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/metrics") == 0) {
        char *body = NULL;
        size_t len = 0;
        if (fm_metrics_render(http->metrics, &body, &len) != FM_OK)
            return reply(c, MHD_HTTP_INTERNAL_SERVER_ERROR, text, "out of memory\n", 14,
                         MHD_RESPMEM_PERSISTENT);
        return reply(c, MHD_HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", body, len,
                     MHD_RESPMEM_MUST_FREE);
    }
    if (strcmp(url, "/healthz") == 0)
        return reply(c, MHD_HTTP_OK, text, "ok\n", 3, MHD_RESPMEM_PERSISTENT);
    if (strcmp(url, "/readyz") == 0) {
        fm_health_view v;
        char reason[200], body[256];
        fm_health_view_of(http->health, fm_health_now_ms(), &v);
        int ready = fm_health_ready(&v, reason, sizeof reason);
        int n = snprintf(body, sizeof body, "%s\n", reason);
        return reply(c, ready ? MHD_HTTP_OK : MHD_HTTP_SERVICE_UNAVAILABLE, text, body, (size_t)n,
                     MHD_RESPMEM_MUST_COPY);
    }
    return reply(c, MHD_HTTP_NOT_FOUND, text, "not found: /metrics, /healthz, /readyz\n", 39,
                 MHD_RESPMEM_PERSISTENT);
}

fm_status fm_http_start(const char *address, int port, fm_metrics *metrics, fm_health *health, fm_http **out,
                        fm_error *err)
{
    struct sockaddr_in in4 = {0};
    struct sockaddr_in6 in6 = {0};
    const struct sockaddr *sa = NULL;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD;
    if (inet_pton(AF_INET, address, &in4.sin_addr) == 1) {
        in4.sin_family = AF_INET;
        in4.sin_port = htons((uint16_t)port);
        sa = (const struct sockaddr *)&in4;
    } else if (inet_pton(AF_INET6, address, &in6.sin6_addr) == 1) {
        in6.sin6_family = AF_INET6;
        in6.sin6_port = htons((uint16_t)port);
        sa = (const struct sockaddr *)&in6;
        flags |= MHD_USE_IPv6;
    } else {
        fm_error_set(err, "FAMINS_METRICS_ADDRESS", "BAD_ADDRESS",
                     "FAMINS_METRICS_ADDRESS=\"%s\" is not an IPv4 or IPv6 address", address);
        return FM_ECONFIG;
    }
    fm_http *http = calloc(1, sizeof *http);
    if (http == NULL)
        return FM_ENOMEM;
    http->metrics = metrics;
    http->health = health;
    /* A scrape is small and quick: few connections, a short timeout, so a stuck client holds nothing long. */
    http->daemon = MHD_start_daemon(flags, (uint16_t)port, NULL, NULL, answer, http, MHD_OPTION_SOCK_ADDR, sa,
                                    MHD_OPTION_CONNECTION_LIMIT, (unsigned)16, MHD_OPTION_CONNECTION_TIMEOUT,
                                    (unsigned)10, MHD_OPTION_END);
    if (http->daemon == NULL) {
        int e = errno;
        free(http);
        fm_error_set(err, "FAMINS_METRICS_PORT", "LISTEN_FAILED", "cannot listen on %s port %d: %s", address,
                     port, strerror(e));
        return FM_EIO;
    }
    *out = http;
    return FM_OK;
}

void fm_http_stop(fm_http *http)
{
    if (http == NULL)
        return;
    MHD_stop_daemon(http->daemon);
    free(http);
}
