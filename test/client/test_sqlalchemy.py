#!/usr/bin/python3
"""test/client/test_sqlalchemy.py: hnsw filter columns declared the way
SQLAlchemy users declare indexes (docs/hnsw_filtering.md).

An ORM model with a vector column (a small user-defined type, as the seed
application's own; the pgvector package is not needed to send text
values) and the index written exactly as

    Index('ix', Item.embedding, Item.tenant_id, postgresql_using='hnsw',
          postgresql_ops={'embedding': 'vector_l2_ops'})

is created by metadata.create_all through psycopg2 and filled by ORM
inserts; a filtered ORM query
must then run as an index scan with the tenant as an index key and return
the tenant's nearest rows, as an exact scan does (one miss allowed). Connects with the libpq
environment to the database named by VECSIM_CLIENT_DB, where the extension
must exist.
"""
import os
import random
import unittest

from sqlalchemy import BigInteger, Column, Index, Integer, create_engine, select, text
from sqlalchemy.orm import Session, declarative_base
from sqlalchemy.types import UserDefinedType

Base = declarative_base()


class Vector(UserDefinedType):
    """vector(dims), bound and read as its text form."""

    cache_ok = True

    def __init__(self, dims):
        self.dims = dims

    def get_col_spec(self, **kw):
        return f"vector({self.dims})"

    def bind_processor(self, dialect):
        return lambda v: None if v is None else "[" + ",".join(repr(float(x)) for x in v) + "]"

    def literal_processor(self, dialect):
        return lambda v: "'[" + ",".join(repr(float(x)) for x in v) + f"]'::vector({self.dims})"

    def result_processor(self, dialect, coltype):
        return lambda v: None if v is None else [float(x) for x in v.strip("[]").split(",")]

    class comparator_factory(UserDefinedType.Comparator):
        def l2_distance(self, other):
            return self.op("<->", return_type=self.type)(other)


class Item(Base):
    __tablename__ = "sa_items"
    id = Column(BigInteger, primary_key=True)
    tenant_id = Column(Integer, nullable=False)
    embedding = Column(Vector(4))
    __table_args__ = (
        Index("sa_items_embedding_tenant", "embedding", "tenant_id", postgresql_using="hnsw",
              postgresql_ops={"embedding": "vector_l2_ops"}),
    )


class FilterColumnsThroughSqlAlchemy(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        host = os.environ.get("PGHOST", "")
        port = os.environ.get("PGPORT", "5432")
        user = os.environ.get("PGUSER", "postgres")
        cls.engine = create_engine(
            f"postgresql+psycopg2://{user}@/{os.environ['VECSIM_CLIENT_DB']}?host={host}&port={port}")
        Base.metadata.drop_all(cls.engine)
        Base.metadata.create_all(cls.engine)  # the table and its index, as an application does
        rng = random.Random(7)
        cls.rows = [(i, i % 20, [rng.random() for _ in range(4)]) for i in range(1, 2001)]
        with Session(cls.engine) as session:  # rows inserted into the index one by one
            session.add_all(Item(id=i, tenant_id=t, embedding=v) for i, t, v in cls.rows)
            session.commit()
        with cls.engine.begin() as conn:
            conn.execute(text("ANALYZE sa_items"))

    @classmethod
    def tearDownClass(cls):
        Base.metadata.drop_all(cls.engine)
        cls.engine.dispose()

    def query(self, tenant, q):
        return (select(Item.id).where(Item.tenant_id == tenant)
                .order_by(Item.embedding.l2_distance(q)).limit(5))

    def test_the_index_is_created_as_declared(self):
        with self.engine.connect() as conn:
            definition = conn.execute(text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'sa_items_embedding_tenant'")).scalar_one()
        self.assertIn("USING hnsw (embedding vector_l2_ops, tenant_id)", definition)

    def test_a_filtered_query_uses_the_tenant_as_an_index_key(self):
        q = [0.5, 0.5, 0.5, 0.5]
        stmt = self.query(3, q)
        with self.engine.connect() as conn:
            conn.execute(text("SET enable_seqscan = off"))
            literal = stmt.compile(self.engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(r[0] for r in conn.execute(text("EXPLAIN " + str(literal))))
            self.assertIn("Index Scan using sa_items_embedding_tenant", plan)
            self.assertIn("Index Cond: (tenant_id = ", plan)
            got = conn.execute(stmt).scalars().all()
        want = sorted((sum((a - b) ** 2 for a, b in zip(v, q)), i) for i, t, v in self.rows if t == 3)[:5]
        self.assertEqual(len(got), 5)
        # approximate search: one of the five may be missed (none was, in the runs so far)
        self.assertGreaterEqual(len(set(got) & {i for _, i in want}), 4)


if __name__ == "__main__":
    unittest.main(verbosity=2)
