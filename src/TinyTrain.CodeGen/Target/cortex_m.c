/* The board of a Cortex-M build under QEMU (mps2-an500 / mps2-an386): vector table and reset, host files and the
 * console through semihosting (no heap, no stdio), instructions counted with SysTick (QEMU -icount shift=0 makes
 * 1 tick = 40 instructions on these boards), and the stack's peak from a painted stack. */
#include <stdint.h>
#include <string.h>

#include "board.h"

extern uint32_t __etext, __data_start__, __data_end__, __bss_start__, __bss_end__, __StackTop, __StackLimit;
extern int main(int argc, char **argv);

void Reset_Handler(void);
void SysTick_Handler(void);
void _init(void);
void _fini(void);

#define STACK_PAINT 0xDEADBEEFu
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define TICKS_PER_WRAP 0x1000000u
#define INSTRUCTIONS_PER_TICK 40u

static volatile uint32_t systick_wraps;

/* Semihosting: operation in r0, argument block in r1, result in r0. */
static int32_t semihost(int32_t operation, const void *argument)
{
    register int32_t r0 __asm__("r0") = operation;
    register const void *r1 __asm__("r1") = argument;
    __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

static void board_exit(int code)
{
    /* SYS_EXIT with ADP_Stopped_ApplicationExit (QEMU exits 0) or ADP_Stopped_RunTimeErrorUnknown (exits 1). */
    semihost(0x18, (const void *)(uintptr_t)(code == 0 ? 0x20026u : 0x20023u));
    for (;;) {
    }
}

static void default_handler(void)
{
    for (;;) {
    }
}

static void hard_fault_handler(void)
{
    board_print("error: hard fault");
    board_exit(99);
}

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&__StackTop, Reset_Handler, default_handler, hard_fault_handler,
    hard_fault_handler, hard_fault_handler, hard_fault_handler, default_handler,
    default_handler, default_handler, default_handler, default_handler,
    default_handler, default_handler, default_handler, SysTick_Handler,
};

void SysTick_Handler(void) { systick_wraps++; }

void Reset_Handler(void)
{
    uint32_t *source = &__etext;
    uint32_t *target;
    uint32_t *sp;
    for (target = &__data_start__; target < &__data_end__;) {
        *target++ = *source++;
    }
    for (target = &__bss_start__; target < &__bss_end__;) {
        *target++ = 0;
    }

    /* Paint the free stack below the current frame. */
    __asm__ volatile("mov %0, sp" : "=r"(sp));
    for (target = &__StackLimit; target < sp - 16;) {
        *target++ = STACK_PAINT;
    }

#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CP10, CP11: full access to the FPU */
    __asm__ volatile("dsb\n\tisb");
#endif

    /* SysTick from the processor clock, interrupting at each wrap of its 24-bit counter. */
    SYST_RVR = TICKS_PER_WRAP - 1u;
    SYST_CVR = 0;
    SYST_CSR = 7u;
    while (SYST_CVR == 0u) {
    }

    board_exit(main(0, 0));
}

void _init(void) {}

void _fini(void) {}

uint64_t board_instructions(void)
{
    uint32_t wraps, current;
    do {
        wraps = systick_wraps;
        current = SYST_CVR;
    } while (wraps != systick_wraps);
    return ((uint64_t)wraps * TICKS_PER_WRAP + (TICKS_PER_WRAP - 1u - current)) * INSTRUCTIONS_PER_TICK;
}

uint32_t board_stack_peak(void)
{
    const uint32_t *word = &__StackLimit;
    while (word < &__StackTop && *word == STACK_PAINT) {
        word++;
    }
    return (uint32_t)((uintptr_t)&__StackTop - (uintptr_t)word);
}

int32_t board_open(const char *path, const char *mode)
{
    /* SYS_OPEN modes: 1 = "rb", 5 = "wb". */
    uint32_t block[3];
    block[0] = (uint32_t)(uintptr_t)path;
    block[1] = mode[0] == 'w' ? 5u : 1u;
    block[2] = (uint32_t)strlen(path);
    return semihost(0x01, block);
}

int32_t board_read(int32_t handle, void *buffer, uint32_t count)
{
    uint32_t block[3];
    block[0] = (uint32_t)handle;
    block[1] = (uint32_t)(uintptr_t)buffer;
    block[2] = count;
    return semihost(0x06, block) == 0 ? 0 : -1; /* returns the bytes not read */
}

int32_t board_write(int32_t handle, const void *buffer, uint32_t count)
{
    uint32_t block[3];
    block[0] = (uint32_t)handle;
    block[1] = (uint32_t)(uintptr_t)buffer;
    block[2] = count;
    return semihost(0x05, block) == 0 ? 0 : -1;
}

void board_close(int32_t handle)
{
    uint32_t block[1];
    block[0] = (uint32_t)handle;
    semihost(0x02, block);
}

void board_print(const char *text)
{
    semihost(0x04, text);
    semihost(0x04, "\n");
}
