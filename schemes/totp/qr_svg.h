/* SPDX-License-Identifier: Apache-2.0 */
/* A QR code (libqrencode) drawn as a small, self-contained SVG document. */
#ifndef PC_TOTP_QR_SVG_H
#define PC_TOTP_QR_SVG_H

/** The SVG of a QR code for `text` (new, free()), or NULL if it cannot be encoded. */
char *totp_qr_svg(const char *text);
#endif
