#include "storage/proofs/parallel.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace depin::storage::proofs {

size_t HardwareThreads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : n;
}

void ParallelFor(size_t n, size_t threads, size_t min_chunk,
                 const std::function<void(size_t begin, size_t end)>& fn) {
  if (n == 0) return;
  min_chunk = std::max<size_t>(min_chunk, 1);
  size_t chunks = std::min(std::max<size_t>(threads, 1), (n + min_chunk - 1) / min_chunk);
  if (chunks <= 1) {
    fn(0, n);
    return;
  }
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  size_t per = n / chunks, extra = n % chunks, begin = 0;
  size_t first_end = 0;
  for (size_t c = 0; c < chunks; ++c) {
    size_t end = begin + per + (c < extra ? 1 : 0);
    if (c == 0) {
      first_end = end;
    } else {
      workers.emplace_back(fn, begin, end);
    }
    begin = end;
  }
  fn(0, first_end);
  for (auto& w : workers) w.join();
}

}  // namespace depin::storage::proofs
