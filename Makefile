# amux — hand-written Makefile in the style of re2's: pkg-config for every
# library, overridable flags, one static library per layer, one GoogleTest
# binary per module.
#
#   make                 build build/amux and build/amux-host (release)
#   make BUILD=debug     build into build-debug/ with -O0 and sanitizers
#   make BUILD=asan test build into build-asan/ with ASan+UBSan and run the
#                        suite there; any sanitizer report fails it
#   make test            build and run every test; ends with "N passed, N failed"
#   make bench           benchmarks against tmux, printed as ratios
#   make soak [SOAK_S=600] [SOAK_SESSIONS=50]   long run with kills; a table
#   make fuzz [FUZZ_S=N] every fuzz target (tests/fuzz/) for N seconds (60),
#                        clang-14 + libFuzzer + ASan + UBSan, into build-fuzz/
#   make install PREFIX=/usr/local
#   make deps            install the Debian packages this needs (apt-get), then
#                        the real agent CLIs the real-agent tests run (npm,
#                        pinned, into $AMUX_NPM_CACHE; AMUX_NO_NPM=1 skips them)

CXX      ?= g++
PREFIX   ?= /usr/local
BUILD    ?= release
DESTDIR  ?=

VERSION  := 0.1.0

PKGS      := vterm libuv ncursesw tomlplusplus nlohmann_json CLI11 libutf8proc libcrypto re2
TEST_PKGS := gtest gmock
DEB_PKGS  := g++ make pkg-config libvterm-dev libuv1-dev libncurses-dev \
             libtomlplusplus-dev nlohmann-json3-dev libcli11-dev googletest \
             libgtest-dev libgmock-dev tmux git procps python3 less \
             libutf8proc-dev libssl-dev libre2-dev zsh openssh-server openssh-client clang-14 libclang-rt-14-dev \
             vim man-db nano mc dialog ncdu emacs-nox

ifeq ($(BUILD),debug)
  OUT      ?= build-debug
  OPTFLAGS := -O0 -g3 -fsanitize=address,undefined -fno-omit-frame-pointer
  LDOPT    := -fsanitize=address,undefined
  HOST_OPT :=
else ifeq ($(BUILD),asan)
  # What CI runs the whole suite with (docs/testing.md, "Sanitizers"): every
  # binary, amux and amux-host too, under AddressSanitizer (with leak
  # checks) and UndefinedBehaviorSanitizer; any report ends the process.
  OUT      ?= build-asan
  OPTFLAGS := -O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
  LDOPT    := -fsanitize=address,undefined
  HOST_OPT :=
else
  OUT      ?= build
  OPTFLAGS := -O2 -g
  LDOPT    :=
  HOST_OPT := -Os
endif

# Every core by default (`make -jN` still chooses).
ifeq ($(filter -j% j%,$(MAKEFLAGS)),)
  MAKEFLAGS += -j$(shell nproc 2>/dev/null || echo 2)
endif

# Missing libraries: the README's two commands (`make run`, `make test`) and
# the other whole-product goals install them (`make deps`, apt-get); a plain
# `make` only names them.
PKG_OK := $(shell pkg-config --exists $(PKGS) $(TEST_PKGS) 2>/dev/null && echo yes)
INSTALLING_GOALS := run test bench
ifneq ($(PKG_OK),yes)
  ifneq ($(filter $(INSTALLING_GOALS),$(MAKECMDGOALS)),)
    $(info amux: libraries missing, running 'make deps' first)
    DEPS_RESULT := $(shell $(MAKE) --no-print-directory deps >&2 && echo ok)
  else ifeq ($(filter deps clean uninstall,$(MAKECMDGOALS)),)
    MISSING := $(foreach p,$(PKGS) $(TEST_PKGS),$(if $(shell pkg-config --exists $(p) && echo y),,$(p)))
    $(error missing libraries ($(MISSING)); run 'make deps' to install the Debian packages: $(DEB_PKGS))
  endif
endif

PKG_CFLAGS  = $(shell pkg-config --cflags $(PKGS))
PKG_LIBS    = $(shell pkg-config --libs $(PKGS))
TEST_CFLAGS = $(shell pkg-config --cflags $(TEST_PKGS))
TEST_LIBS   = $(shell pkg-config --libs $(TEST_PKGS))

CXXFLAGS ?= $(OPTFLAGS)
AMUX_CXXFLAGS := -std=c++20 -Wall -Wextra -Wno-missing-field-initializers \
                 -Isrc $(PKG_CFLAGS) -MMD -MP \
                 -DAMUX_VERSION='"$(VERSION)"' -DAMUX_DATADIR='"$(PREFIX)/share/amux"'
LDFLAGS  ?=
LDLIBS   := $(PKG_LIBS) -lutil -lpthread

# Layers, lowest first. A layer may use only the ones before it.
LAYERS := pty keymap render mux view cli
define layer_srcs
$(sort $(wildcard src/$(1)/*.cpp src/$(1)/*/*.cpp))
endef
LIB_pty    := $(OUT)/libamux_pty.a
LIB_keymap := $(OUT)/libamux_keymap.a
LIB_render := $(OUT)/libamux_render.a
LIB_mux    := $(OUT)/libamux_mux.a
LIB_view   := $(OUT)/libamux_view.a
# Layers without sources yet are left out of the link.
LIBS_ALL   := $(foreach l,view mux render keymap pty,$(if $(call layer_srcs,$(l)),$(LIB_$(l))))

CLI_SRCS := $(call layer_srcs,cli)
CLI_OBJS := $(patsubst src/%.cpp,$(OUT)/obj/%.o,$(CLI_SRCS))

UNIT_SRCS  := $(sort $(wildcard tests/unit/test_*.cpp))
UNIT_BINS  := $(patsubst tests/unit/%.cpp,$(OUT)/tests/%,$(UNIT_SRCS))
INTEG_SRCS := $(sort $(wildcard tests/integration/test_*.cpp))
INTEG_BINS := $(patsubst tests/integration/%.cpp,$(OUT)/tests/%,$(INTEG_SRCS))
TERM_SRCS  := $(sort $(wildcard tests/terminal/test_*.cpp))
TERM_BINS  := $(patsubst tests/terminal/%.cpp,$(OUT)/tests/%,$(TERM_SRCS))
TESTLIB_SRCS := $(sort $(wildcard tests/support/*.cpp))
TESTLIB_OBJS := $(patsubst tests/%.cpp,$(OUT)/obj/tests/%.o,$(TESTLIB_SRCS))
BENCH_SRCS := $(sort $(wildcard bench/*.cpp))
BENCH_BINS := $(patsubst bench/%.cpp,$(OUT)/bench/%,$(BENCH_SRCS))

.PHONY: all run test bench soak fuzz fuzz-build install uninstall deps agents clean
all: $(OUT)/amux $(OUT)/amux-host

# The README's run command: build, then open amux on a working default.
run: $(OUT)/amux
	@$(OUT)/amux

$(OUT)/obj/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(AMUX_CXXFLAGS) $(CXXFLAGS) -c $< -o $@

$(OUT)/obj/tests/%.o: tests/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(AMUX_CXXFLAGS) $(TEST_CFLAGS) -Itests $(CXXFLAGS) -c $< -o $@

define layer_rule
LIB_OBJS_$(1) := $$(patsubst src/%.cpp,$(OUT)/obj/%.o,$$(call layer_srcs,$(1)))
$$(LIB_$(1)): $$(LIB_OBJS_$(1))
	@mkdir -p $$(dir $$@)
	@rm -f $$@
	ar rcs $$@ $$^
endef
$(foreach l,pty keymap render mux view,$(eval $(call layer_rule,$(l))))

# amux starts sessions in amux-host: building amux brings it up to date too.
$(OUT)/amux: $(CLI_OBJS) $(LIBS_ALL) | $(OUT)/amux-host
	$(CXX) $(LDOPT) $(LDFLAGS) -o $@ $(CLI_OBJS) $(LIBS_ALL) $(CLI_LDLIBS)

# The session host binary (src/host/host_main.cpp says why): only the host's
# sources, in their own objects (one section per function, so the link drops
# what the host never calls; at -Os but for render's output path, which stays
# as the rest), libstdc++/libgcc, libuv and libvterm linked in statically, no TOML.
# The launcher starts it from next to amux (or <prefix>/lib/amux/).
HOST_MUX_SRCS := $(sort $(wildcard src/mux/host/*.cpp)) \
                 $(addprefix src/mux/,store/host_spec.cpp agents/screen_patterns.cpp \
                   wire/protocol.cpp wire/ops.cpp wire/messages.cpp store/session_record.cpp store/paths.cpp store/atomic_file.cpp \
                   store/roster.cpp agents/state_tracker.cpp agents/state_history.cpp sys/process_info.cpp store/session_env.cpp \
                   store/session_id.cpp)
HOST_SRCS := src/host/host_main.cpp $(HOST_MUX_SRCS) $(call layer_srcs,render) $(call layer_srcs,pty) \
             src/keymap/chord.cpp src/keymap/key_names.cpp
HOST_OBJS := $(patsubst src/%.cpp,$(OUT)/obj-host/%.o,$(HOST_SRCS))
HOST_CXXFLAGS := -ffunction-sections -fdata-sections
HOST_OPT_host := $(HOST_OPT)
HOST_OPT_mux  := $(HOST_OPT)
HOST_OPT_pty  := $(HOST_OPT)
HOST_OPT_keymap := $(HOST_OPT)
# render's cold parts too; the rest of render is the output path (throughput).
$(addprefix $(OUT)/obj-host/render/,text_dump.o tile.o osc_notify.o cluster_table.o): HOST_OPT_render := $(HOST_OPT)
ifneq ($(filter debug asan,$(BUILD)),)
  HOST_LDFLAGS :=
  HOST_LDLIBS   = $(shell pkg-config --libs vterm libuv libutf8proc re2) -lutil -lpthread
  CLI_LDLIBS    = $(LDLIBS)
else
  # amux itself links the C libraries in too: every command starts ~0.4 ms
  # sooner (four shared objects fewer to map and relocate), which is most of
  # what `amux attach` costs over tmux's client. libstdc++ stays shared:
  # tomlplusplus exists only as a shared library built against it.
  CLI_LDLIBS    = -Wl,-Bstatic $(shell pkg-config --libs vterm ncursesw libutf8proc libcrypto re2) -Wl,-Bdynamic \
                  $(shell pkg-config --static --libs libuv-static) \
                  $(shell pkg-config --libs tomlplusplus) -ldl -lutil -lpthread
  # gold's identical code folding, when gold is there, saves a little more.
  HOST_LD := $(shell $(CXX) -fuse-ld=gold -Wl,--version 2>/dev/null | grep -q 'GNU gold' && echo -fuse-ld=gold -Wl,--icf=safe)
  # Its debug sections compressed: the host's code is in a dozen files, each
  # carrying the types it uses; compressed, the file stays small on disk
  # (the debug sections are never loaded; gdb reads them as they are).
  HOST_LDFLAGS := -static-libstdc++ -static-libgcc -Wl,--gc-sections -Wl,--compress-debug-sections=zlib $(HOST_LD)
  HOST_LDLIBS   = -Wl,-Bstatic $(shell pkg-config --libs vterm libutf8proc re2) -Wl,-Bdynamic \
                  $(shell pkg-config --static --libs libuv-static) -lutil -lpthread
endif

$(OUT)/obj-host/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(AMUX_CXXFLAGS) $(CXXFLAGS) $(HOST_CXXFLAGS) $(HOST_OPT_$(firstword $(subst /, ,$*))) -c $< -o $@

$(OUT)/amux-host: $(HOST_OBJS)
	$(CXX) $(LDOPT) $(LDFLAGS) $(HOST_LDFLAGS) -o $@ $(HOST_OBJS) $(HOST_LDLIBS)

# A unit test binary is named test_<layer>_*.cpp and links that layer and
# the layers it may use, so a module builds and tests on its own.
DEPS_pty    := $(LIB_pty)
DEPS_keymap := $(LIB_keymap)
DEPS_render := $(LIB_render)
DEPS_mux    := $(LIB_mux) $(LIB_render) $(LIB_keymap) $(LIB_pty)
DEPS_view   := $(LIBS_ALL)
unit_layer = $(word 2,$(subst _, ,$(basename $(notdir $(1)))))
define unit_rule
$(OUT)/tests/$(basename $(notdir $(1))): $(OUT)/obj/tests/unit/$(basename $(notdir $(1))).o $$(DEPS_$(call unit_layer,$(1)))
	@mkdir -p $$(dir $$@)
	$$(CXX) $$(LDOPT) $$(LDFLAGS) -o $$@ $$< $$(DEPS_$(call unit_layer,$(1))) $$(LDLIBS) $$(TEST_LIBS) -lgtest_main
endef
$(foreach t,$(UNIT_SRCS),$(eval $(call unit_rule,$(t))))

$(OUT)/tests/%: $(OUT)/obj/tests/integration/%.o $(TESTLIB_OBJS) $(LIBS_ALL)
	@mkdir -p $(dir $@)
	$(CXX) $(LDOPT) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBS_ALL) $(LDLIBS) $(TEST_LIBS) -lgtest_main

$(OUT)/tests/%: $(OUT)/obj/tests/terminal/%.o $(TESTLIB_OBJS) $(LIBS_ALL)
	@mkdir -p $(dir $@)
	$(CXX) $(LDOPT) $(LDFLAGS) -o $@ $< $(TESTLIB_OBJS) $(LIBS_ALL) $(LDLIBS) $(TEST_LIBS) -lgtest_main

$(OUT)/bench/%: bench/%.cpp $(LIBS_ALL)
	@mkdir -p $(dir $@)
	$(CXX) $(AMUX_CXXFLAGS) $(CXXFLAGS) -o $@ $< $(LIBS_ALL) $(LDLIBS)

tests: $(UNIT_BINS) $(INTEG_BINS) $(TERM_BINS)

# Sanitized builds: reports go to files the runner watches (a report from a
# daemon or host, whose stderr is daemon.log, fails the run too), and the
# first one ends the process. check_printf=0: libvterm 0.1.4 answers an
# unknown DECRQSS request with a printf argument that does not match its
# format (glibc never reads it; the sanitizer's printf check does).
ifneq ($(filter debug asan,$(BUILD)),)
  TEST_ENV := AMUX_SANITIZE=1 \
    ASAN_OPTIONS=halt_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:check_initialization_order=1:check_printf=0 \
    UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0
endif

test: $(OUT)/amux $(OUT)/amux-host $(UNIT_BINS) $(INTEG_BINS) $(TERM_BINS) agents
	@$(TEST_ENV) AMUX_SOURCE_DIR=$(CURDIR) AMUX_BIN=$(CURDIR)/$(OUT)/amux bash tests/run_tests.sh $(UNIT_BINS) $(INTEG_BINS) $(TERM_BINS)

# The soak (docs/testing.md, "Soak"): SOAK_S seconds, SOAK_SESSIONS sessions
# in a private instance; prints a table, fails when a check does.
SOAK_S        ?= 600
SOAK_SESSIONS ?= 50
$(OUT)/soak/soak_writer: tests/soak/soak_writer.cpp
	@mkdir -p $(dir $@)
	$(CXX) -std=c++20 -Wall -Wextra -O2 $(LDOPT) -o $@ $<

soak: $(OUT)/amux $(OUT)/amux-host $(OUT)/soak/soak_writer
	@python3 tests/soak/soak.py --amux $(CURDIR)/$(OUT)/amux --writer $(CURDIR)/$(OUT)/soak/soak_writer \
	  --seconds $(SOAK_S) --sessions $(SOAK_SESSIONS)

bench: $(OUT)/amux $(OUT)/amux-host $(BENCH_BINS)
	@AMUX_BIN=$(CURDIR)/$(OUT)/amux BENCH_DIR=$(CURDIR)/$(OUT)/bench bash bench/run_bench.sh

install: $(OUT)/amux $(OUT)/amux-host
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib/amux $(DESTDIR)$(PREFIX)/share/amux \
	           $(DESTDIR)$(PREFIX)/share/man/man1 $(DESTDIR)$(PREFIX)/share/man/man5 \
	           $(DESTDIR)$(PREFIX)/share/bash-completion/completions $(DESTDIR)$(PREFIX)/share/zsh/site-functions
	install -m 0755 $(OUT)/amux $(DESTDIR)$(PREFIX)/bin/amux
	install -m 0755 $(OUT)/amux-host $(DESTDIR)$(PREFIX)/lib/amux/amux-host
	install -m 0644 conf/*.toml $(DESTDIR)$(PREFIX)/share/amux/
	install -m 0644 man/amux.1 $(DESTDIR)$(PREFIX)/share/man/man1/amux.1
	install -m 0644 man/amux.toml.5 $(DESTDIR)$(PREFIX)/share/man/man5/amux.toml.5
	install -m 0644 completions/amux.bash $(DESTDIR)$(PREFIX)/share/bash-completion/completions/amux
	install -m 0644 completions/_amux $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_amux

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/amux $(DESTDIR)$(PREFIX)/share/man/man1/amux.1 \
	      $(DESTDIR)$(PREFIX)/share/man/man5/amux.toml.5 \
	      $(DESTDIR)$(PREFIX)/share/bash-completion/completions/amux $(DESTDIR)$(PREFIX)/share/zsh/site-functions/_amux
	rm -rf $(DESTDIR)$(PREFIX)/share/amux $(DESTDIR)$(PREFIX)/lib/amux

deps:
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	 export DEBIAN_FRONTEND=noninteractive; \
	 $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq $(DEB_PKGS)
	@bash tests/install_agents.sh

# The real agent CLIs at pinned versions (tests/install_agents.sh; quick
# when they are there already).
agents:
	@bash tests/install_agents.sh

# Fuzzing (docs/testing.md, "Fuzzing"): the layers' sources again, compiled by
# clang with libFuzzer's coverage and ASan + UBSan, into their own
# directory; one binary per tests/fuzz/fuzz_<name>.cpp, run over its seed
# corpus tests/fuzz/corpus/<name>/ for FUZZ_S seconds each.
FUZZ_S     ?= 60
FUZZ_OUT   := build-fuzz
FUZZ_CXX   ?= $(shell command -v ccache >/dev/null 2>&1 && echo ccache) clang++-14
FUZZ_SAN   := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_FLAGS := -O1 -g $(FUZZ_SAN)
FUZZ_SRCS  := $(sort $(wildcard tests/fuzz/fuzz_*.cpp))
FUZZ_BINS  := $(patsubst tests/fuzz/%.cpp,$(FUZZ_OUT)/%,$(FUZZ_SRCS))
# What the targets reach: not the daemon, the host's event loop or the
# view's terminal drawing (ncurses, libuv), which no target calls.
FUZZ_LIB_SRCS := $(foreach l,pty keymap render,$(call layer_srcs,$(l))) \
                 $(filter-out src/mux/daemon/% src/mux/host/%,$(call layer_srcs,mux)) \
                 $(addprefix src/view/,find_filter.cpp key_input.cpp prompt_parse.cpp session_info.cpp \
                   text_util.cpp tile_image.cpp)
FUZZ_LIB_OBJS := $(patsubst src/%.cpp,$(FUZZ_OUT)/obj/%.o,$(FUZZ_LIB_SRCS))

$(FUZZ_OUT)/obj/%.o: src/%.cpp
	@mkdir -p $(dir $@)
	$(FUZZ_CXX) $(AMUX_CXXFLAGS) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_OUT)/libamux_fuzz.a: $(FUZZ_LIB_OBJS)
	@rm -f $@
	ar rcs $@ $^

$(FUZZ_OUT)/fuzz_%: tests/fuzz/fuzz_%.cpp tests/fuzz/fuzz_check.h $(FUZZ_OUT)/libamux_fuzz.a
	$(FUZZ_CXX) $(AMUX_CXXFLAGS) -Itests $(FUZZ_FLAGS) -fsanitize=fuzzer -o $@ $< \
	  $(FUZZ_OUT)/libamux_fuzz.a $(LDLIBS)

fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_S=$(FUZZ_S) bash tests/fuzz/run_fuzz.sh $(FUZZ_BINS)

clean:
	rm -rf build build-debug build-asan build-fuzz

# Keep the test objects that pattern rules build (intermediates otherwise).
# Only these: a bare .SECONDARY: makes every object secondary, and then a new
# source file's missing .o does not rebuild its layer library.
.SECONDARY: $(patsubst tests/%.cpp,$(OUT)/obj/tests/%.o,$(INTEG_SRCS) $(TERM_SRCS)) $(TESTLIB_OBJS)
-include $(shell find $(OUT)/obj $(OUT)/obj-host $(if $(filter fuzz fuzz-build $(FUZZ_OUT)/%,$(MAKECMDGOALS)),$(FUZZ_OUT)) -name '*.d' 2>/dev/null)
