/* listener.c — PLACEHOLDER (issue 7, owner: listener). */
#include "em/listener.h"

#include <stdlib.h>

struct em_listeners {
	int unused;
};

struct em_listeners *em_listeners_start(struct ingest *ingest, const char *gt06_listen, const char *teltonika_listen,
                                        long max_connections, long idle_timeout_s)
{
	(void)ingest; (void)gt06_listen; (void)teltonika_listen; (void)max_connections; (void)idle_timeout_s;
	return calloc(1, sizeof(struct em_listeners));
}
void em_listeners_stop(struct em_listeners **l) { free(*l); *l = NULL; }
size_t em_listeners_connections(struct em_listeners *l) { (void)l; return 0; }
