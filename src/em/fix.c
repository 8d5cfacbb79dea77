/* fix.c — PLACEHOLDER (issue 7, owner: decoders). */
#include "em/fix.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

const char *em_event_name(uint32_t bit) { (void)bit; return NULL; }
uint32_t em_event_bit(const char *name) { (void)name; return 0; }
void em_fix_init(struct em_fix *f)
{
	memset(f, 0, sizeof *f);
	f->accuracy_m = f->speed_kmh = f->course_deg = f->altitude_m = NAN;
	f->satellites = f->battery_pct = -1;
}
bool em_fix_check(const struct em_fix *f, int64_t now_ms, char *reason, size_t cap)
{
	(void)f; (void)now_ms;
	snprintf(reason, cap, "PLACEHOLDER");
	return false;
}
