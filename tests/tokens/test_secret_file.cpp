// The one rule for secret files (tokens/posix_file.hpp): a regular file that neither group nor
// others can read, with a message naming the file and the fix; and load_signing_key under it.
#include "support/test_files.hpp"
#include "tokens/posix_file.hpp"
#include "tokens/signing_key.hpp"

#include <gtest/gtest.h>

#include <sys/stat.h>

namespace checkin::tokens {
namespace {

using checkin::testing::temp_dir;
using checkin::testing::write_text;
namespace fs = std::filesystem;

TEST(SecretFile, ModeRule) {
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0600), std::nullopt);
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0400), std::nullopt);
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0644), "is readable by group or others (mode 0644)");
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0640), "is readable by group or others (mode 0640)");
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0604), "is readable by group or others (mode 0604)");
  EXPECT_EQ(secret_mode_problem(S_IFREG | 0602), "is readable by group or others (mode 0602)")
      << "writable by others is as bad: the secret can be replaced";
  EXPECT_EQ(secret_mode_problem(S_IFDIR | 0700), "is not a regular file");
  EXPECT_EQ(secret_mode_problem(S_IFIFO | 0600), "is not a regular file");
}

TEST(SecretFile, OpenNamesTheFileAndTheFix) {
  temp_dir dir;
  const auto file = dir.path() / "hook.secret";
  write_text(file, "s3cret\n");
  fs::permissions(file, fs::perms(0644));
  auto bad = open_secret_file(file, "webhook secret", secret_links::follow);
  EXPECT_LT(bad.fd.get(), 0);
  EXPECT_EQ(bad.problem, file.string() + ": webhook secret is readable by group or others (mode "
                                         "0644); chmod 600 " + file.string());
  fs::permissions(file, fs::perms(0600));
  auto good = open_secret_file(file, "webhook secret", secret_links::follow);
  EXPECT_GE(good.fd.get(), 0);
  EXPECT_EQ(good.problem, "");

  const auto link = dir.path() / "link.secret";
  fs::create_symlink(file, link);
  EXPECT_EQ(open_secret_file(link, "x", secret_links::follow).problem, "");
  EXPECT_EQ(open_secret_file(link, "x", secret_links::refuse).problem,
            link.string() + ": x is a symbolic link; give the file itself");
  EXPECT_EQ(open_secret_file(dir.path(), "x", secret_links::follow).problem,
            dir.path().string() + ": x is not a regular file");
  EXPECT_NE(open_secret_file(dir.path() / "none", "x", secret_links::follow)
                .problem.find("cannot be opened"),
            std::string::npos);
}

TEST(SecretFile, SigningKeyReadableByOthersIsRefused) {
  temp_dir dir;
  const auto key = signing_key::generate();
  write_key_pair(key, dir.path() / "keys");
  const auto file = dir.path() / "keys" / "signing.key";
  EXPECT_EQ(load_signing_key(file).id(), key.id());
  fs::permissions(file, fs::perms(0640));
  try {
    (void)load_signing_key(file);
    ADD_FAILURE() << "a group-readable signing key was accepted";
  } catch (const key_file_error& e) {
    EXPECT_EQ(std::string(e.what()), file.string() + ": signing key is readable by group or "
                                                     "others (mode 0640); chmod 600 " + file.string());
  }
  // The public half is not a secret.
  fs::permissions(dir.path() / "keys" / "signing.pub", fs::perms(0644));
  EXPECT_EQ(load_public_key(dir.path() / "keys" / "signing.pub"), key.public_part());
}

}  // namespace
}  // namespace checkin::tokens
