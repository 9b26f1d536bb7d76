/* Reading kernel_driver.c's request file and writing its response (the format is described there). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_request.h"

static FILE *in_file;
static FILE *out_file;

void fail(const char *message)
{
    fprintf(stderr, "kernel_driver: %s\n", message);
    exit(2);
}

static uint32_t read_u32(void)
{
    unsigned char b[4];
    if (fread(b, 1, 4, in_file) != 4) {
        fail("truncated request");
    }

    return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

/* An exactly sized buffer (malloc(0) may return NULL: one byte then, never read). */
static void *read_blob(uint32_t bytes)
{
    void *data = malloc(bytes == 0 ? 1 : bytes);
    if (data == NULL || fread(data, 1, bytes, in_file) != bytes) {
        fail("truncated blob");
    }

    return data;
}

void read_request(request *r)
{
    uint32_t i;
    r->kernel = read_u32();
    r->int_count = read_u32();
    if (r->int_count > 64) {
        fail("too many ints");
    }

    for (i = 0; i < r->int_count; i++) {
        r->ints[i] = (int32_t)read_u32();
    }

    r->float_count = read_u32();
    if (r->float_count > 16) {
        fail("too many floats");
    }

    for (i = 0; i < r->float_count; i++) {
        uint32_t bits = read_u32();
        memcpy(&r->floats[i], &bits, 4);
    }

    r->input_count = read_u32();
    if (r->input_count > MAX_ITEMS) {
        fail("too many inputs");
    }

    for (i = 0; i < r->input_count; i++) {
        r->input_bytes[i] = read_u32();
        r->inputs[i] = read_blob(r->input_bytes[i]);
    }

    r->output_count = read_u32();
    if (r->output_count > MAX_ITEMS) {
        fail("too many outputs");
    }

    for (i = 0; i < r->output_count; i++) {
        r->output_bytes[i] = read_u32();
        r->outputs[i] = read_blob(r->output_bytes[i]);
    }
}

static void free_request(request *r)
{
    uint32_t i;
    for (i = 0; i < r->input_count; i++) {
        free(r->inputs[i]);
    }

    for (i = 0; i < r->output_count; i++) {
        free(r->outputs[i]);
    }
}

void *in(const request *r, uint32_t i) { return i < r->input_count && r->input_bytes[i] > 0 ? r->inputs[i] : NULL; }

int32_t in_count(const request *r, uint32_t i, uint32_t element) { return i < r->input_count ? (int32_t)(r->input_bytes[i] / element) : 0; }

void *out(const request *r, uint32_t i)
{
    if (i >= r->output_count) {
        fail("missing output");
    }

    return r->outputs[i];
}

uint32_t open_request(const char *request_path, const char *response_path)
{
    char magic[4];
    in_file = fopen(request_path, "rb");
    out_file = fopen(response_path, "wb");
    if (in_file == NULL || out_file == NULL) {
        fail("cannot open the request or the response");
    }

    if (fread(magic, 1, 4, in_file) != 4 || memcmp(magic, "TTKR", 4) != 0) {
        fail("not a request file");
    }

    return read_u32();
}

void write_response(request *r)
{
    uint32_t i;
    fwrite(&r->output_count, 4, 1, out_file);
    for (i = 0; i < r->output_count; i++) {
        fwrite(&r->output_bytes[i], 4, 1, out_file);
        fwrite(r->outputs[i], 1, r->output_bytes[i], out_file);
    }

    free_request(r);
}

int close_response(void) { return fclose(out_file) == 0 ? 0 : 2; }
