/* SliceMerge (SliceMerge.cs): a filter trained on some input channels keeps only those in SRAM, a [rows, k] slice;
 * the whole filter is rebuilt from flash for each call that reads it. */
#include <string.h>

#include "tinytrain_internal.h"

void tt_slice_merge(const int8_t *frozen, const int8_t *trained, const int32_t *channels, int32_t k, int32_t rows,
                    int32_t inner, int8_t *merged)
{
    int32_t row, j;
    memcpy(merged, frozen, (size_t)(rows * inner));
    for (row = 0; row < rows; row++) {
        for (j = 0; j < k; j++) {
            merged[row * inner + channels[j]] = trained[row * k + j];
        }
    }
}
