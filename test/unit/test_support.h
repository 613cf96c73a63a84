/* SPDX-License-Identifier: Apache-2.0 */
/* What every unit test includes: cmocka in the order it needs. */
#ifndef PC_TEST_SUPPORT_H
#define PC_TEST_SUPPORT_H
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#endif
