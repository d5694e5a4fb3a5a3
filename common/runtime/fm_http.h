/* fm_http.h — the operations HTTP endpoint (libmicrohttpd, its own thread): GET /metrics (Prometheus text
 * format), /healthz (the process answers) and /readyz (fm_health's rule: 200 ready, 503 with the reason). */
#ifndef FM_HTTP_H
#define FM_HTTP_H

#include "fm_error.h"
#include "fm_health.h"
#include "fm_metrics.h"

typedef struct fm_http fm_http;

/* Listens on address:port (IPv4 or IPv6 literal) and serves metrics and health from its own thread until
 * fm_http_stop. metrics and health are borrowed and must outlive the server. FM_ECONFIG for an address that
 * is not a literal, FM_EIO when the port cannot be bound (err says which), FM_ENOMEM. */
fm_status fm_http_start(const char *address, int port, fm_metrics *metrics, fm_health *health, fm_http **out,
                        fm_error *err);

/* Stops the thread, closes the socket, frees the server (NULL is fine). */
void fm_http_stop(fm_http *http);

#endif
