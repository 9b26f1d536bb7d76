/* The driver of a generated model, the same on the host and on the device: runs the training steps and inferences of
 * a request file and writes everything they computed to a result file, so that the two can be compared byte for
 * byte. On a Cortex-M under QEMU the files are the host's, through semihosting.
 *
 * steps.bin:  "TTS1", u32 steps, u32 inferences, u32 input bytes; steps x (image, i32 label, f32 learning rate);
 *             inferences x image.                                            (little endian, as both ends are)
 * result.bin: "TTR1"; steps x (f32 loss, i32 predicted); every state tensor's bytes in model_state() order;
 *             inferences x (i32 predicted, f32 logits[MODEL_CLASSES]).
 * Console:    one line per step and inference with its instruction count, then the stack peak. */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "model.h"

/* Decimal text of an unsigned value (newlib-nano's printf has no 64-bit integers). */
static char *format(char *end, uint64_t value)
{
    *--end = '\0';
    do {
        *--end = (char)('0' + (int)(value % 10u));
        value /= 10u;
    } while (value != 0u);
    return end;
}

static void print_line(const char *label, uint32_t index, const char *key, uint64_t value, const char *key2, uint64_t value2)
{
    char line[128];
    char number[24];
    strcpy(line, label);
    strcat(line, " ");
    strcat(line, format(number + sizeof number, index));
    strcat(line, " ");
    strcat(line, key);
    strcat(line, "=");
    strcat(line, format(number + sizeof number, value));
    if (key2 != NULL) {
        strcat(line, " ");
        strcat(line, key2);
        strcat(line, "=");
        strcat(line, format(number + sizeof number, value2));
    }
    board_print(line);
}

#ifdef MODEL_PROFILE
/* Instructions spent in each call over the whole run (the model calls this after every call). */
static uint64_t call_instructions[MODEL_CALLS];
static uint64_t last_mark;

void model_profile_call(int32_t call);
void model_profile_call(int32_t call)
{
    uint64_t now = board_instructions();
    call_instructions[call] += now - last_mark;
    last_mark = board_instructions();
}
#define PROFILE_MARK() (last_mark = board_instructions())
#else
#define PROFILE_MARK() ((void)0)
#endif

static int fail(const char *reason)
{
    board_print(reason);
    return 1;
}

int main(int argc, char **argv)
{
    const char *steps_path = argc > 1 ? argv[1] : "steps.bin";
    const char *result_path = argc > 2 ? argv[2] : "result.bin";
    uint32_t header[4];
    uint32_t i;
    int32_t in, out;
    float logits[MODEL_CLASSES];

    in = board_open(steps_path, "rb");
    if (in < 0) {
        return fail("error: cannot open the steps file");
    }
    out = board_open(result_path, "wb");
    if (out < 0) {
        return fail("error: cannot create the result file");
    }
    if (board_read(in, header, sizeof header) != 0 || memcmp(header, "TTS1", 4) != 0 || header[3] != MODEL_INPUT_BYTES) {
        return fail("error: the steps file is not for this model");
    }

    model_init();
    board_write(out, "TTR1", 4);
    for (i = 0; i < header[1]; i++) {
        int32_t label;
        int32_t predicted = -1;
        float rate, loss;
        uint64_t start;
        if (board_read(in, model_image(), MODEL_INPUT_BYTES) != 0 || board_read(in, &label, 4) != 0 || board_read(in, &rate, 4) != 0) {
            return fail("error: the steps file ends early");
        }
        start = board_instructions();
        PROFILE_MARK();
        loss = model_train_step(model_image(), label, rate, &predicted);
        print_line("step", i, "instructions", board_instructions() - start, "predicted", (uint64_t)(uint32_t)predicted);
        board_write(out, &loss, 4);
        board_write(out, &predicted, 4);
    }

    for (i = 0; i < MODEL_STATE_TENSORS; i++) {
        const model_tensor *t = model_state((int32_t)i);
        board_write(out, t->data, (uint32_t)t->bytes);
    }

    for (i = 0; i < header[2]; i++) {
        int32_t predicted;
        uint64_t start;
        if (board_read(in, model_image(), MODEL_INPUT_BYTES) != 0) {
            return fail("error: the steps file ends early");
        }
        start = board_instructions();
        PROFILE_MARK();
        predicted = model_infer(model_image(), logits);
        print_line("infer", i, "instructions", board_instructions() - start, "predicted", (uint64_t)(uint32_t)predicted);
        board_write(out, &predicted, 4);
        board_write(out, logits, sizeof logits);
    }

    board_close(in);
    board_close(out);
#ifdef MODEL_PROFILE
    for (i = 0; i < MODEL_CALLS; i++) {
        print_line("call", i, "instructions", call_instructions[i], NULL, 0);
    }
#endif
    print_line("stack", 0, "peak", board_stack_peak(), NULL, 0);
    board_print("done");
    return 0;
}
