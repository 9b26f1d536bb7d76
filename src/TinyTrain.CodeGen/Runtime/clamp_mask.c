/* ClampMask (ClampMask.cs): the 1-bit masks a training forward saves for the backward pass. */
#include "tinytrain_internal.h"

int32_t tt_clamp_mask_byte_length(int32_t elements) { return (int32_t)(((int64_t)elements + 7) >> 3); }

int tt_clamp_mask_is_inside(const uint8_t *mask, int32_t index) { return (mask[index >> 3] >> (index & 7)) & 1; }

void tt_clamp_mask_set(uint8_t *mask, int32_t index) { mask[index >> 3] |= (uint8_t)(1u << (index & 7)); }

float tt_clamp_mask_apply(float value, float min, float max, uint8_t *mask, int32_t index)
{
    if (value >= min && value <= max) {
        if (mask != NULL) {
            tt_clamp_mask_set(mask, index);
        }

        return value;
    }

    return value < min ? min : value > max ? max : value; /* NaN passes through with bit 0 */
}
