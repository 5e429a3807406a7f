// GPU names as one model reads everywhere: the compute market stores a
// provider's gpu.vendor and gpu.model normalized (market/gpu_attributes.h),
// and the device layer (compute/gpu.h) reports every device it finds under
// the same names, so what getgpuinfo shows is what a provider registers and
// what an order's spec matches.
//
// GPU model names (NormalizeGpuModel): lower case; every run of characters
// other than letters and digits separates words; the vendor and brand words
// nvidia, geforce, tesla, quadro, amd, radeon, instinct, intel, arc,
// corporation, graphics, gpu, tm and r are dropped; each word is split where
// letters meet digits, a single letter is joined back to the digits after it
// (a100, h100, v100) and "gb" to the digits before it (80gb); the parts join
// with "-". So "NVIDIA GeForce RTX 4090", "GeForce RTX 4090" and "rtx4090"
// all read "rtx-4090", and "NVIDIA A100-SXM4-80GB" reads "a100-sxm-4-80gb".
// Vendors (NormalizeGpuVendor): any name containing nvidia -> "nvidia",
// amd or "advanced micro devices" -> "amd", intel -> "intel"; others lower
// case with non-alphanumerics as "-".
//
// The market's consensus rules read these names: a change here is a
// consensus change.
//
// Thread-safety: plain functions.
#pragma once

#include <string>
#include <string_view>

namespace depin::compute {

std::string NormalizeGpuModel(std::string_view name);
std::string NormalizeGpuVendor(std::string_view name);

}  // namespace depin::compute
