/* The board of a host build: stdio files, no instruction counter. */
#include <stdio.h>

#include "board.h"

#define MAX_FILES 4
static FILE *files[MAX_FILES];

int32_t board_open(const char *path, const char *mode)
{
    int32_t i;
    for (i = 0; i < MAX_FILES; i++) {
        if (files[i] == NULL) {
            files[i] = fopen(path, mode);
            return files[i] != NULL ? i : -1;
        }
    }
    return -1;
}

int32_t board_read(int32_t handle, void *buffer, uint32_t count)
{
    return fread(buffer, 1, count, files[handle]) == count ? 0 : -1;
}

int32_t board_write(int32_t handle, const void *buffer, uint32_t count)
{
    return fwrite(buffer, 1, count, files[handle]) == count ? 0 : -1;
}

void board_close(int32_t handle)
{
    fclose(files[handle]);
    files[handle] = NULL;
}

void board_print(const char *text) { puts(text); }

uint64_t board_instructions(void) { return 0; }

uint32_t board_stack_peak(void) { return 0; }
