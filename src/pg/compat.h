// src/pg/compat.h
// Every PostgreSQL-version-specific name the shim uses is reached through
// this file, so that supporting another major version is a change here
// (and, for a header that moved, in the include list of pg.h), never
// scattered #ifs. vecsim is built and tested on PostgreSQL 15.
//
// Include it only through pg.h. It is read before PostgreSQL's headers, so
// it holds macros only; they expand where the shim uses them, after pg.h
// has declared what they name.
#pragma once

// PostgreSQL 15's c.h leaves PGDLLEXPORT empty on ELF platforms (16 made it
// visibility("default")). vecsim is built with -fvisibility=hidden, so the
// symbols the server looks up (Pg_magic_func, _PG_init, pg_finfo_* and the
// functions they describe) must be exported explicitly. c.h only defines
// PGDLLEXPORT when it is not defined yet.
#if !defined(PGDLLEXPORT) && defined(__GNUC__)
#define PGDLLEXPORT __attribute__((visibility("default")))
#endif

// PostgreSQL 15's PG_FUNCTION_INFO_V1 exports the pg_finfo record but not the
// function it describes (16 exports both). VECSIM_FUNCTION declares the
// function with this attribute first.
#define VECSIM_EXPORT __attribute__((visibility("default")))

// The relation's physical file, as ReadRecentBuffer takes it (16 renamed
// RelFileNode rd_node to RelFileLocator rd_locator).
#define VECSIM_RELATION_FILE(rel) ((rel)->rd_node)

// The shared descriptor of a shared buffer (storage/buf_internals.h; its
// 0-based indexing has held since 9.6, the header is internal API).
#define VECSIM_BUFFER_DESCRIPTOR(buffer) GetBufferDescriptor((buffer) - 1)

// Reserves a setting prefix, so a misspelt name is an error (15 added
// MarkGUCPrefixReserved; before it, EmitWarningsOnPlaceholders warned).
#define VECSIM_RESERVE_GUC_PREFIX(prefix) MarkGUCPrefixReserved(prefix)

// 64 random bits from the backend's generator (common/pg_prng.h, new in
// 15; pg.h includes it).
#define VECSIM_RANDOM_U64() pg_prng_uint64(&pg_global_prng_state)

// A new buffer at the end of a fork, pinned (16 added ExtendBufferedRel
// and deprecated extending through P_NEW).
#define VECSIM_EXTEND_FORK(rel, fork) ReadBufferExtended((rel), (fork), P_NEW, RBM_NORMAL, nullptr)

// Cost-based vacuum delay (18 gave vacuum_delay_point an is_analyze flag).
#define VECSIM_VACUUM_DELAY_POINT() vacuum_delay_point()
