// The 512-bit int8 peak C# cannot issue (.NET 10 has no Avx512Vnni): 12 independent vpdpbusd zmm per iteration.
// gcc -O2 -mavx512f -mavx512vnni -o /tmp/peak_vnni512 bench/peak_vnni512.c && /tmp/peak_vnni512
#include <immintrin.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) { struct timespec t; clock_gettime(CLOCK_MONOTONIC, &t); return t.tv_sec + t.tv_nsec * 1e-9; }
static int cmp(const void *a, const void *b) { double x = *(const double *)a, y = *(const double *)b; return (x > y) - (x < y); }

int main(void)
{
    enum { N = 20000000, ROUNDS = 21 };
    double rates[ROUNDS];
    volatile int sink = 0;
    for (int r = -3; r < ROUNDS; r++)
    {
        __m512i a = _mm512_set1_epi8(3), b = _mm512_set1_epi8(-2);
        // Distinct starting values, hidden from the optimiser, so gcc cannot merge the twelve identical chains into one.
        __m512i c0 = _mm512_set1_epi32(0), c1 = _mm512_set1_epi32(1), c2 = _mm512_set1_epi32(2), c3 = _mm512_set1_epi32(3);
        __m512i c4 = _mm512_set1_epi32(4), c5 = _mm512_set1_epi32(5), c6 = _mm512_set1_epi32(6), c7 = _mm512_set1_epi32(7);
        __m512i c8 = _mm512_set1_epi32(8), c9 = _mm512_set1_epi32(9), c10 = _mm512_set1_epi32(10), c11 = _mm512_set1_epi32(11);
        __asm__ volatile("" : "+v"(a), "+v"(b), "+v"(c0), "+v"(c1), "+v"(c2), "+v"(c3), "+v"(c4), "+v"(c5));
        __asm__ volatile("" : "+v"(c6), "+v"(c7), "+v"(c8), "+v"(c9), "+v"(c10), "+v"(c11));
        double t = now();
        for (int i = 0; i < N; i++)
        {
            c0 = _mm512_dpbusd_epi32(c0, a, b); c1 = _mm512_dpbusd_epi32(c1, a, b); c2 = _mm512_dpbusd_epi32(c2, a, b);
            c3 = _mm512_dpbusd_epi32(c3, a, b); c4 = _mm512_dpbusd_epi32(c4, a, b); c5 = _mm512_dpbusd_epi32(c5, a, b);
            c6 = _mm512_dpbusd_epi32(c6, a, b); c7 = _mm512_dpbusd_epi32(c7, a, b); c8 = _mm512_dpbusd_epi32(c8, a, b);
            c9 = _mm512_dpbusd_epi32(c9, a, b); c10 = _mm512_dpbusd_epi32(c10, a, b); c11 = _mm512_dpbusd_epi32(c11, a, b);
        }
        t = now() - t;
        __m512i s = _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c0, c1), _mm512_add_epi32(c2, c3)),
                    _mm512_add_epi32(_mm512_add_epi32(_mm512_add_epi32(c4, c5), _mm512_add_epi32(c6, c7)),
                    _mm512_add_epi32(_mm512_add_epi32(c8, c9), _mm512_add_epi32(c10, c11))));
        sink += _mm512_reduce_add_epi32(s);
        if (r >= 0) rates[r] = (double)N * 12 * 64 / t;
    }
    qsort(rates, ROUNDS, sizeof rates[0], cmp);
    printf("| int8 | vpdpbusd zmm (C, gcc) | 64 | %.1f G (%.1f..%.1f) |\n", rates[ROUNDS / 2] / 1e9, rates[0] / 1e9, rates[ROUNDS - 1] / 1e9);
    return 0;
}
