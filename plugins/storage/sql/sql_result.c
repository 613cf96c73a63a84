/* SPDX-License-Identifier: Apache-2.0 */
/* Materialised query results shared by the SQL drivers. */
#include <stdlib.h>
#include "sql_driver.h"

void sql_result_free(sql_result *r)
{
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nrows * r->ncols; i++)
        free(r->cells[i]);
    free(r->cells);
    free(r);
}

const char *sql_cell(const sql_result *r, size_t row, size_t col)
{
    if (r == NULL || row >= r->nrows || col >= r->ncols)
        return NULL;
    return r->cells[row * r->ncols + col];
}
