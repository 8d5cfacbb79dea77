/*
 * static.h — serves the built browser UI from a folder. Paths are checked
 * segment by segment (no dot segments, no hidden files); a path that names no
 * file and has no extension is a client-side route and gets index.html.
 */
#ifndef KADAM_HTTP_STATIC_H
#define KADAM_HTTP_STATIC_H

#include "http/http.h"

/* Fills resp for a GET or HEAD of req->path under ui_dir. */
void static_serve(const char *ui_dir, struct http_request *req, struct http_response *resp);
/* The Content-Type for a file name, from its extension. */
const char *static_content_type(const char *name);

#endif
