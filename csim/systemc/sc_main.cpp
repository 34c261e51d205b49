/* SPDX-License-Identifier: Apache-2.0 */
// SystemC harness: a clock, the Verilated flexor_top (SystemC flavour) and a host/memory model that
// replays the command words the C driver produced for a model (sc_script.c), with seeded random
// stalls on both streams, checks every output word and out_last against the C model and the final
// logits against the integer reference. The C++ here is only the SystemC shell.
#include "Vflexor_top_sc.h"
#include "sc_script.h"
#include "flexor/clock.h"
#include "flexor/opt.h"
#include "flexor/rng.h"
#include "verilated.h"
#include <systemc.h>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <type_traits>

// Signal type matching each Verilated port (bool, uint32_t, uint64_t or sc_bv<W> depending on the
// width), so the harness does not hard-code Verilator's type mapping.
template <class P> struct sig_of;
template <class T> struct sig_of<sc_core::sc_in<T>> { using type = sc_core::sc_signal<T>; };
template <class T> struct sig_of<sc_core::sc_out<T>> { using type = sc_core::sc_signal<T>; };
// Verilator 5 declares the ports as references (sc_in<T> &), hence remove_reference.
#define SIG(port) sig_of<std::remove_reference_t<decltype(Vflexor_top_sc::port)>>::type port{#port}

struct Wires {
    SIG(rst_ni); SIG(in_valid_i); SIG(in_ready_o); SIG(in_data_i);
    SIG(out_valid_o); SIG(out_ready_i); SIG(out_data_o); SIG(out_last_o);
    SIG(busy_o); SIG(err_o); SIG(err_code_o);
    SIG(cnt_cycles_o); SIG(cnt_busy_o); SIG(cnt_stall_o); SIG(cnt_slices_o);
    SIG(tap_valid_o); SIG(tap_chunk_o); SIG(tap_plane_o); SIG(tap_grp_o); SIG(tap_col_o);
    SIG(tap_dec_o); SIG(tap_psum_o);
    SIG(tap_acc_valid_o); SIG(tap_acc_o); SIG(tap_acc_col_o); SIG(tap_acc_grp_o); SIG(tap_acc_plane_o);
    SIG(tap_gat_valid_o); SIG(tap_gat_col_o); SIG(tap_gat_chunk_o); SIG(tap_gat_data_o);
    SIG(tap_wr_valid_o); SIG(tap_wr_addr_o); SIG(tap_wr_data_o);

    void bind(Vflexor_top_sc &t, sc_clock &clk)
    {
        t.clk_i(clk);
        t.rst_ni(rst_ni); t.in_valid_i(in_valid_i); t.in_ready_o(in_ready_o); t.in_data_i(in_data_i);
        t.out_valid_o(out_valid_o); t.out_ready_i(out_ready_i); t.out_data_o(out_data_o); t.out_last_o(out_last_o);
        t.busy_o(busy_o); t.err_o(err_o); t.err_code_o(err_code_o);
        t.cnt_cycles_o(cnt_cycles_o); t.cnt_busy_o(cnt_busy_o); t.cnt_stall_o(cnt_stall_o);
        t.cnt_slices_o(cnt_slices_o);
        t.tap_valid_o(tap_valid_o); t.tap_chunk_o(tap_chunk_o); t.tap_plane_o(tap_plane_o);
        t.tap_grp_o(tap_grp_o); t.tap_col_o(tap_col_o); t.tap_dec_o(tap_dec_o); t.tap_psum_o(tap_psum_o);
        t.tap_acc_valid_o(tap_acc_valid_o); t.tap_acc_o(tap_acc_o); t.tap_acc_col_o(tap_acc_col_o);
        t.tap_acc_grp_o(tap_acc_grp_o); t.tap_acc_plane_o(tap_acc_plane_o);
        t.tap_gat_valid_o(tap_gat_valid_o); t.tap_gat_col_o(tap_gat_col_o); t.tap_gat_chunk_o(tap_gat_chunk_o);
        t.tap_gat_data_o(tap_gat_data_o);
        t.tap_wr_valid_o(tap_wr_valid_o); t.tap_wr_addr_o(tap_wr_addr_o); t.tap_wr_data_o(tap_wr_data_o);
    }
};

SC_MODULE(Host)
{
    sc_in<bool> clk;
    Wires *w = nullptr;
    const fx_sc_script *s = nullptr;
    uint32_t thr = 0; // stall when rand < thr
    uint64_t rng = 1, cycles = 0;
    int status = 0;   // 0 ok, 1 mismatch / deadlock
    std::vector<uint32_t> got;

    uint32_t rand32() { return fx_xorshift64star_u32(&rng); }
    bool stall() { return thr && rand32() < thr; }

    void fail(const char *what)
    {
        std::fprintf(stderr, "flexor-sc: %s (cycle %" PRIu64 ", config hash 0x%08X)\n", what, cycles, s->hash);
        status = 1;
        sc_stop();
    }

    // Clocked thread: at each rising edge the values read are those before the edge, so a handshake
    // is "valid and ready as driven during the cycle that just ended".
    void run()
    {
        w->rst_ni.write(false), w->in_valid_i.write(false), w->out_ready_i.write(false);
        for (int i = 0; i < 4; i++) wait();
        w->rst_ni.write(true);
        size_t ii = 0, oi = 0;
        bool offering = false, ready = false;
        uint64_t last_move = 0;
        char msg[256];
        while (ii < s->n_in || oi < s->n_out) {
            wait();
            cycles++;
            if (offering && w->in_ready_o.read()) ii++, offering = false, last_move = cycles;
            if (ready && w->out_valid_o.read()) {
                uint32_t v = (uint32_t)w->out_data_o.read();
                bool l = w->out_last_o.read();
                if (v != s->out[oi] || l != (bool)s->last[oi]) {
                    std::snprintf(msg, sizeof msg,
                                  "MISMATCH output word %zu: expected 0x%08x last %d (C model), RTL 0x%08x last %d",
                                  oi, s->out[oi], (int)s->last[oi], v, (int)l);
                    return fail(msg);
                }
                got.push_back(v);
                oi++, last_move = cycles;
            }
            if (w->err_o.read()) {
                std::snprintf(msg, sizeof msg, "RTL raised err_o, code %u", (unsigned)w->err_code_o.read());
                return fail(msg);
            }
            if (!offering && ii < s->n_in) offering = !stall();
            w->in_valid_i.write(offering);
            w->in_data_i.write(offering ? s->in[ii] : 0);
            ready = oi < s->n_out && !stall();
            w->out_ready_i.write(ready);
            if (cycles - last_move > 100000) {
                std::snprintf(msg, sizeof msg, "deadlock: no handshake for 100000 cycles, input word %zu of %zu, "
                              "output word %zu of %zu", ii, s->n_in, oi, s->n_out);
                return fail(msg);
            }
        }
        sc_stop();
    }

    SC_CTOR(Host) { SC_CTHREAD(run, clk.pos()); }
};

static void usage(FILE *f)
{
    std::fprintf(f, "usage: flexor-sc [MODEL] [--images N] [--seed S] [--stall P] [--data DIR]\n"
                    "  MODEL: a .fxm file or random:ARCH[:SEED[:straddle]] (default random:lenet)\n");
}

// SystemC prints its banner on stderr before sc_main runs; a tool's stderr carries only its own messages.
__attribute__((constructor)) static void quiet_banner() { setenv("SC_COPYRIGHT_MESSAGE", "DISABLE", 0); }

static int bad(const char *opt, const char *val, const char *expected)
{
    std::fprintf(stderr, "flexor-sc: bad value '%s' for %s: expected %s (flexor-sc --help)\n", val, opt, expected);
    return 2;
}

int sc_main(int argc, char **argv)
{
    const char *spec = "random:lenet", *data = nullptr;
    uint64_t images = 4, seed = 1, inject = 0; // inject: corrupt expected word N-1 (tests the checker)
    double stall = 0.1;
    for (int i = 1; i < argc; i++) {
        std::string a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
        if (a == "--help" || a == "-h") return usage(stdout), 0;
        if (a[0] != '-') {
            spec = argv[i];
            continue;
        }
        if (!v || (a != "--images" && a != "--seed" && a != "--stall" && a != "--data" && a != "--inject-fault")) {
            std::fprintf(stderr, "flexor-sc: unknown option or missing value '%s' (flexor-sc --help)\n", argv[i]);
            return 2;
        }
        i++;
        if (a == "--images" && fx_parse_u64(v, 1, UINT32_MAX, &images)) return bad("--images", v, "1..4294967295");
        if (a == "--seed" && fx_parse_u64(v, 0, UINT64_MAX, &seed)) return bad("--seed", v, "a non-negative integer");
        if (a == "--stall" && fx_parse_double(v, 0, 0.999, &stall)) return bad("--stall", v, "a probability in [0, 1)");
        if (a == "--inject-fault" && fx_parse_u64(v, 0, UINT64_MAX, &inject)) return bad("--inject-fault", v, "a word index");
        if (a == "--data") data = v;
    }
    // sc_stop() reports SC_REPORT_INFO("/OSCI/SystemC", "Simulation stopped by user."): silence that id's infos.
    sc_report_handler::set_actions("/OSCI/SystemC", SC_INFO, SC_DO_NOTHING);

    fx_sc_script s;
    char err[512];
    const double t0 = fx_wall_s();
    if (int rc = fx_sc_script_make(&s, spec, data, (uint32_t)images, seed, err, sizeof err)) {
        std::fprintf(stderr, "%s\n", err);
        return rc;
    }
    if (inject && inject <= s.n_out) s.out[inject - 1] ^= 0x10;
    // Seeded random initial values of every register and memory, set before the model exists.
    Verilated::randReset(2);
    Verilated::randSeed((int)(seed & 0x7fffffff) | 1);

    sc_clock clk("clk", 10, SC_NS);
    Wires w;
    Vflexor_top_sc top("top");
    w.bind(top, clk);
    Host host("host");
    host.clk(clk);
    host.w = &w, host.s = &s;
    host.thr = stall <= 0 ? 0 : (uint32_t)(stall * 4294967296.0);
    host.rng = seed * 0x9E3779B97F4A7C15ull + 1;

    const double c0 = fx_cpu_s();
    sc_start();
    top.final();
    double cpu = fx_cpu_s() - c0; // the simulation only, not the recording
    double wall = fx_wall_s() - t0;

    int status = host.status;
    uint32_t correct = 0;
    for (uint32_t i = 0; !status && i < s.images; i++) {
        const uint32_t *lg = host.got.data() + s.logits_at[i];
        int cls = 0;
        for (uint32_t k = 0; k < s.n_classes; k++) {
            if ((int32_t)lg[k] != s.ref_logits[(size_t)i * s.n_classes + k]) {
                std::fprintf(stderr, "flexor-sc: MISMATCH image %u logit %u: reference %d, RTL %d\n", i, k,
                             s.ref_logits[(size_t)i * s.n_classes + k], (int32_t)lg[k]);
                status = 1;
                break;
            }
            if ((int32_t)lg[k] > (int32_t)lg[cls]) cls = (int)k;
        }
        correct += cls == s.ref_class[i];
    }
    std::printf("flexor-sc %s: %u images (%u classed as the reference says), %zu command words, %zu output words, %" PRIu64
                " cycles, %.2f s wall, simulation %.2f CPU-s (%.2f M cycles per CPU-second), stall %g, seed %lu: %s\n",
                s.name, s.images, correct, s.n_in, s.n_out, host.cycles, wall, cpu, cpu > 0 ? host.cycles / cpu / 1e6 : 0,
                stall, seed, status ? "FAILED" : "RTL = C model = reference, bit for bit");
    fx_sc_script_free(&s);
    return status;
}
