#!/usr/bin/python3
"""test/client/test_psycopg.py: vecsim through a real driver, psycopg 3.

pgvector users mostly reach the database from Python. This suite checks what
such a client sees, for vector, halfvec, sparsevec and the bit distances:
text values both ways, the binary format both ways (a
binary result, a binary bind parameter, a binary COPY stream), and errors
surfacing with the SQLSTATEs docs/reference.md lists, as psycopg's exception
classes. Connects with the libpq environment (PGHOST, PGPORT, PGUSER) to the
database named by VECSIM_CLIENT_DB, where the extension must exist.
"""
import os
import struct
import unittest

import psycopg
from psycopg import errors, sql
from psycopg.adapt import Dumper
from psycopg.pq import Format


def wire(values):
    """The binary wire image of a vector: int16 dims, int16 0, float32s (big-endian)."""
    return struct.pack(f">HH{len(values)}f", len(values), 0, *values)


def half_wire(values):
    """The binary wire image of a halfvec: int16 dims, int16 0, binary16s (big-endian)."""
    return struct.pack(f">HH{len(values)}e", len(values), 0, *values)


def sparse_wire(entries, dims):
    """The binary wire image of a sparsevec from {0-based index: value}."""
    indices = sorted(entries)
    return struct.pack(f">iii{len(indices)}i{len(indices)}f", dims, len(indices), 0, *indices,
                       *[entries[i] for i in indices])


class VectorList(list):
    """A Python list to be sent as a binary vector parameter."""


class HalfList(list):
    """A Python list to be sent as a binary halfvec parameter."""


class SparseDict(dict):
    """{0-based index: value} with .dims, to be sent as a binary sparsevec parameter."""

    def __init__(self, entries, dims):
        super().__init__(entries)
        self.dims = dims


class ClientTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.conn = psycopg.connect(dbname=os.environ.get("VECSIM_CLIENT_DB", "postgres"), autocommit=True)
        cls.vector_oid = cls.conn.execute("SELECT 'vector'::regtype::oid").fetchone()[0]
        oid = cls.vector_oid

        class BinaryVectorDumper(Dumper):
            format = Format.BINARY

            def dump(self, obj):
                return getattr(obj, "raw_wire", None) or wire(obj)

        # A class attribute oid makes the dumper findable by oid too (COPY set_types).
        BinaryVectorDumper.oid = oid
        cls.conn.adapters.register_dumper(VectorList, BinaryVectorDumper)

        def binary_dumper(type_name, encode):
            type_oid = cls.conn.execute("SELECT %s::regtype::oid", [type_name]).fetchone()[0]
            return type("Binary%sDumper" % type_name, (Dumper,),
                        {"format": Format.BINARY, "oid": type_oid, "dump": lambda self, obj: encode(obj)})

        cls.conn.adapters.register_dumper(HalfList, binary_dumper("halfvec", half_wire))
        cls.conn.adapters.register_dumper(
            SparseDict, binary_dumper("sparsevec", lambda obj: sparse_wire(obj, obj.dims)))
        cls.conn.execute("DROP TABLE IF EXISTS client_items")
        cls.conn.execute("CREATE TABLE client_items (id int, embedding vector(3))")

    @classmethod
    def tearDownClass(cls):
        cls.conn.execute("DROP TABLE IF EXISTS client_items")
        cls.conn.close()

    def setUp(self):
        self.conn.execute("TRUNCATE client_items")

    def test_text_round_trip(self):
        self.conn.execute("INSERT INTO client_items VALUES (1, %s)", ["[1,2.5,-3e-7]"])
        row = self.conn.execute("SELECT embedding::text FROM client_items").fetchone()
        self.assertEqual(row[0], "[1,2.5,-3e-07]")

    def test_text_parameters_in_queries(self):
        self.conn.execute("INSERT INTO client_items SELECT i, ARRAY[i, i, i] FROM generate_series(1, 5) i")
        rows = self.conn.execute(
            "SELECT id FROM client_items ORDER BY embedding <-> %s::vector LIMIT 2", ["[4.1,4.1,4.1]"]).fetchall()
        self.assertEqual([r[0] for r in rows], [4, 5])
        dist = self.conn.execute("SELECT %s::vector <=> %s::vector", ["[1,2,3]", "[4,5,6]"]).fetchone()[0]
        self.assertAlmostEqual(dist, 0.025368153802923787, places=12)

    def test_binary_result(self):
        cur = self.conn.cursor(binary=True)
        cur.execute("SELECT '[1,2]'::vector")
        self.assertEqual(cur.fetchone()[0], wire([1, 2]))
        self.assertEqual(bytes.fromhex("000200003f80000040000000"), wire([1, 2]))

    def test_binary_parameter(self):
        self.conn.execute("INSERT INTO client_items VALUES (1, %b)", [VectorList([1.0, -0.0, 3.4028234663852886e38])])
        row = self.conn.execute("SELECT embedding::text FROM client_items").fetchone()
        self.assertEqual(row[0], "[1,-0,3.4028235e+38]")

    def test_binary_parameter_errors(self):
        cases = [
            (VectorList([1.0, 2.0]), errors.DataException),           # typmod of the column
            (VectorList([float("nan"), 1.0, 2.0]), errors.DataException),
            (VectorList([]), errors.DataException),                   # dims 0
        ]
        for value, error in cases:
            with self.subTest(value=value), self.assertRaises(error):
                self.conn.execute("INSERT INTO client_items VALUES (1, %b)", [value])
        over_long = VectorList([1.0, 2.0, 3.0])
        over_long.raw_wire = wire([1.0, 2.0, 3.0]) + b"\x00"
        with self.assertRaises(errors.InvalidBinaryRepresentation):
            self.conn.execute("INSERT INTO client_items VALUES (1, %b)", [over_long])
        unused = VectorList([1.0, 2.0, 3.0])
        unused.raw_wire = struct.pack(">HH3f", 3, 1, 1.0, 2.0, 3.0)
        with self.assertRaises(errors.DataException):
            self.conn.execute("INSERT INTO client_items VALUES (1, %b)", [unused])

    def test_binary_copy(self):
        rows = [(i, [float(i), i / 2.0, -1.0]) for i in range(1, 101)]
        cur = self.conn.cursor()
        with cur.copy("COPY client_items (id, embedding) FROM STDIN WITH (FORMAT BINARY)") as copy:
            copy.set_types(["int4", self.vector_oid])
            for row in rows:
                copy.write_row((row[0], VectorList(row[1])))
        count, total = self.conn.execute(
            "SELECT count(*), sum(embedding)::text FROM client_items").fetchone()
        self.assertEqual(count, 100)
        self.assertEqual(total, "[5050,2525,-100]")
        with cur.copy("COPY (SELECT embedding FROM client_items WHERE id = 7) TO STDOUT WITH (FORMAT BINARY)") as copy:
            copy.set_types([self.vector_oid])
            out = list(copy.rows())
        self.assertEqual(out, [(wire([7.0, 3.5, -1.0]),)])

    def test_errors_carry_sqlstates(self):
        cases = [
            ("SELECT '[1,2'::vector", errors.InvalidTextRepresentation),
            ("SELECT '[NaN]'::vector", errors.DataException),
            ("SELECT '[4e38]'::vector", errors.NumericValueOutOfRange),
            ("SELECT '[1,2]'::vector(3)", errors.DataException),
            ("SELECT '[1]'::vector(0)", errors.InvalidParameterValue),
            ("SELECT '[1,2]'::vector <-> '[1,2,3]'::vector", errors.DataException),
            ("SELECT '[3e38]'::vector + '[3e38]'::vector", errors.NumericValueOutOfRange),
            ("SELECT '{1,NULL}'::real[]::vector", errors.NullValueNotAllowed),
            ("SELECT array_fill(1, ARRAY[16001])::vector", errors.ProgramLimitExceeded),
        ]
        for query, error in cases:
            with self.subTest(query=query), self.assertRaises(error):
                self.conn.execute(query)
        self.assertEqual(self.conn.execute("SELECT 1").fetchone()[0], 1)


    def test_halfvec_text_and_binary(self):
        row = self.conn.execute("SELECT '[1.23456,0.1,-2]'::halfvec::text").fetchone()
        self.assertEqual(row[0], "[1.234375,0.099975586,-2]")
        cur = self.conn.cursor(binary=True)
        cur.execute("SELECT '[1,2]'::halfvec")
        self.assertEqual(cur.fetchone()[0], bytes.fromhex("000200003c004000"))
        self.assertEqual(half_wire([1, 2]), bytes.fromhex("000200003c004000"))
        got = self.conn.execute("SELECT %b::text, %b <-> %b", [
            HalfList([0.5, -0.0, 65504.0]), HalfList([3.0, 4.0]), HalfList([0.0, 0.0])]).fetchone()
        self.assertEqual(got, ("[0.5,-0,65504]", 5.0))
        with self.assertRaises(errors.DataException):
            self.conn.execute("SELECT %b::text", [HalfList([float("inf")])])

    def test_sparsevec_text_and_binary(self):
        row = self.conn.execute("SELECT '{3:2,1:1}/5'::sparsevec::text").fetchone()
        self.assertEqual(row[0], "{1:1,3:2}/5")
        cur = self.conn.cursor(binary=True)
        cur.execute("SELECT '{1:1,3:2}/5'::sparsevec")
        expected = bytes.fromhex("00000005000000020000000000000000000000023f80000040000000")
        self.assertEqual(cur.fetchone()[0], expected)
        self.assertEqual(sparse_wire({0: 1.0, 2: 2.0}, 5), expected)
        got = self.conn.execute("SELECT %b::text, %b <#> '{1:2,2:3}/1000000000'", [
            SparseDict({999999999: 1.5}, 1000000000), SparseDict({0: 1.0, 1: 1.0}, 1000000000)]).fetchone()
        self.assertEqual(got, ("{1000000000:1.5}/1000000000", -5.0))
        for bad in (SparseDict({5: 1.0}, 5), SparseDict({1: 0.0}, 5)):
            with self.subTest(bad=dict(bad)), self.assertRaises(errors.DataException):
                self.conn.execute("SELECT %b::text", [bad])

    def test_bit_distances(self):
        got = self.conn.execute("SELECT hamming_distance(%s::bit(4), B'1110'), %s::bit(4) <%%> B'1110'",
                                ["1111", "1111"]).fetchone()
        self.assertEqual(got, (1.0, 0.25))
        with self.assertRaises(errors.DataException):
            self.conn.execute("SELECT B'101' <~> B'1010'")

    def test_indexes_as_orms_declare_them(self):
        # The statements SQLAlchemy's Index(..., postgresql_using=...,
        # postgresql_with=..., postgresql_ops=...) emits, on an empty
        # table as a first migration creates them; rows inserted with binary
        # parameters; the query an application sends. The index answers
        # what an exact scan answers (few rows, every list and a full
        # candidate list), and the low-data notice reaches the client.
        notices = []
        on_notice = lambda diag: notices.append(diag.message_primary)
        self.conn.add_notice_handler(on_notice)
        try:
            for using, ddl, setting in [
                ("ivfflat", "USING ivfflat (embedding vector_l2_ops) WITH (lists = 4)", "SET ivfflat.probes = 4"),
                ("hnsw", "USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)",
                 "SET hnsw.ef_search = 100"),
            ]:
                with self.subTest(using=using):
                    self.conn.execute("TRUNCATE client_items")
                    self.conn.execute(f"CREATE INDEX ix_client_items ON client_items {ddl}")
                    with self.conn.cursor() as cur:
                        cur.executemany("INSERT INTO client_items VALUES (%s, %b)",
                                        [(i, VectorList([i % 7, i % 11, i % 13])) for i in range(300)])
                    self.conn.execute(setting)
                    query = "SELECT embedding <-> %b FROM client_items ORDER BY embedding <-> %b LIMIT 5"
                    self.conn.execute("SET enable_seqscan = off")
                    plan = self.conn.execute("EXPLAIN " + query.replace("%b", "'[1,2,3]'")).fetchall()
                    self.assertIn("ix_client_items", str(plan))
                    q = VectorList([1, 2, 3])
                    got = [r[0] for r in self.conn.execute(query, [q, q])]
                    self.conn.execute("RESET enable_seqscan")
                    self.conn.execute("SET enable_indexscan = off")
                    exact = [r[0] for r in self.conn.execute(query, [q, q])]
                    self.conn.execute("RESET enable_indexscan")
                    self.assertEqual(got, exact)
                    self.conn.execute("DROP INDEX ix_client_items")
        finally:
            self.conn.remove_notice_handler(on_notice)
        self.assertIn("ivfflat index created with little data", notices)

    def test_other_types_errors_carry_sqlstates(self):
        cases = [
            ("SELECT '[65520]'::halfvec", errors.NumericValueOutOfRange),
            ("SELECT '{1:1}/0'::sparsevec", errors.DataException),
            ("SELECT '{1:1'::sparsevec", errors.InvalidTextRepresentation),
            ("SELECT '{}/1000000001'::sparsevec", errors.ProgramLimitExceeded),
            ("SELECT '{1:1e-46}/1'::sparsevec", errors.NumericValueOutOfRange),
            ("SELECT '[70000]'::vector::halfvec", errors.NumericValueOutOfRange),
            ("SELECT '{}/16001'::sparsevec::vector", errors.ProgramLimitExceeded),
        ]
        for query, error in cases:
            with self.subTest(query=query), self.assertRaises(error):
                self.conn.execute(query)


if __name__ == "__main__":
    unittest.main(verbosity=2)
