/* osmand.c — PLACEHOLDER (issue 7, owner: decoders). */
#include "em/protocols/osmand.h"

#include <stdio.h>

bool osmand_decode_query(const char *query, size_t len, struct em_fix *fix_r, char *err, size_t cap)
{
	(void)query; (void)len; (void)fix_r;
	snprintf(err, cap, "PLACEHOLDER");
	return false;
}
bool osmand_decode_json(const char *body, size_t len, struct em_fix *fix_r, char *err, size_t cap)
{
	(void)body; (void)len; (void)fix_r;
	snprintf(err, cap, "PLACEHOLDER");
	return false;
}
