# vecsim: PGXS build of vecsim.so from C++17 sources.
#
#   make && make install     the extension (run `make install` as root)
#   make installcheck        the pg_regress suite (sql/, expected/) and the TAP
#                            suite (test/t/) against the installed server:
#                            pg_regress uses PGHOST/PGPORT, TAP starts its own
#                            clusters (run both as a user that may run initdb)
#   make prove_installcheck  the TAP suite alone
#   make install-as-vector   also install vecsim under pgvector's extension
#                            and library name, so CREATE EXTENSION vector
#                            gives vecsim and pg_upgrade from pgvector works
#                            (FORCE=1 to replace pgvector's own files, which
#                            moves its databases onto vecsim: README);
#                            make uninstall-as-vector removes it again
#   make unit                GoogleTest suite of src/core, under ASan/UBSan
#   make fuzz                libFuzzer targets (clang), built only
#   make bench               Google Benchmark programs, built only
#
# src/core is compiled into its own static library with no PostgreSQL
# include path, so a stray #include "postgres.h" there fails to build.
# Kernels for each x86-64 level are compiled with that level's -march only
# (never tuned to the build machine's own CPU); the best one is chosen at load time.

EXTENSION  = vecsim
EXTVERSION = $(shell sed -n "s/^default_version = '\(.*\)'/\1/p" vecsim.control)
MODULE_big = vecsim
PG_CONFIG ?= pg_config

# --- the extension script -----------------------------------------------------
# Generated in dependency order: each template under src/pg/sql/*.sql.in is
# instantiated per type with sed (@T@ and the per-type words below), so the
# three vector types share one SQL definition of everything they have alike.
SQL_DIR       = src/pg/sql
SQL_TYPES     = vector halfvec sparsevec
DENSE_TYPES   = vector halfvec
SQL_INPUTS    = $(wildcard $(SQL_DIR)/*.sql.in $(SQL_DIR)/*.sql)
NORM_vector   = vector_norm
NORM_halfvec  = l2_norm
NORM_sparsevec = l2_norm
FLOAT4_CONTEXT_vector  = IMPLICIT
FLOAT4_CONTEXT_halfvec = ASSIGNMENT
HNSW_SUPPORT_vector    =
HNSW_SUPPORT_halfvec   = ,\n    FUNCTION 3 hnsw_halfvec_support(internal)
HNSW_SUPPORT_sparsevec = ,\n    FUNCTION 3 hnsw_sparsevec_support(internal)
FILTER_TYPES           = int2 int4 int8 bool date timestamp timestamptz uuid
FILTER_FAMILY_int2     = \ FAMILY integer_ops
FILTER_FAMILY_int4     = \ FAMILY integer_ops
FILTER_FAMILY_int8     = \ FAMILY integer_ops
IVF_TYPES              = vector halfvec
IVF_SUPPORT_vector     =
IVF_SUPPORT_halfvec    = ,\n    FUNCTION 5 ivfflat_halfvec_support(internal)
IVF_DEFAULT_vector     = \ DEFAULT
IVF_DEFAULT_halfvec    =
instantiate = echo; sed -e 's/@T@/$(2)/g' -e 's/@NORM@/$(NORM_$(2))/g' \
                        -e 's/@FLOAT4_CONTEXT@/$(FLOAT4_CONTEXT_$(2))/g' \
                        -e 's/@HNSW_SUPPORT@/$(HNSW_SUPPORT_$(2))/g' -e 's/@IVF_SUPPORT@/$(IVF_SUPPORT_$(2))/g' \
                        -e 's/@IVF_DEFAULT@/$(IVF_DEFAULT_$(2))/g' \
                        -e 's/@FILTER_FAMILY@/$(FILTER_FAMILY_$(2))/g' $(SQL_DIR)/$(1).sql.in;
DATA_built = build/$(EXTENSION)--$(EXTVERSION).sql

# --- core: pure C++17, its own static library ---------------------------------
CORE_SRCS  = $(sort $(wildcard src/core/*/*.cpp))
CORE_OBJS  = $(patsubst src/core/%.cpp,build/core/%.o,$(CORE_SRCS))
CORE_LIB   = build/libvecsim_core.a
CORE_FLAGS = -std=c++17 -O2 -g -fPIC -fvisibility=hidden -Wall -Wextra -Werror=vla -Isrc/core

ARCH := $(shell uname -m)
ifeq ($(ARCH),x86_64)
ISA_LEVELS      = x86v3 x86v4
ISA_FLAGS_x86v3 = -march=x86-64-v3
ISA_FLAGS_x86v4 = -march=x86-64-v4
endif
isa_flags = $(ISA_FLAGS_$(basename $(notdir $(1))))

# --- shim: everything that includes postgres.h --------------------------------
SHIM_SRCS   = $(sort $(wildcard src/pg/*.cpp src/pg/*/*.cpp))
OBJS        = $(SHIM_SRCS:.cpp=.o)
PG_CPPFLAGS = -Isrc/core -Isrc/pg
PG_CXXFLAGS = -std=c++17 -fvisibility=hidden -Wno-register -Wextra -Wno-unused-parameter -Wno-missing-field-initializers -MMD -MP
PGVECTOR_SYMBOLS = build/pgvector_symbols.ld
SHLIB_LINK  = $(CORE_LIB) -lstdc++ -lm $(PGVECTOR_SYMBOLS)

# pg_regress: every sql/*.sql in name order (00_setup first); scripts that
# share a body per type include it from sql/include/ through PG_ABS_SRCDIR.
REGRESS      = $(sort $(basename $(notdir $(wildcard sql/*.sql))))
REGRESS_OPTS = --inputdir=.
TAP_TESTS    = 1
PROVE_TESTS  = test/t/*.pl

EXTRA_CLEAN = build $(DATA_built) $(OBJS:.o=.d) results regression.diffs regression.out

PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

# PGXS emits LLVM bitcode for JIT inlining on --with-llvm servers; give that
# compile the same language level as the object files.
COMPILE.cxx.bc = $(CLANG) -xc++ -std=c++17 -Wno-ignored-attributes -Wno-register $(BITCODE_CXXFLAGS) $(CPPFLAGS) -flto=thin -emit-llvm -c

# A kernel object compiled for one ISA level must define no weak symbol:
# the linker keeps one copy of a weak (inline or template) function, and
# if it kept this object's AVX copy, code running on any CPU would call it.
# Checked on the object as built and on the same file at -O0, where inline
# functions of the standard library are not inlined away.
ISA_OBJS          = $(filter $(foreach l,$(ISA_LEVELS),%/$(l).o),$(CORE_OBJS))
ISA_SYMBOL_CHECKS = $(ISA_OBJS:.o=.symbols-ok)
ALLOWED_WEAK      = DW.ref.__gxx_personality_v0

$(shlib): $(CORE_LIB) $(PGVECTOR_SYMBOLS)

# pgvector's symbols as aliases of vecsim's functions (src/pg/pgvector_symbols.def).
$(PGVECTOR_SYMBOLS): src/pg/pgvector_symbols.def
	@mkdir -p $(dir $@)
	sed -n 's/^PGVECTOR_ENTRY(\([a-z0-9_]*\), \([a-z0-9_]*\))$$/\1 = \2;\npg_finfo_\1 = pg_finfo_\2;/p' $< > $@.tmp
	mv $@.tmp $@

$(CORE_LIB): $(CORE_OBJS) $(ISA_SYMBOL_CHECKS)
	rm -f $@
	$(AR) rcs $@ $(CORE_OBJS)

build/core/%.symbols-ok: build/core/%.o src/core/%.cpp
	$(CXX) $(CORE_FLAGS) -O0 $(call isa_flags,$<) -c src/core/$*.cpp -o $(@:.symbols-ok=.O0.o)
	@weak=$$(nm --defined-only $< $(@:.symbols-ok=.O0.o) | awk '$$2 ~ /^[WVuw]$$/ && $$3 != "$(ALLOWED_WEAK)" {print $$3}' | sort -u); \
	  if [ -n "$$weak" ]; then echo "$<: weak symbols in an ISA-specific object:" >&2; \
	    echo "$$weak" | c++filt >&2; exit 1; fi
	@rm -f $(@:.symbols-ok=.O0.o); touch $@

build/core/%.o: src/core/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CORE_FLAGS) $(call isa_flags,$<) -MMD -MP -c $< -o $@

# The script is two parts: what pgvector 0.8 has (its surface, in pgvector's
# order of dependencies) and what vecsim adds (filter operator classes and
# its own functions). vecsim's script is both; under pgvector's name the
# parts are also installed apart (below).
SQL_SURFACE   = build/sql/surface.sql
SQL_ADDITIONS = build/sql/additions.sql

$(SQL_SURFACE): $(SQL_INPUTS) Makefile
	@mkdir -p $(dir $@)
	( $(foreach t,$(SQL_TYPES),$(call instantiate,type_io,$(t))) \
	  $(foreach t,$(SQL_TYPES),$(call instantiate,common,$(t))) \
	  $(foreach t,$(DENSE_TYPES),$(call instantiate,dense,$(t))) \
	  for f in bit casts hnsw; do echo; cat $(SQL_DIR)/$$f.sql; done; \
	  $(foreach t,$(SQL_TYPES),$(call instantiate,hnsw_opclasses,$(t))) \
	  echo; cat $(SQL_DIR)/ivfflat.sql; \
	  $(foreach t,$(IVF_TYPES),$(call instantiate,ivfflat_opclasses,$(t))) ) > $@.tmp
	@! grep -n '@[A-Z0-9_]*@' $@.tmp || { echo "unexpanded placeholder in $@" >&2; exit 1; }
	mv $@.tmp $@

$(SQL_ADDITIONS): $(SQL_INPUTS) Makefile
	@mkdir -p $(dir $@)
	( echo; cat $(SQL_DIR)/hnsw_filter.sql; \
	  $(foreach t,$(FILTER_TYPES),$(call instantiate,hnsw_filter_opclasses,$(t))) \
	  cat $(SQL_DIR)/hnsw_filter_cross.sql; \
	  echo; cat $(SQL_DIR)/vecsim_functions.sql ) > $@.tmp
	@! grep -n '@[A-Z0-9_]*@' $@.tmp || { echo "unexpanded placeholder in $@" >&2; exit 1; }
	mv $@.tmp $@

$(DATA_built): $(SQL_SURFACE) $(SQL_ADDITIONS) vecsim.control
	@mkdir -p $(dir $@)
	( echo "-- vecsim $(EXTVERSION): generated by make from $(SQL_DIR); do not edit."; \
	  printf '%s\n' '\echo Use "CREATE EXTENSION vecsim" to load this file. \quit'; \
	  cat $(SQL_SURFACE) $(SQL_ADDITIONS) ) > $@.tmp
	mv $@.tmp $@

# --- vecsim under pgvector's extension name -----------------------------------
# The same library and objects as vecsim, under the name applications create
# (CREATE EXTENSION IF NOT EXISTS vector) and with pgvector's catalogue: the
# library is reached as $libdir/vector (a link to vecsim's) and every C
# function under pgvector's symbol (src/pg/pgvector_symbols.def), so a
# database pgvector made works on vecsim after pg_upgrade. Versions (docs/
# reference.md 2): 0.8.0-vecsim-X is everything; 0.8.0 is pgvector 0.8's
# objects alone, and an update script from it (and from the 0.8 releases
# with the same objects) adds vecsim's. Each file it installs carries a
# marker, so pgvector's own files are never overwritten unless FORCE=1.
PGVECTOR_SURFACE   = 0.8.0
PGVECTOR_SAME_SQL  = 0.8.0 0.8.1
AS_VECTOR_VERSION  = $(PGVECTOR_SURFACE)-vecsim-$(EXTVERSION)
AS_VECTOR_MARKER   = installed by vecsim (make install-as-vector)
EXTENSION_DIR      = $(DESTDIR)$(datadir)/extension
AS_VECTOR_LIB      = $(DESTDIR)$(pkglibdir)/vector$(DLSUFFIX)
AS_VECTOR_DIR      = build/as-vector
AS_VECTOR_FULL     = $(AS_VECTOR_DIR)/vector--$(AS_VECTOR_VERSION).sql
AS_VECTOR_SURFACE  = $(AS_VECTOR_DIR)/vector--$(PGVECTOR_SURFACE).sql
AS_VECTOR_UPDATES  = $(foreach v,$(PGVECTOR_SAME_SQL),$(AS_VECTOR_DIR)/vector--$(v)--$(AS_VECTOR_VERSION).sql)
AS_VECTOR_BUILT    = $(AS_VECTOR_DIR)/vector.control $(AS_VECTOR_FULL) $(AS_VECTOR_UPDATES)

$(AS_VECTOR_DIR)/vector.control: vecsim.control Makefile
	@mkdir -p $(dir $@)
	( echo '# $(AS_VECTOR_MARKER)'; \
	  sed -e "s/^default_version = .*/default_version = '$(AS_VECTOR_VERSION)'/" \
	      -e "s|^module_pathname = .*|module_pathname = '\$$libdir/vector'|" \
	      -e '/^#/d' vecsim.control ) > $@

# vecsim's symbol -> pgvector's, one sed command per line of the .def file.
$(AS_VECTOR_DIR)/symbols.sed: src/pg/pgvector_symbols.def
	@mkdir -p $(dir $@)
	sed -n "s/^PGVECTOR_[A-Z]*(\([a-z0-9_]*\), \([a-z0-9_]*\))$$/s|'\2'|'\1'|/p" $< > $@.tmp
	mv $@.tmp $@

as_vector_header = echo '-- $(AS_VECTOR_MARKER): $(1); generated, do not edit.'; \
                   printf '%s\n' '\echo Use "$(2)" to load this file. \quit';

$(AS_VECTOR_FULL): $(SQL_SURFACE) $(SQL_ADDITIONS) $(AS_VECTOR_DIR)/symbols.sed
	( $(call as_vector_header,vecsim $(EXTVERSION) as pgvector $(PGVECTOR_SURFACE),CREATE EXTENSION vector) \
	  cat $(SQL_SURFACE) $(SQL_ADDITIONS) | sed -f $(AS_VECTOR_DIR)/symbols.sed ) > $@.tmp
	mv $@.tmp $@

$(AS_VECTOR_SURFACE): $(SQL_SURFACE) $(AS_VECTOR_DIR)/symbols.sed
	( $(call as_vector_header,the objects of pgvector $(PGVECTOR_SURFACE) on the vecsim library,CREATE EXTENSION vector) \
	  sed -f $(AS_VECTOR_DIR)/symbols.sed $(SQL_SURFACE) ) > $@.tmp
	mv $@.tmp $@

$(AS_VECTOR_DIR)/vector--%--$(AS_VECTOR_VERSION).sql: $(SQL_ADDITIONS) $(AS_VECTOR_DIR)/symbols.sed
	( $(call as_vector_header,the vecsim additions to the objects of pgvector $*,ALTER EXTENSION vector UPDATE) \
	  sed -f $(AS_VECTOR_DIR)/symbols.sed $(SQL_ADDITIONS) ) > $@.tmp
	mv $@.tmp $@

# Refuses before installing anything if a file it would write is not its
# own (pgvector is installed), unless FORCE=1: that replaces pgvector's
# control file and library for good (reinstall pgvector to get them back),
# and so moves every database of the server that has pgvector's extension
# onto vecsim, whose pgvector indexes then need a REINDEX (README). pgvector's
# vector--0.8.0.sql, if there, is kept: it creates the same objects on the
# same symbols.
install-as-vector: $(AS_VECTOR_BUILT) $(AS_VECTOR_SURFACE)
	@if [ "$(FORCE)" != 1 ] && { \
	    { [ -f '$(EXTENSION_DIR)/vector.control' ] && \
	      ! grep -qxF '# $(AS_VECTOR_MARKER)' '$(EXTENSION_DIR)/vector.control'; } || \
	    { [ -e '$(AS_VECTOR_LIB)' ] && [ "$$(readlink '$(AS_VECTOR_LIB)')" != 'vecsim$(DLSUFFIX)' ]; }; }; then \
	  echo "$(EXTENSION_DIR)/vector.control or $(AS_VECTOR_LIB) is not vecsim's" \
	       "(pgvector is installed?); run make install-as-vector FORCE=1 to replace them" >&2; exit 1; fi
	$(MAKE) install
	$(INSTALL_DATA) $(AS_VECTOR_BUILT) '$(EXTENSION_DIR)/'
	@if [ ! -f '$(EXTENSION_DIR)/$(notdir $(AS_VECTOR_SURFACE))' ] || \
	    head -1 '$(EXTENSION_DIR)/$(notdir $(AS_VECTOR_SURFACE))' | grep -qF '$(AS_VECTOR_MARKER)'; then \
	  echo $(INSTALL_DATA) $(AS_VECTOR_SURFACE) '$(EXTENSION_DIR)/'; \
	  $(INSTALL_DATA) $(AS_VECTOR_SURFACE) '$(EXTENSION_DIR)/'; fi
	rm -f '$(AS_VECTOR_LIB)' && ln -s 'vecsim$(DLSUFFIX)' '$(AS_VECTOR_LIB)'
	@if [ "$(FORCE)" = 1 ]; then echo "WARNING: databases with pgvector's extension now run on vecsim:" \
	  "restart the server, then REINDEX their hnsw and ivfflat indexes (README, Moving from pgvector)" >&2; fi

# make uninstall leaves no link to the library it removes.
uninstall: uninstall-as-vector
uninstall-as-vector:
	@if [ -f '$(EXTENSION_DIR)/vector.control' ] && \
	    grep -qxF '# $(AS_VECTOR_MARKER)' '$(EXTENSION_DIR)/vector.control'; then \
	  rm -f '$(EXTENSION_DIR)/vector.control'; fi
	@for f in '$(EXTENSION_DIR)'/vector--*.sql; do \
	  if [ -f "$$f" ] && head -1 "$$f" | grep -qF '$(AS_VECTOR_MARKER)'; then rm -f "$$f"; fi; done
	@if [ "$$(readlink '$(AS_VECTOR_LIB)')" = 'vecsim$(DLSUFFIX)' ]; then rm -f '$(AS_VECTOR_LIB)'; fi

.PHONY: install-as-vector uninstall-as-vector

# --- tests and benchmarks ----------------------------------------------------
SANITIZE    = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
UNIT_FLAGS  = -std=c++17 -O1 -g -Wall -Wextra -Isrc/core $(SANITIZE)
UNIT_SRCS   = $(sort $(wildcard test/unit/*.cpp))
UNIT_CORE   = $(patsubst src/core/%.cpp,build/unit/core/%.o,$(CORE_SRCS))
UNIT_OBJS   = $(patsubst test/unit/%.cpp,build/unit/test/%.o,$(UNIT_SRCS))

build/unit/core/%.o: src/core/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(UNIT_FLAGS) $(call isa_flags,$<) -MMD -MP -c $< -o $@

build/unit/test/%.o: test/unit/%.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(UNIT_FLAGS) -MMD -MP -c $< -o $@

build/unit/vecsim_unit: $(UNIT_CORE) $(UNIT_OBJS)
	$(CXX) $(UNIT_FLAGS) $^ -lgtest -lgtest_main -pthread -o $@

unit: build/unit/vecsim_unit
	build/unit/vecsim_unit

FUZZ_FLAGS  = -std=c++17 -O1 -g -Isrc/core -fsanitize=fuzzer,address,undefined
FUZZ_SRCS   = $(sort $(wildcard test/fuzz/*.cpp))
FUZZ_BINS   = $(patsubst test/fuzz/%.cpp,build/fuzz/%,$(FUZZ_SRCS))
FUZZ_CORE   = src/core/util/status.cpp

build/fuzz/%: test/fuzz/%.cpp $(FUZZ_CORE)
	@mkdir -p $(dir $@)
	clang++ $(FUZZ_FLAGS) $^ -o $@

fuzz: $(FUZZ_BINS)

# -MMD: a benchmark is rebuilt when any header it includes changes (the
# graph and kernels are header templates).
BENCH_FLAGS = -std=c++17 -O2 -g -Isrc/core -MMD -MP
BENCH_BINS  = build/bench/kernels_bench build/bench/gen_clustered build/bench/hnsw_core_bench
build/bench/kernels_bench: bench/kernels_bench.cpp $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_FLAGS) $< $(CORE_LIB) -lbenchmark -pthread -o $@

build/bench/gen_clustered: bench/gen_clustered.cpp test/support/clustered_data.h
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_FLAGS) $< -o $@

# hnswlib (header-only, libhnswlib-dev) is the in-run reference. It picks
# its SIMD code at compile time, so its own translation unit is compiled
# for the best named x86-64 level this machine reports (a benchmark runs
# where it is built); nothing of vecsim's is compiled with those flags.
HNSWLIB_FLAGS := $(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo $(ISA_FLAGS_x86v4) \
                   || (grep -qw avx2 /proc/cpuinfo 2>/dev/null && echo $(ISA_FLAGS_x86v3)))
build/bench/hnswlib_reference.o: bench/hnswlib_reference.cpp bench/hnswlib_reference.h
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_FLAGS) $(HNSWLIB_FLAGS) -c $< -o $@

build/bench/hnsw_core_bench: bench/hnsw_core_bench.cpp test/support/clustered_data.h build/bench/hnswlib_reference.o $(CORE_LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(BENCH_FLAGS) $< build/bench/hnswlib_reference.o $(CORE_LIB) -o $@

bench: $(BENCH_BINS)

.PHONY: unit fuzz bench

-include $(CORE_OBJS:.o=.d) $(UNIT_CORE:.o=.d) $(UNIT_OBJS:.o=.d) $(OBJS:.o=.d) $(BENCH_BINS:=.d) build/bench/hnswlib_reference.d
