/* SPDX-License-Identifier: Apache-2.0 */
/* Portcullis SDK: the one header a plugin includes. */
#ifndef PORTCULLIS_PORTCULLIS_H
#define PORTCULLIS_PORTCULLIS_H
#include "status.h"
#include "plugin.h"
#include "host.h"
#include "grant.h"
#include "scheme.h"
#include "provider.h"
#include "storage.h"
#include "idp.h"
#endif
