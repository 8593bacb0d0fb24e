// test/unit/dense_binary_test.cpp
// The binary wire format of the dense types: byte-exact encoding, round
// trips, and each rejection in pgvector's order.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "types/dense_binary.h"
#include "types/element_traits.h"

namespace vecsim::core {
namespace {

using Bytes = std::vector<unsigned char>;

Status decode(const Bytes& wire, int typmod, std::vector<float>* out) {
  int dims = 0;
  VECSIM_RETURN_IF_ERROR(decode_dense_header<F32Traits>(wire.data(), wire.size(), typmod, &dims));
  out->assign(static_cast<std::size_t>(dims), 0.0f);
  return decode_dense_elements<F32Traits>(wire.data() + kDenseWireHeaderSize,
                                          wire.size() - kDenseWireHeaderSize, dims, out->data());
}

TEST(DenseBinary, EncodesPgvectorsLayout) {
  float v[2] = {1.0f, 2.0f};
  Bytes wire(dense_wire_size<F32Traits>(2));
  encode_dense_binary<F32Traits>(v, 2, 0, wire.data());
  EXPECT_EQ(wire, (Bytes{0, 2, 0, 0, 0x3f, 0x80, 0, 0, 0x40, 0, 0, 0}));
}

TEST(DenseBinary, RoundTrips) {
  std::vector<float> v = {-0.0f, 1e-45f, 3.4028235e38f, 0.1f, -7.5f};
  Bytes wire(dense_wire_size<F32Traits>(static_cast<int>(v.size())));
  encode_dense_binary<F32Traits>(v.data(), static_cast<int>(v.size()), 0, wire.data());
  std::vector<float> back;
  ASSERT_TRUE(decode(wire, -1, &back).is_ok());
  ASSERT_EQ(back.size(), v.size());
  for (std::size_t i = 0; i < v.size(); ++i) {
    EXPECT_EQ(F32Traits::to_bits(back[i]), F32Traits::to_bits(v[i]));
  }
}

TEST(DenseBinary, RejectsInOrder) {
  std::vector<float> out;
  struct Case {
    Bytes wire;
    int typmod;
    ErrorCode code;
  };
  for (const Case& c : std::vector<Case>{
           {{0, 0, 0, 0}, -1, ErrorCode::kDataException},
           {{0x3e, 0x81, 0, 0}, -1, ErrorCode::kProgramLimit},
           {{0x3e, 0x80, 0, 0}, -1, ErrorCode::kProtocolViolation},  // 16000: only short
           {{0xff, 0xff, 0, 1}, -1, ErrorCode::kDataException},  // dims is a signed int16: -1
           {{0x80, 0x00, 0, 0}, -1, ErrorCode::kDataException},  // -32768
           {{0x7f, 0xff, 0, 0}, -1, ErrorCode::kProgramLimit},   // 32767
           {{0, 2, 0, 1}, 3, ErrorCode::kDataException},  // typmod before unused
           {{0, 1, 0, 1, 0x3f, 0x80, 0, 0}, -1, ErrorCode::kDataException},
           {{0, 2, 0, 0, 0x7f, 0xc0, 0, 0}, -1, ErrorCode::kDataException},  // NaN before short end
           {{0, 1, 0, 0, 0x7f, 0x80, 0, 0}, -1, ErrorCode::kDataException},
           {{0, 1}, -1, ErrorCode::kProtocolViolation},
           {{0, 2, 0, 0, 0x3f, 0x80, 0, 0}, -1, ErrorCode::kProtocolViolation},
           {{0, 1, 0, 0, 0x3f, 0x80, 0}, -1, ErrorCode::kProtocolViolation},
       }) {
    EXPECT_EQ(decode(c.wire, c.typmod, &out).code(), c.code);
  }
}

TEST(DenseBinary, HalfvecLayoutAndChecks) {
  Half v[2] = {Half{0x3c00}, Half{0x4000}};  // 1, 2
  Bytes wire(dense_wire_size<F16Traits>(2));
  encode_dense_binary<F16Traits>(v, 2, 0, wire.data());
  EXPECT_EQ(wire, (Bytes{0, 2, 0, 0, 0x3c, 0x00, 0x40, 0x00}));
  Half out[2];
  int dims = 0;
  ASSERT_TRUE(decode_dense_header<F16Traits>(wire.data(), wire.size(), 2, &dims).is_ok());
  EXPECT_TRUE(decode_dense_elements<F16Traits>(wire.data() + 4, 4, 2, out).is_ok());
  EXPECT_EQ(out[1].bits, 0x4000);
  for (std::uint16_t bad : {0x7e00, 0x7c00, 0xfc00}) {
    Bytes nan_wire = {0, 1, 0, 0, static_cast<unsigned char>(bad >> 8), 0};
    EXPECT_EQ(decode_dense_elements<F16Traits>(nan_wire.data() + 4, 2, 1, out).code(),
              ErrorCode::kDataException);
  }
  EXPECT_EQ(decode_dense_elements<F16Traits>(wire.data() + 4, 3, 2, out).code(),
            ErrorCode::kProtocolViolation);
}

}  // namespace
}  // namespace vecsim::core
