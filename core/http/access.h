/* SPDX-License-Identifier: Apache-2.0 */
/* The libmicrohttpd access handler in front of the router: a request's head is judged before its body is read. */
#ifndef PC_HTTP_ACCESS_H
#define PC_HTTP_ACCESS_H

#include <stddef.h>
#include <sys/types.h>
#include <microhttpd.h>

struct _u_request;
struct _u_response;

/**
 * Answers one fully read request: fills `resp` (ulfius structures, nothing parsed by ulfius).
 * `refusal` is 0, or 431 when the head had too many fields (then only the request line, the
 * client address and the headers naming the request are in `req`).
 */
typedef void (*pc_http_dispatch_fn)(const struct _u_request *req, unsigned refusal,
                                    struct _u_response *resp);

/** Where the access handler sends requests, and the body limit it applies. Set before start. */
void pc_http_access_setup(pc_http_dispatch_fn dispatch, size_t max_body);
/** From now on every answer carries `Connection: close` (the server is draining). */
void pc_http_access_drain(void);
/** Requests whose head has arrived and whose answer is not yet sent. */
long pc_http_access_in_flight(void);

/** MHD_OPTION_URI_LOG_CALLBACK: a request line has arrived; returns the request's context. */
void *pc_http_access_begin(void *cls, const char *uri, struct MHD_Connection *c);
/** The MHD_AccessHandlerCallback. */
enum MHD_Result pc_http_access_handle(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version, const char *upload,
                                      size_t *upload_size, void **con_cls);
/** MHD_OPTION_NOTIFY_COMPLETED: frees the request's context. */
void pc_http_access_end(void *cls, struct MHD_Connection *c, void **con_cls,
                        enum MHD_RequestTerminationCode toe);
#endif
