#include "domain/document.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "domain/keydates.h"

static const char *const languages[] = {"ky", "ru", "en"};

/* ---- HTML documents ---------------------------------------------------------------- */

void html_escape(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		case '\'': buf_puts(b, "&#39;"); break;
		default: buf_putc(b, *s);
		}
	}
}

/* The one style of every printed document; the CSP allows exactly this text by its hash. */
static const char style[] =
	"@page{size:A4;margin:20mm 18mm}"
	"body{font-family:'Times New Roman',Times,serif;font-size:12pt;line-height:1.45;color:#000;"
	"max-width:180mm;margin:0 auto;padding:8mm}"
	"h1{font-size:16pt;text-align:center;margin:0 0 4mm}"
	"h2{font-size:13pt;border-bottom:1px solid #000;margin:7mm 0 2mm;page-break-after:avoid}"
	"h3{font-size:12pt;margin:4mm 0 1mm;page-break-after:avoid}"
	"table{border-collapse:collapse;width:100%;margin:2mm 0}"
	"th,td{border:1px solid #555;padding:1mm 2mm;text-align:left;vertical-align:top}"
	"th{width:35%;font-weight:bold}"
	"table.list th{width:auto}"
	".text{white-space:pre-wrap}"
	".label{font-size:10pt;font-style:italic}"
	".notice{border:1px solid #000;padding:2mm 3mm;margin:3mm 0}"
	".draft{text-align:center;font-weight:bold;letter-spacing:.1em}"
	".muted{color:#444}"
	"footer{margin-top:8mm;font-size:10pt}"
	"img{max-width:40mm}";

static char style_csp[256];
static pthread_once_t csp_once = PTHREAD_ONCE_INIT;

static void csp_make(void)
{
	unsigned char hash[crypto_hash_sha256_BYTES];
	char b64[sodium_base64_ENCODED_LEN(crypto_hash_sha256_BYTES, sodium_base64_VARIANT_ORIGINAL)];
	crypto_hash_sha256(hash, (const unsigned char *)style, sizeof style - 1);
	sodium_bin2base64(b64, sizeof b64, hash, sizeof hash, sodium_base64_VARIANT_ORIGINAL);
	snprintf(style_csp, sizeof style_csp,
	         "default-src 'none'; style-src 'sha256-%s'; img-src data:; base-uri 'none'; form-action 'none'; "
	         "frame-ancestors 'none'",
	         b64);
}

const char *html_style_csp(void)
{
	pthread_once(&csp_once, csp_make);
	return style_csp;
}

void html_document_begin(struct buf *b, const char *lang, const char *title)
{
	buf_puts(b, "<!DOCTYPE html>\n<html lang=\"");
	html_escape(b, lang);
	buf_puts(b, "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width\">\n"
	            "<meta name=\"robots\" content=\"noindex\">\n<title>");
	html_escape(b, title);
	buf_puts(b, "</title>\n<style>");
	buf_puts(b, style);
	buf_puts(b, "</style>\n</head>\n<body>\n");
}

void html_document_end(struct buf *b)
{
	buf_puts(b, "</body>\n</html>\n");
}

void html_fill(struct buf *b, const char *text, const struct html_value *values, size_t n)
{
	const char *p = text ? text : "";
	while (*p) {
		const char *open = strchr(p, '{');
		struct buf plain = {0};
		buf_append(&plain, p, open ? (size_t)(open - p) : strlen(p));
		html_escape(b, plain.data);
		buf_free(&plain);
		if (!open)
			return;
		const struct html_value *v = NULL;
		size_t len = 0;
		for (size_t i = 0; !v && i < n; i++) {
			len = strlen(values[i].name);
			if (strncmp(open + 1, values[i].name, len) == 0 && open[1 + len] == '}')
				v = &values[i];
		}
		html_escape(b, v ? v->text : "{");
		p = v ? open + len + 2 : open + 1;
	}
}

void html_heading(struct buf *b, const char *text)
{
	buf_puts(b, "<h2>");
	html_escape(b, text);
	buf_puts(b, "</h2>\n");
}

void html_row(struct buf *b, const char *name, const char *value)
{
	buf_puts(b, "<tr><th>");
	html_escape(b, name);
	buf_puts(b, "</th><td>");
	html_escape(b, value);
	buf_puts(b, "</td></tr>\n");
}

const char *html_human_date(const char *iso, const char *lang, const char *missing, char out[48])
{
	struct civil_date d;
	if (iso && civil_date_parse(iso, &d))
		civil_date_human(d, lang, false, out);
	else
		snprintf(out, 48, "%s", iso && *iso ? iso : missing);
	return out;
}

/* ---- a document's wording -------------------------------------------------------------- */

static pthread_mutex_t wording_lock = PTHREAD_MUTEX_INITIALIZER;

/* Parses and checks w's file: every label present (or every one of w->keys) in each language. */
static void wording_load(struct wording *w)
{
	json_error_t err;
	json_t *t = json_loadb(w->json, *w->len, JSON_REJECT_DUPLICATES, &err);
	const json_t *labels = json_object_get(t, "labels");
	const char *problem = !t ? err.text : !json_is_object(labels) ? "no labels" : NULL;
	const char *key;
	const json_t *v;
	for (const char *const *k = w->keys; !problem && k && *k; k++)
		for (size_t l = 0; !problem && l < 3; l++)
			if (!json_string_value(json_object_get(json_object_get(labels, *k), languages[l])))
				problem = *k;
	json_object_foreach((json_t *)labels, key, v) {
		for (size_t l = 0; !problem && !w->keys && l < 3; l++)
			if (!json_string_value(json_object_get(v, languages[l])))
				problem = key;
	}
	if (problem) {
		log_error("the wording in %s is not usable: %s (every label needs ky, ru and en)", w->file, problem);
		json_decref(t);
		return;
	}
	w->doc = t;
}

const json_t *wording_document(struct wording *w)
{
	pthread_mutex_lock(&wording_lock);
	if (!w->tried) {
		w->tried = true;
		wording_load(w);
	}
	pthread_mutex_unlock(&wording_lock);
	return w->doc;
}

const char *wording_find(struct wording *w, const char *key, const char *lang)
{
	return json_string_value(json_object_get(json_object_get(json_object_get(wording_document(w), "labels"), key),
	                                         lang));
}

const char *wording_label(struct wording *w, const char *key, const char *lang)
{
	const char *s = wording_find(w, key, lang);
	return s ? s : key;
}

const char *wording_label_for(struct wording *w, const char *key, const char *variant, const char *lang)
{
	char specific[96];
	snprintf(specific, sizeof specific, "%s.%s", key, variant ? variant : "");
	const char *s = wording_find(w, specific, lang);
	return s ? s : wording_label(w, key, lang);
}
