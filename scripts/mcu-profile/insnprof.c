/*
 * A QEMU TCG plugin (plugin API version 1, QEMU 7.2) that counts the executions of every guest instruction below 4 MB
 * (the Cortex-M's flash) and writes "address count" lines, both decimal, when QEMU exits. Used by profile.sh; the
 * few declarations of QEMU's plugin API it needs are written out here (Debian's QEMU ships the plugin loader but not
 * its header).
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
typedef struct {
    const char *target_name;
    struct {
        int min, cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus, max_vcpus;
        } system;
    };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*tb_translated)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*at_exit)(qemu_plugin_id_t id, void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, tb_translated cb);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t index);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, at_exit cb, void *userdata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

#define SPAN (4u << 20) /* one counter per halfword of the first 4 MB */

static uint64_t *counts;
static const char *out_path = "insnprof.txt";

/* Every instruction of a newly translated block adds 1 to its own counter each time it runs (inline, no callback). */
static void translated(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    size_t i, n = qemu_plugin_tb_n_insns(tb);
    (void)id;
    for (i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t address = qemu_plugin_insn_vaddr(insn);
        if (address < SPAN) {
            qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &counts[address / 2], 1);
        }
    }
}

static void finished(qemu_plugin_id_t id, void *userdata)
{
    FILE *file = fopen(out_path, "w");
    uint64_t i;
    (void)id;
    (void)userdata;
    if (file == NULL) {
        perror(out_path);
        return;
    }
    for (i = 0; i < SPAN / 2; i++) {
        if (counts[i] != 0) {
            fprintf(file, "%" PRIu64 " %" PRIu64 "\n", i * 2, counts[i]);
        }
    }
    fclose(file);
}

/* Arguments: out=FILE (default insnprof.txt). */
__attribute__((visibility("default"))) int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc,
                                                               char **argv)
{
    (void)info;
    if (argc > 0 && strncmp(argv[0], "out=", 4) == 0) {
        out_path = argv[0] + 4;
    }
    counts = calloc(SPAN / 2, sizeof *counts);
    if (counts == NULL) {
        return 1;
    }
    qemu_plugin_register_vcpu_tb_trans_cb(id, translated);
    qemu_plugin_register_atexit_cb(id, finished, NULL);
    return 0;
}
