// checkin-gateway keygen --out DIR
#include "cli/cli_support.hpp"
#include "cli/commands.hpp"

#include <cstdio>

namespace checkin::cli {

void add_keygen_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "keygen",
      "Create an Ed25519 signing key pair: DIR/signing.key (secret, mode 0600) and "
      "DIR/signing.pub. Prints the key id. Refuses to overwrite an existing key.");
  auto dir = std::make_shared<std::string>(default_key_dir);
  cmd->add_option("--out", *dir, "Folder for the key files")->capture_default_str();
  cmd->callback([dir] {
    const auto key = tokens::signing_key::generate();
    tokens::write_key_pair(key, *dir);
    std::printf("%s\n", tokens::to_hex(key.id()).c_str());
    std::fprintf(stderr,
                 "wrote %s/signing.key (secret: keep it out of mail; whoever holds it can mint "
                 "codes, see docs/venue-screens.md) and %s/signing.pub\n",
                 dir->c_str(), dir->c_str());
  });
}

}  // namespace checkin::cli
