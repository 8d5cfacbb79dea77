/* release.c — PLACEHOLDER: the release-planning helper replaces it (domain: the planning window, handover). */
#include "store/db.h"
