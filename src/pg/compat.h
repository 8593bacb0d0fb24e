// src/pg/compat.h
// Every PostgreSQL-version-specific line of vecsim lives here, so that
// supporting another major version is a change to this one file.
//
// Include it only through pg.h.
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
