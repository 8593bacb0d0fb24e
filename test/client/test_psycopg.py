#!/usr/bin/python3
"""test/client/test_psycopg.py: vecsim through a real driver, psycopg 3.

pgvector users mostly reach the database from Python. This suite checks what
such a client sees: text values both ways, the binary format both ways (a
binary result, a binary bind parameter, a binary COPY stream), and errors
surfacing with the SQLSTATEs the SPEC promises, as psycopg's exception
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


class VectorList(list):
    """A Python list to be sent as a binary vector parameter."""


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


if __name__ == "__main__":
    unittest.main(verbosity=2)
