/* SPDX-License-Identifier: Apache-2.0 */
/* A test plugin without the entry symbol: the loader must refuse it. */
#include <portcullis/portcullis.h>

PC_EXPORT int not_the_entry_point(void);
PC_EXPORT int not_the_entry_point(void)
{
    return 42;
}
