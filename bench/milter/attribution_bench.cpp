// The work fblmilter adds to each outgoing marketing message at end of
// message (issue 7): signing the reference header.
#include <benchmark/benchmark.h>

#include "feedback_loop/reference.h"

namespace {

using fbl::feedback_loop::ReferenceClaims;

const fbl::config::ReferenceKey kKey{
    "k1", fbl::config::Secret("0123456789abcdef0123456789abcdef", "bench")};

ReferenceClaims claims_for(std::int64_t i) {
    ReferenceClaims claims;
    claims.recipient = "reader" + std::to_string(i) + "@example.net";
    claims.mailing_id = "bench-dec-2026";
    claims.timestamp = 1'795'000'000 + i;
    return claims;
}

// What each message cost before the signer kept its key state: OpenSSL looks
// up HMAC and SHA-256 and keys a fresh context for every signature.
void BM_SignWithSetupPerMessage(benchmark::State& state) {
    std::int64_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(fbl::feedback_loop::sign_reference(claims_for(++i), kKey));
    }
}
BENCHMARK(BM_SignWithSetupPerMessage)->ThreadRange(1, 2);

void BM_SignWithPreparedSigner(benchmark::State& state) {
    static const fbl::feedback_loop::ReferenceSigner signer(kKey);
    std::int64_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(signer.sign(claims_for(++i)));
    }
}
BENCHMARK(BM_SignWithPreparedSigner)->ThreadRange(1, 2);

}  // namespace

BENCHMARK_MAIN();
