#include "cli/plan_inputs.h"

#include "pki/random.h"

namespace certgate::cli {

plan::PlanInputs plan_inputs(const Loaded& loaded, const observed::ObservedState& observed) {
  plan::PlanInputs in;
  in.source = loaded.snapshot.description;
  in.commit = loaded.snapshot.commit.value_or("");
  in.state_dir = observed.state_dir;
  in.fingerprints["source:" + loaded.snapshot.file_path] = pki::sha256_hex(loaded.snapshot.text);
  for (const desired::Device& d : loaded.state.devices) {
    if (d.has_csr()) in.fingerprints["source:" + *d.csr_path] = pki::sha256_hex(d.csr_pem);
  }
  for (const desired::SourceFile* f : {&loaded.state.ca.root_cert, &loaded.state.ca.root_crl,
                                       &loaded.state.ca.intermediate_cert}) {
    if (!f->pem.empty()) in.fingerprints["source:" + f->path] = pki::sha256_hex(f->pem);
  }
  for (const auto& [name, sha] : observed.fingerprints) in.fingerprints["state:" + name] = sha;
  for (const observed::TargetFiles& t : observed.targets) {
    // An unreachable host makes a saved plan stale once it can be reached again.
    if (!t.unreachable.empty())
      in.fingerprints["target:" + t.target] = pki::sha256_hex("unreachable");
    for (const auto& [rel, f] : t.files)
      in.fingerprints["target:" + t.target + ":" + rel] = f.sha256;
  }
  return in;
}

}  // namespace certgate::cli
