#include "cli/pipeline.h"

#include <filesystem>

#include "observed/observe.h"
#include "pki/random.h"

namespace certgate::cli {

std::string absolute_state_dir(const GlobalOptions& g) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::absolute(g.state_dir, ec);
  if (ec) return g.state_dir;
  return p.lexically_normal().string();
}

namespace {

plan::PlanInputs plan_inputs(const Loaded& loaded, const observed::ObservedState& observed) {
  plan::PlanInputs in;
  in.source = loaded.snapshot.description;
  in.commit = loaded.snapshot.commit.value_or("");
  in.state_dir = observed.state_dir;
  in.fingerprints["source:" + loaded.snapshot.file_path] = pki::sha256_hex(loaded.snapshot.text);
  for (const desired::Device& d : loaded.state.devices) {
    if (d.has_csr()) in.fingerprints["source:" + *d.csr_path] = pki::sha256_hex(d.csr_pem);
  }
  for (const auto& [name, sha] : observed.fingerprints) in.fingerprints["state:" + name] = sha;
  return in;
}

}  // namespace

std::optional<PlanRun> run_pipeline(const GlobalOptions& g, base::Instant now, sys::Filesystem& fs,
                                    const plan::PlanOptions& options) {
  auto loaded = load_and_report(g, now, fs);
  if (!loaded) return std::nullopt;
  auto observed = observed::observe(fs, absolute_state_dir(g), loaded->state);
  if (!observed) {
    fail(observed.error().message);
    return std::nullopt;
  }
  plan::PlanInputs inputs = plan_inputs(*loaded, *observed);
  plan::Plan plan = plan::compute_plan(loaded->state, *observed, inputs, options, now);
  return PlanRun{std::move(*loaded), std::move(*observed), std::move(plan)};
}

}  // namespace certgate::cli
