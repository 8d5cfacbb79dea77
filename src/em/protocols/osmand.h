/*
 * osmand.h — the OsmAnd protocol (HTTP): the query-string form
 * (id=..&lat=..&lon=..&timestamp=..&hdop|accuracy=..&speed=..&bearing=..&altitude=..&batt=..&alarm=..)
 * and the JSON body the Traccar Client app sends
 * ({"device_id": .., "location": {"timestamp": .., "coords": {...}, "battery": {...}, "event": ..}}).
 * Pure: bytes in, a fix out; no I/O, no clock.
 */
#ifndef KADAM_EM_OSMAND_H
#define KADAM_EM_OSMAND_H

#include <stddef.h>

#include "em/fix.h"

/* Decodes one message. true: *fix_r filled. false: err gets a short English reason ("lat: not a number"). */
bool osmand_decode_query(const char *query, size_t len, struct em_fix *fix_r, char *err, size_t cap);
bool osmand_decode_json(const char *body, size_t len, struct em_fix *fix_r, char *err, size_t cap);

#endif
