/* SPDX-License-Identifier: Apache-2.0 */
/* A QR code (libqrencode) drawn as a small, self-contained SVG document: one path, runs of dark modules. */
#include "qr_svg.h"

#include <qrencode.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUIET 4 /* modules of white border (ISO/IEC 18004 §6.3.8) */

typedef struct sbuf {
    char *s;
    size_t len, cap;
    int failed;
} sbuf;

static void add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(sbuf *b, const char *fmt, ...)
{
    char piece[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(piece, sizeof piece, fmt, ap);
    va_end(ap);

    if (b->failed || n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = realloc(b->s, cap);
        if (s == NULL) {
            b->failed = 1;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    memcpy(b->s + b->len, piece, (size_t)n + 1);
    b->len += (size_t)n;
}

/* One row: a horizontal run of dark modules becomes one "h" segment of the path. */
static void draw_row(sbuf *b, const QRcode *qr, int y)
{
    int x = 0, w = qr->width;

    while (x < w) {
        int start;
        if (!(qr->data[y * w + x] & 1)) {
            x++;
            continue;
        }
        start = x;
        while (x < w && (qr->data[y * w + x] & 1))
            x++;
        add(b, "M%d %dh%dv1h-%dz", start + QUIET, y + QUIET, x - start, x - start);
    }
}

char *totp_qr_svg(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    sbuf b = {0};
    int size;

    if (qr == NULL)
        return NULL;
    size = qr->width + 2 * QUIET;
    add(&b,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" width=\"%d\" "
        "height=\"%d\"",
        size, size, size * 4, size * 4);
    add(&b, " shape-rendering=\"crispEdges\"><rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>"
            "<path fill=\"#000\" d=\"");
    for (int y = 0; y < qr->width; y++)
        draw_row(&b, qr, y);
    add(&b, "\"/></svg>");
    QRcode_free(qr);
    if (b.failed) {
        free(b.s);
        return NULL;
    }
    return b.s;
}
