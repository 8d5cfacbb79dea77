/*
 * recurrence.h — appointment times: local times in the deployment's zone
 * ('YYYY-MM-DDTHH:MM'), RFC 5545 recurrence rules expanded with libical, and
 * the conversion of a local time to an instant (DST gaps move forward, as
 * RFC 5545 says).
 */
#ifndef KADAM_DOMAIN_RECURRENCE_H
#define KADAM_DOMAIN_RECURRENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LOCAL_TIME_LEN 17 /* "YYYY-MM-DDTHH:MM" + NUL */
#define RECURRENCE_MAX_RULE 300

struct occurrence {
	char start_local[LOCAL_TIME_LEN];    /* when it happens (after any exception) */
	char original_local[LOCAL_TIME_LEN]; /* when the rule put it (the occurrence's identity) */
	int64_t start_ms;                    /* start_local as an instant, UTC */
};

/* True for a well-formed local time 'YYYY-MM-DDTHH:MM' that exists as a calendar date. */
bool local_time_valid(const char *s);
/* A local time in zone tz (an Olson name) as an instant, UTC. False for a bad time or zone. */
bool local_to_utc_ms(const char *local, const char *tz, int64_t *ms_r);
/* An instant as local time in zone tz. */
bool utc_ms_to_local(int64_t ms, const char *tz, char out[LOCAL_TIME_LEN]);

/* Checks an RRULE value (without "RRULE:"): parses, FREQ DAILY/WEEKLY/MONTHLY/YEARLY only,
 * INTERVAL 1..52, and at most `max_count` occurrences when bounded. err names the problem. */
bool recurrence_rule_check(const char *rrule, const char *dtstart_local, char *err, size_t errlen);
/* The same with the zone a UTC UNTIL is read in (recurrence_rule_check reads it as local time). */
bool recurrence_rule_check_tz(const char *rrule, const char *dtstart_local, const char *tz, char *err,
                              size_t errlen);

/*
 * A checked rule as stored: an UNTIL given as a date (the whole day) or as a
 * floating local time is rewritten as the UTC instant it means in zone tz
 * ("UNTIL=20260316" in Asia/Bishkek -> "UNTIL=20260316T175959Z"), as RFC 5545
 * wants with a DTSTART in a zone; the rest is kept as written. Expansion of
 * either form gives the same occurrences. False for a bad rule or zone, or
 * when out (outlen bytes) is too small.
 */
bool recurrence_rule_normalize(const char *rrule, const char *tz, char *out, size_t outlen);

/*
 * The occurrences of an appointment starting at dtstart_local and repeating by
 * rrule (NULL: once) whose rule time falls in [from_local, to_local), in order,
 * at most max of them. Returns their number, or -1 for a bad rule or time.
 * Exceptions are not applied here (the caller has them as rows).
 */
int recurrence_expand(const char *dtstart_local, const char *rrule, const char *tz, const char *from_local,
                      const char *to_local, struct occurrence *out, int max);

#endif
