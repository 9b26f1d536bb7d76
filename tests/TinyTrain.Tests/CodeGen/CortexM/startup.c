/* Minimal Cortex-M startup for running the kernel driver under QEMU with semihosting (test code). */
#include <stdint.h>
#include <stdlib.h>

extern uint32_t __etext, __data_start__, __data_end__, __bss_start__, __bss_end__, __StackTop;
extern int main(int argc, char **argv);
extern void initialise_monitor_handles(void);
extern void __libc_init_array(void);

void Reset_Handler(void);
void _init(void);
void _fini(void);

static void default_handler(void)
{
    for (;;) {
    }
}

static void hard_fault_handler(void) { exit(99); }

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16])(void) = {
    (void (*)(void))(uintptr_t)&__StackTop, Reset_Handler, default_handler, hard_fault_handler,
    hard_fault_handler, hard_fault_handler, hard_fault_handler, default_handler,
    default_handler, default_handler, default_handler, default_handler,
    default_handler, default_handler, default_handler, default_handler,
};

void Reset_Handler(void)
{
    uint32_t *source = &__etext;
    uint32_t *target;
    for (target = &__data_start__; target < &__data_end__;) {
        *target++ = *source++;
    }

    for (target = &__bss_start__; target < &__bss_end__;) {
        *target++ = 0;
    }

#if defined(__ARM_FP)
    *(volatile uint32_t *)0xE000ED88u |= 0xFu << 20; /* CP10, CP11: full access to the FPU */
    __asm volatile("dsb\n\tisb");
#endif
    initialise_monitor_handles();
    __libc_init_array();
    exit(main(0, 0));
}

void _init(void) {}

void _fini(void) {}
