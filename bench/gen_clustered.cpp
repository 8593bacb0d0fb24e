// bench/gen_clustered.cpp
// Writes clustered synthetic vectors for the demo and the ANN benchmark.
//
//   gen_clustered --rows N --dims D [--clusters K] [--seed S] [--format copy|text|raw]
//
// Data: see test/support/clustered_data.h. Points with another --seed come from the same
// mixture (the same centres and subspace, fixed by --model-seed), which is
// how held-out queries are made.
//
// --format raw writes the rows as native float32s, back to back (for numpy).
// --format copy (default) writes PostgreSQL's binary COPY stream for a table
// (id bigint, embedding vector(D)); --format text writes one '[...]' vector
// per line.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "../test/support/clustered_data.h"

namespace {

struct Options {
  long rows = 1000;
  int dims = 128;
  int clusters = 100;
  std::uint64_t seed = 1;
  std::uint64_t model_seed = 42;
  bool copy_format = true;
  bool raw_format = false;  // float32 rows, native byte order, nothing else
  long first_id = 1;
};

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i];
    const char* v = argv[i + 1];
    if (k == "--rows") o.rows = std::atol(v);
    else if (k == "--dims") o.dims = std::atoi(v);
    else if (k == "--clusters") o.clusters = std::atoi(v);
    else if (k == "--seed") o.seed = std::strtoull(v, nullptr, 10);
    else if (k == "--model-seed") o.model_seed = std::strtoull(v, nullptr, 10);
    else if (k == "--first-id") o.first_id = std::atol(v);
    else if (k == "--format") {
      o.copy_format = std::string(v) == "copy";
      o.raw_format = std::string(v) == "raw";
    }
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      std::exit(2);
    }
  }
  if (o.dims < 1 || o.dims > 16000 || o.rows < 0 || o.clusters < 1) {
    std::fprintf(stderr, "bad options\n");
    std::exit(2);
  }
  return o;
}

void put_be16(std::FILE* f, std::uint16_t v) {
  unsigned char b[2] = {static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::fwrite(b, 1, 2, f);
}
void put_be32(std::FILE* f, std::uint32_t v) {
  unsigned char b[4] = {static_cast<unsigned char>(v >> 24), static_cast<unsigned char>(v >> 16),
                        static_cast<unsigned char>(v >> 8), static_cast<unsigned char>(v)};
  std::fwrite(b, 1, 4, f);
}
void put_be64(std::FILE* f, std::uint64_t v) {
  put_be32(f, static_cast<std::uint32_t>(v >> 32));
  put_be32(f, static_cast<std::uint32_t>(v));
}

}  // namespace

int main(int argc, char** argv) {
  Options o = parse(argc, argv);
  vecsim::testdata::ClusteredModel model(o.dims, o.clusters, o.model_seed);
  std::mt19937_64 rng(o.seed);
  std::vector<float> point(static_cast<std::size_t>(o.dims));

  std::FILE* out = stdout;
  if (o.copy_format) {
    std::fwrite("PGCOPY\n\377\r\n\0", 1, 11, out);
    put_be32(out, 0);
    put_be32(out, 0);
  }
  for (long r = 0; r < o.rows; ++r) {
    model.sample(rng, point.data());
    if (o.copy_format) {
      put_be16(out, 2);
      put_be32(out, 8);
      put_be64(out, static_cast<std::uint64_t>(o.first_id + r));
      put_be32(out, 4 + 4 * static_cast<std::uint32_t>(o.dims));
      put_be16(out, static_cast<std::uint16_t>(o.dims));
      put_be16(out, 0);
      for (float x : point) {
        std::uint32_t bits;
        std::memcpy(&bits, &x, 4);
        put_be32(out, bits);
      }
    } else if (o.raw_format) {
      std::fwrite(point.data(), sizeof(float), point.size(), out);
    } else {
      std::fputc('[', out);
      for (int i = 0; i < o.dims; ++i) std::fprintf(out, i ? ",%.9g" : "%.9g", point[i]);
      std::fputs("]\n", out);
    }
  }
  if (o.copy_format) put_be16(out, 0xffff);
  return std::fflush(out) == 0 ? 0 : 1;
}
