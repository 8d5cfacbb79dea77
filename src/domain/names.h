/*
 * names.h — search keys and readable spellings of people's names, in Cyrillic
 * and in Latin, for the people search.
 *
 * A clerk in Kyrgyzstan may type a name as the passport prints it
 * (Zhumabekov), as it sounds (Jumabekov), in Cyrillic (Жумабеков) or in a
 * transliteration standard (ISO 9: Žumabekov). names_key() maps all of them
 * to one key, so an exact match on keys finds every spelling, and
 * names_distance() on keys tolerates typing mistakes on top of that.
 *
 * Every function is thread-safe. The ICU transliterators behind them are
 * compiled on first use and shared through a pool (one set per thread that
 * is inside the module at the same moment); names_shutdown() frees them.
 * An out buffer must not overlap the input.
 */
#ifndef KADAM_DOMAIN_NAMES_H
#define KADAM_DOMAIN_NAMES_H

#include <stdbool.h>
#include <stddef.h>

#define NAMES_KEY_MAX 512    /* the out buffer to use: room for the key of any name people type */
#define NAMES_INPUT_MAX 2048 /* bytes of UTF-8; longer inputs are refused, which bounds the work per call */

/* The search key of a name or a whole query: tokens of ASCII lower-case letters and digits separated by one space,
   the same for every spelling of the same name in either script. Tokens keep the order of the input; a token
   with a digit (a document number) is only lower-cased. The rules are described in names.c. False when out is
   too small, the input is not UTF-8 or is longer than NAMES_INPUT_MAX. */
bool names_key(const char *utf8, char *out, size_t outsz);
/* A readable Latin spelling of the Cyrillic words of a name, in the style of Kyrgyz passports: ICU's
   Kirghiz-Latin/BGN with ж→zh, й→i, ө→o, ү→u, ң→n before г/к (else ng), ё→yo at the start of a word and after a
   vowel (else e), ъ and ь dropped: Бердибаев→Berdibaev, Жумабеков→Zhumabekov, Өмүрбеков→Omurbekov,
   Чыңгыз→Chyngyz, Юсупов→Yusupov, Айбек→Aibek, Цой→Tsoi. Capitals follow each word (ИВАНОВ→IVANOV); words
   without Cyrillic pass through unchanged apart from NFC. False as for names_key. */
bool names_latin(const char *utf8, char *out, size_t outsz);
/* A Cyrillic spelling of the Latin words of a name (Russian-style rules, best effort: Berdibaev→Бердибаев,
   Zhumabekov→Жумабеков, Yusupov/Iusupov→Юсупов, Erlan→Эрлан, Ömürbekov→Өмүрбеков). Words without Latin
   letters pass through unchanged apart from NFC. False as for names_key. */
bool names_cyrillic(const char *utf8, char *out, size_t outsz);
/* Optimal-string-alignment (Damerau) distance between two keys, counted in bytes: an insertion, a deletion, a
   substitution or a swap of two neighbours costs 1. Returns max+1 as soon as the distance must exceed max.
   NULL counts as "". */
int names_distance(const char *a, const char *b, int max);
/* Free the module's cached ICU objects (at process exit, when no other thread is inside the module; safe to call
   more than once, and a later call of another function compiles them again). */
void names_shutdown(void);

#endif
