// bench/gen_clustered.cpp
// Writes clustered synthetic vectors for the demo and the ANN benchmark.
//
//   gen_clustered --rows N --dims D [--clusters K] [--seed S] [--format copy|text]
//
// Data: a Gaussian mixture in a random 16-dimensional subspace, lifted to D
// dimensions, plus isotropic noise, so neighbourhoods have the structure of
// real embeddings rather than of uniform noise. Points with another --seed
// come from the same mixture (the same centres and subspace, fixed by
// --model-seed), which is how held-out queries are made.
//
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

namespace {

struct Options {
  long rows = 1000;
  int dims = 128;
  int clusters = 100;
  std::uint64_t seed = 1;
  std::uint64_t model_seed = 42;
  bool copy_format = true;
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
    else if (k == "--format") o.copy_format = std::string(v) == "copy";
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
  constexpr int kSubspace = 16;
  std::mt19937_64 model_rng(o.model_seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);

  std::vector<float> basis(static_cast<std::size_t>(o.dims) * kSubspace);
  for (float& x : basis) x = normal(model_rng) / 4.0f;  // 1/sqrt(16)
  std::vector<float> centres(static_cast<std::size_t>(o.clusters) * kSubspace);
  for (float& x : centres) x = 2.0f * normal(model_rng);

  std::mt19937_64 rng(o.seed);
  std::uniform_int_distribution<int> pick(0, o.clusters - 1);
  std::vector<float> latent(kSubspace), point(static_cast<std::size_t>(o.dims));

  std::FILE* out = stdout;
  if (o.copy_format) {
    std::fwrite("PGCOPY\n\377\r\n\0", 1, 11, out);
    put_be32(out, 0);
    put_be32(out, 0);
  }
  for (long r = 0; r < o.rows; ++r) {
    const float* c = &centres[static_cast<std::size_t>(pick(rng)) * kSubspace];
    for (int j = 0; j < kSubspace; ++j) latent[j] = c[j] + normal(rng);
    for (int i = 0; i < o.dims; ++i) {
      float x = 0.1f * normal(rng);
      const float* row = &basis[static_cast<std::size_t>(i) * kSubspace];
      for (int j = 0; j < kSubspace; ++j) x += row[j] * latent[j];
      point[i] = x;
    }
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
    } else {
      std::fputc('[', out);
      for (int i = 0; i < o.dims; ++i) std::fprintf(out, i ? ",%.9g" : "%.9g", point[i]);
      std::fputs("]\n", out);
    }
  }
  if (o.copy_format) put_be16(out, 0xffff);
  return std::fflush(out) == 0 ? 0 : 1;
}
