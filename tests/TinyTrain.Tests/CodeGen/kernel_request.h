/* The request format of kernel_driver.c (see there): one case's kernel id, scalars and buffers, read from the request
 * file and written back to the response. Test code: it allocates each buffer exactly as large as its tensor. */
#ifndef KERNEL_REQUEST_H
#define KERNEL_REQUEST_H

#include <stdint.h>
#include <stdio.h>

#define MAX_ITEMS 16

typedef struct {
    uint32_t kernel;
    uint32_t int_count, float_count, input_count, output_count;
    int32_t ints[64];
    float floats[16];
    void *inputs[MAX_ITEMS];
    uint32_t input_bytes[MAX_ITEMS];
    void *outputs[MAX_ITEMS];
    uint32_t output_bytes[MAX_ITEMS];
} request;

/* Prints the reason and exits with 2. */
void fail(const char *message);

/* Opens the files and checks the magic; returns the number of cases. */
uint32_t open_request(const char *request_path, const char *response_path);

void read_request(request *r);

/* Writes the case's outputs to the response and frees its buffers. */
void write_response(request *r);

/* Closes the response: 0, or 2 when it could not be written. */
int close_response(void);

/* Input i, NULL when absent or empty; its element count; output i (which must exist). */
void *in(const request *r, uint32_t i);
int32_t in_count(const request *r, uint32_t i, uint32_t element);
void *out(const request *r, uint32_t i);

#endif
