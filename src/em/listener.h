/*
 * listener.h — the TCP listeners for GT06 and Teltonika devices: one thread
 * with a libuv event loop holding thousands of mostly idle connections, per
 * connection a read buffer (bounded), the device's identity after its login,
 * and acknowledgements sent only when the ingest writer reports the fixes
 * durably stored. A connection that sends bytes no decoder accepts, or
 * nothing for the idle timeout, is closed.
 */
#ifndef KADAM_EM_LISTENER_H
#define KADAM_EM_LISTENER_H

#include "em/ingest.h"

struct em_listeners;

/* gt06_listen / teltonika_listen: "HOST:PORT", or "" for none. NULL on failure (logged). */
struct em_listeners *em_listeners_start(struct ingest *ingest, const char *gt06_listen, const char *teltonika_listen,
                                        long max_connections, long idle_timeout_s);
void em_listeners_stop(struct em_listeners **l);
/* Open connections now (for /metrics and the memory benchmark). */
size_t em_listeners_connections(struct em_listeners *l);

#endif
