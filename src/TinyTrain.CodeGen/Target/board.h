/* What the driver needs from a board: files on the host, a console line, an instruction counter, the stack's peak.
 * board_host.c implements it with stdio; cortex_m.c with semihosting, SysTick and a painted stack. */
#ifndef BOARD_H
#define BOARD_H

#include <stdint.h>

/* Opens a host file for reading ("rb") or writing ("wb"); returns a handle >= 0, or -1. */
int32_t board_open(const char *path, const char *mode);
/* Reads exactly count bytes; returns 0 on success. */
int32_t board_read(int32_t handle, void *buffer, uint32_t count);
/* Writes count bytes; returns 0 on success. */
int32_t board_write(int32_t handle, const void *buffer, uint32_t count);
void board_close(int32_t handle);
/* Prints a line of text to the console. */
void board_print(const char *text);
/* Instructions executed since the board started (0 where there is no counter). */
uint64_t board_instructions(void);
/* The deepest the stack has been, in bytes (0 where unknown). */
uint32_t board_stack_peak(void);

#endif /* BOARD_H */
